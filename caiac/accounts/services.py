from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from caiac import access
from caiac.accounts.models import Membership, MembershipRole, Organisation, User
from caiac.errors import Conflict, Invalid

ORGANISATION_FIELDS = (
    "name",
    "kind",
    "sector",
    "city",
    "is_cluster_member",
    "membership_expires_on",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def user_authenticate(*, request: Any, username: str, password: str) -> User:
    user = authenticate(request=request, username=username, password=password)
    if user is None:
        raise Invalid(
            _("Unable to sign in with this username and password."), code="invalid_credentials"
        )
    return user


def _check_membership_dates(data: dict[str, Any]) -> None:
    if data.get("membership_expires_on") and not data.get("is_cluster_member"):
        raise Invalid(
            _("Only a cluster member can have a membership expiry date."),
            code="invalid",
            fields={"membership_expires_on": [str(_("Only for cluster members."))]},
        )


def _check_name_free(name: str, *, exclude_pk: int | None = None) -> None:
    # Compared in Python: SQLite's case folding is ASCII-only ("É" != "é"), and names are few.
    taken = Organisation.objects.exclude(pk=exclude_pk).values_list("name", flat=True)
    if any(other.casefold() == name.casefold() for other in taken):
        raise Conflict(
            _("An organisation with this name already exists."),
            code="organisation_exists",
            fields={"name": [str(_("Already taken."))]},
        )


@transaction.atomic
def organisation_create(*, by: User, **data: Any) -> Organisation:
    """Staff register an organisation (a new one asking to join goes through the front door)."""
    access.require_staff(by)
    _check_membership_dates(data)
    _check_name_free(data["name"])
    return Organisation.objects.create(
        **{k: v for k, v in data.items() if k in ORGANISATION_FIELDS}
    )


@transaction.atomic
def organisation_update(*, by: User, organisation: Organisation, **data: Any) -> Organisation:
    """Staff edit an organisation (its cluster membership and rates depend on it)."""
    access.require_staff(by)
    merged = {f: getattr(organisation, f) for f in ORGANISATION_FIELDS} | data
    _check_membership_dates(merged)
    if "name" in data:
        _check_name_free(data["name"], exclude_pk=organisation.pk)
    for field in ORGANISATION_FIELDS:
        if field in data:
            setattr(organisation, field, data[field])
    organisation.full_clean()
    organisation.save()
    return organisation


@transaction.atomic
def membership_add(
    *, organisation: Organisation, user: User, role: str = MembershipRole.MEMBER
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, organisation: Organisation, user: User) -> None:
    Membership.objects.filter(organisation=organisation, user=user).delete()


def user_set_language(*, user: User, language: str) -> User:
    """The language of the person's pages and emails."""
    if language not in dict(settings.LANGUAGES):
        raise Invalid(_("Unknown language."), code="invalid", fields={"language": []})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
