from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework.authtoken.models import Token

from caiac import access
from caiac.accounts.lockout import locked_message, retry_after_seconds
from caiac.accounts.models import Membership, MembershipRole, Organisation, User
from caiac.errors import Conflict, Invalid, LockedOut, NotAllowed, NotFound

ORGANISATION_FIELDS = (
    "name",
    "kind",
    "sector",
    "city",
    "is_cluster_member",
    "member_since",
    "membership_expires_on",
    "contact_name",
    "contact_email",
    "contact_phone",
)


def user_authenticate(*, request: Any, username: str, password: str) -> User:
    """The user with these credentials; ``LockedOut`` (429) while the account or address is
    locked by too many failures, whatever the password (caiac/accounts/lockout.py)."""
    # The plain Django request: django-axes marks it, and its middleware answers the lockout.
    http_request = getattr(request, "_request", request)
    user = authenticate(request=http_request, username=username, password=password)
    if getattr(http_request, "axes_locked_out", False):
        raise LockedOut(locked_message(), retry_after=retry_after_seconds(http_request, username))
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
    since, until = data.get("member_since"), data.get("membership_expires_on")
    if since and until and until < since:
        raise Invalid(
            _("A membership cannot end before it starts."),
            code="invalid",
            fields={"membership_expires_on": [str(_("Before the membership starts."))]},
        )


def _membership_start(data: dict[str, Any], previous: bool = False) -> dict[str, Any]:
    """A new cluster member without a start date is a member from today."""
    if data.get("is_cluster_member") and not previous and not data.get("member_since"):
        data = data | {"member_since": timezone.localdate()}
    return data


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
    """Staff register an organisation (people ask through the front door's join requests)."""
    access.require_staff(by)
    data = _membership_start(data)
    _check_membership_dates(data)
    _check_name_free(data["name"])
    return Organisation.objects.create(
        **{k: v for k, v in data.items() if k in ORGANISATION_FIELDS}
    )


@transaction.atomic
def organisation_update(*, by: User, organisation: Organisation, **data: Any) -> Organisation:
    access.require_staff(by)
    data = _membership_start(data, previous=organisation.is_cluster_member)
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
    *, by: User, organisation: Organisation, user: User, role: str = MembershipRole.MEMBER
) -> Membership:
    """Staff put someone in an organisation (owners invite by email instead)."""
    access.require_staff(by)
    return _membership_put(organisation=organisation, user=user, role=role)


@transaction.atomic
def membership_join_by_invitation(
    *, user: User, organisation: Organisation, role: str
) -> Membership:
    """The person joins with the role of an invitation whose link they have just spent (the front
    door checks the link: it is the authority here). An owner is never demoted by it."""
    existing = Membership.objects.filter(organisation=organisation, user=user).first()
    if existing is not None and existing.role == MembershipRole.OWNER:
        return existing
    return _membership_put(organisation=organisation, user=user, role=role)


def _membership_put(*, organisation: Organisation, user: User, role: str) -> Membership:
    membership, created = Membership.objects.get_or_create(
        organisation=organisation, user=user, defaults={"role": role}
    )
    if not created and membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


def _lock_memberships(organisation: Organisation) -> None:
    # Serialises every change of an organisation's roles: two owners demoting each other at the
    # same moment must not leave it with none (on SQLite the IMMEDIATE transaction does this).
    Organisation.objects.select_for_update().filter(pk=organisation.pk).first()


def _check_an_owner_remains(*, organisation: Organisation, without: Membership) -> None:
    others = (
        Membership.objects.filter(organisation=organisation, role=MembershipRole.OWNER)
        .exclude(pk=without.pk)
        .exists()
    )
    if not others:
        raise Conflict(
            _("An organisation always keeps an owner: make someone else owner first."),
            code="last_owner",
        )


@transaction.atomic
def membership_set_role(
    *, by: User, organisation: Organisation, user: User, role: str
) -> Membership:
    """An owner (or staff) makes a member owner, or an owner member; one owner always stays."""
    access.require_manages(by, organisation)
    if role not in MembershipRole.values:
        raise Invalid(_("Unknown role."), code="invalid", fields={"role": [_("Unknown role.")]})
    _lock_memberships(organisation)
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is None:
        raise NotFound()
    if membership.role == MembershipRole.OWNER and role != MembershipRole.OWNER:
        _check_an_owner_remains(organisation=organisation, without=membership)
    if membership.role != role:
        membership.role = role
        membership.save(update_fields=["role"])
    return membership


@transaction.atomic
def membership_remove(*, by: User, organisation: Organisation, user: User) -> None:
    """An owner (or staff) removes someone; anyone may leave. One owner always stays."""
    if by.pk != user.pk:
        access.require_manages(by, organisation)
    _lock_memberships(organisation)
    membership = Membership.objects.filter(organisation=organisation, user=user).first()
    if membership is None:
        raise NotFound()
    if membership.role == MembershipRole.OWNER:
        _check_an_owner_remains(organisation=organisation, without=membership)
    membership.delete()


PROFILE_FIELDS = ("first_name", "last_name", "phone", "language")


@transaction.atomic
def profile_update(*, by: User, user: User, **data: Any) -> User:
    """A person's own name, phone and language (the address changes by confirmation only)."""
    if by.pk != user.pk:
        raise NotAllowed()
    unknown = set(data) - set(PROFILE_FIELDS)
    if unknown:
        raise Invalid(_("These fields cannot be changed here."), fields={f: [] for f in unknown})
    if "language" in data and data["language"] not in dict(settings.LANGUAGES):
        raise Invalid(_("Unknown language."), code="invalid", fields={"language": []})
    for field, value in data.items():
        setattr(user, field, value.strip() if isinstance(value, str) else value)
    user.save(update_fields=list(data))
    return user


@transaction.atomic
def password_change(*, by: User, user: User, old_password: str, new_password: str) -> User:
    """A person changes their own password, knowing the current one (AUTH_PASSWORD_VALIDATORS)."""
    if by.pk != user.pk:
        raise NotAllowed()
    if not user.check_password(old_password):
        raise Invalid(
            _("Your current password was entered incorrectly."),
            code="wrong_password",
            fields={"old_password": [_("Your current password was entered incorrectly.")]},
        )
    try:
        validate_password(new_password, user)
    except ValidationError as exc:
        raise Invalid(
            exc.messages[0], code="weak_password", fields={"new_password": exc.messages}
        ) from None
    user.set_password(new_password)
    user.save(update_fields=["password"])  # revokes the old one's credentials (accounts.passwords)
    return user


# Credentials kept by apps above accounts (booking's calendar feed URLs): each app registers how
# to revoke a person's in its AppConfig.ready(), since accounts imports none of them.
_credential_revokers: list[Callable[..., object]] = []


def on_password_change(revoke: Callable[..., object]) -> None:
    """Register ``revoke(user=...)``, called whenever a person's password changes."""
    if revoke not in _credential_revokers:
        _credential_revokers.append(revoke)


def credentials_revoke_after_password_change(*, user: User) -> None:
    """A new password (changed by the person, reset, set by staff in the back office or with
    ``manage.py changepassword``: ``caiac.accounts.passwords`` hears of each) shuts out whoever
    held the old one.

    The API token is deleted (an API client signs in again with the new password), and so is
    every credential an app registered with ``on_password_change`` (calendar feed URLs). Browser
    sessions are tied to the password by Django's session hash: every other session of the
    person is signed out on its next request; the page that changed the password keeps its own
    (``update_session_auth_hash``).
    """
    Token.objects.filter(user=user).delete()
    for revoke in _credential_revokers:
        revoke(user=user)


@transaction.atomic
def api_token_create(*, by: User, user: User) -> Token:
    """A new API token for the person; the previous one, if any, stops working at once."""
    if by.pk != user.pk:
        raise NotAllowed()
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


@transaction.atomic
def api_token_revoke(*, by: User, user: User) -> int:
    if by.pk != user.pk and not access.is_staff(by):
        raise NotAllowed()
    deleted, _rows = Token.objects.filter(user=user).delete()
    return deleted


def user_set_language(*, user: User, language: str) -> User:
    """The language of the person's pages and emails."""
    if language not in dict(settings.LANGUAGES):
        raise Invalid(_("Unknown language."), code="invalid", fields={"language": []})
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
    return user
