"""Who may do what: the one home of the platform's access rules (zulip's ``access_*`` helpers).

Every service calls these first thing; selectors scope their querysets with them; pages and the
API never re-derive a rule. A refusal is always one of:

- ``NotAllowed`` 403 ``staff_only``             — only cluster staff may do this;
- ``NotAllowed`` 403 ``not_a_member``           — the person does not act for that organisation;
- ``NotAllowed`` 403 ``not_organisation_owner`` — only an owner of the organisation (or staff);
- ``NotAllowed`` 403 ``trainer_only``           — only trainers (or staff);
- ``NotFound``   404 ``not_found``              — the object is not one this person may see.
  Whether it exists elsewhere is never revealed: another organisation's booking and a booking
  that never existed give the same answer.

"A person" is a ``User`` or Django's ``AnonymousUser`` (every helper answers "no" for the latter,
and for inactive accounts). "Staff" here means **cluster staff** (role staff, or a superuser),
not Django's ``User.is_staff`` flag (which only opens the back office).
"""

import re
from typing import Any, TypeVar

from django.db.models import Model, QuerySet
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import Membership, MembershipRole, Organisation, Role
from caiac.errors import NotAllowed, NotFound

M = TypeVar("M", bound=Model)

# Ids are positive integers that fit a PostgreSQL bigint; anything else is simply not found
# (no 500 on "1.5", "1e3", " 7", "-1" or a 30-digit number).
_ID = re.compile(r"[1-9][0-9]{0,17}")


# --- Who is this person --------------------------------------------------------------------------
def is_signed_in(person: Any) -> bool:
    return bool(person is not None and person.is_authenticated and person.is_active)


def is_staff(person: Any) -> bool:
    """Cluster staff: an active account with the staff role, or a superuser."""
    return is_signed_in(person) and (person.role == Role.STAFF or person.is_superuser)


def is_trainer(person: Any) -> bool:
    """An active account with the trainer role (staff are not trainers, but may do what they do)."""
    return is_signed_in(person) and person.role == Role.TRAINER


def teaches(person: Any) -> bool:
    """May run training sessions: trainers and staff."""
    return is_trainer(person) or is_staff(person)


# --- Which organisations does this person act for ------------------------------------------------
def organisation_ids_of(person: Any) -> QuerySet:
    """Ids of the organisations the person is a member of (staff: only their own memberships).

    A lazy queryset: ``filter(organisation_id__in=organisation_ids_of(p))`` becomes one SQL
    subquery, and ``list(...)`` gives the ids."""
    if not is_signed_in(person):
        return Membership.objects.none().values_list("organisation_id", flat=True)
    return Membership.objects.filter(user_id=person.pk).values_list("organisation_id", flat=True)


def member_ids_of(organisation: Organisation | int) -> QuerySet:
    """Ids of the people who belong to an organisation (a lazy subquery, as above)."""
    return Membership.objects.filter(organisation_id=_organisation_id(organisation)).values_list(
        "user_id", flat=True
    )


def organisations_of(person: Any) -> QuerySet[Organisation]:
    """The organisations the person is a member of, by name (staff: only their own ones)."""
    return Organisation.objects.filter(pk__in=organisation_ids_of(person)).order_by("name")


def organisations_visible_to(person: Any) -> QuerySet[Organisation]:
    """Staff see every organisation; anyone else the ones they belong to."""
    if is_staff(person):
        return Organisation.objects.order_by("name")
    return organisations_of(person)


def default_organisation_of(person: Any) -> Organisation | None:
    """The organisation a person acts for when they name none: their only one, else none (several
    organisations, no organisation, or staff acting for nobody in particular)."""
    mine = list(organisations_of(person).order_by("pk")[:2])
    return mine[0] if len(mine) == 1 else None


def _organisation_id(organisation: Organisation | int | None) -> int | None:
    if organisation is None:
        return None
    return organisation if isinstance(organisation, int) else organisation.pk


def is_member_of(person: Any, organisation: Organisation | int | None) -> bool:
    """A membership of that organisation (owner or member). Being staff is not enough."""
    organisation_id = _organisation_id(organisation)
    if organisation_id is None:
        return False
    return organisation_ids_of(person).filter(organisation_id=organisation_id).exists()


def acts_for(person: Any, organisation: Organisation | int | None) -> bool:
    """May act on that organisation's behalf: its members, and cluster staff for any of them."""
    return is_staff(person) or is_member_of(person, organisation)


def is_owner(person: Any, organisation: Organisation | int | None) -> bool:
    """An owner membership of that organisation (staff are not owners)."""
    organisation_id = _organisation_id(organisation)
    if organisation_id is None or not is_signed_in(person):
        return False
    return (
        organisation_ids_of(person)
        .filter(organisation_id=organisation_id, role=MembershipRole.OWNER)
        .exists()
    )


def manages(person: Any, organisation: Organisation | int | None) -> bool:
    """May run the organisation itself (members, roles, invitations): its owners and staff."""
    return is_staff(person) or is_owner(person, organisation)


# --- Refusals ------------------------------------------------------------------------------------
def require_signed_in(person: Any) -> None:
    if not is_signed_in(person):
        raise NotAllowed(_("Sign in first."), code="not_authenticated")


def require_staff(person: Any) -> None:
    """403 ``staff_only`` unless the person is cluster staff."""
    if not is_staff(person):
        raise NotAllowed(_("Only cluster staff can do this."), code="staff_only")


def require_member_of(
    person: Any, organisation: Organisation | int | None, *, staff_too: bool = True
) -> None:
    """403 ``not_a_member`` unless the person acts for the organisation (members; staff as well
    unless ``staff_too=False``, e.g. applying to a call is the organisation's own act)."""
    allowed = acts_for(person, organisation) if staff_too else is_member_of(person, organisation)
    if not allowed:
        raise NotAllowed(
            _("Only the organisation's members can do this."),
            code="not_a_member",
            fields={"organisation": [str(_("You are not a member of this organisation."))]},
        )


def require_owner_of(person: Any, organisation: Organisation | int | None) -> None:
    """403 ``not_organisation_owner`` unless the person owns the organisation or is staff."""
    if not manages(person, organisation):
        raise NotAllowed(
            _("Only an owner of the organisation can do this."), code="not_organisation_owner"
        )


def require_acts_for(person: Any, organisation: Organisation | int | None) -> None:
    """404 ``not_found`` unless the person acts for the organisation (members, staff). For what
    was reached by id: "not yours" must look exactly like "no such thing"."""
    if not acts_for(person, organisation):
        raise NotFound()


def require_manages(person: Any, organisation: Organisation | int | None) -> None:
    """Running an organisation reached by id (its people, roles, invitations): 404 to anyone
    outside it, who learns nothing; 403 ``not_organisation_owner`` to its plain members."""
    require_acts_for(person, organisation)
    require_owner_of(person, organisation)


def require_teaches(person: Any) -> None:
    """403 ``trainer_only`` unless the person is a trainer or staff."""
    if not teaches(person):
        raise NotAllowed(_("Only trainers and cluster staff can do this."), code="trainer_only")


# --- Objects a person may see --------------------------------------------------------------------
def parse_id(value: Any) -> int:
    """An object id from a URL, a form or JSON: a positive integer, else not-found."""
    if isinstance(value, bool):
        raise NotFound()
    if isinstance(value, int):
        if value > 0:
            return value
        raise NotFound()
    if isinstance(value, str) and _ID.fullmatch(value):
        return int(value)
    raise NotFound()


def scope(
    queryset: QuerySet[M], person: Any, *, via: str = "organisation", ids_first: bool = False
) -> QuerySet[M]:
    """The rows of ``queryset`` the person may see: all of them for staff; for anyone else those
    whose organisation (reached through ``via``, e.g. ``"incubatee__organisation"``, or ``"pk"``
    for organisations themselves) is one of theirs.

    ``ids_first``: read the person's organisations now (one small query) and filter on their
    ids as literal values rather than a subquery. For big tables listed in an index's order
    (bookings by organisation and start): PostgreSQL then walks that index and stops after a
    page, where with a subquery it reads every row of the organisation and sorts them."""
    if is_staff(person):
        return queryset
    lookup = "pk__in" if via == "pk" else f"{via}_id__in"
    ids = organisation_ids_of(person)
    return queryset.filter(**{lookup: list(ids) if ids_first else ids})


def get_for_person_or_404(
    queryset: QuerySet[M], person: Any, pk: Any, *, via: str | None = "organisation"
) -> M:
    """The object ``pk`` of ``queryset`` if the person may see it, else ``NotFound``.

    ``via`` scopes by organisation as :func:`scope` does; ``via=None`` when the queryset already
    comes scoped from a selector (e.g. applications a juror scores, sessions a trainer runs).
    Only integer ids are accepted; anything else is not found as well."""
    object_id = parse_id(pk)
    visible = queryset if via is None else scope(queryset, person, via=via)
    try:
        return visible.get(pk=object_id)
    except queryset.model.DoesNotExist:
        raise NotFound() from None
