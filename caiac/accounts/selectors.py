from django.db.models import QuerySet

from caiac import access
from caiac.accounts.models import Membership, MembershipRole, Organisation, User
from caiac.errors import NotFound


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    return access.organisations_visible_to(user)


def organisation_get_for_user(*, user: User, organisation_id: int) -> Organisation:
    """The organisation if ``user`` may see it; otherwise not-found, never a hint it exists."""
    try:
        return organisations_visible_to(user).get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None


def user_organisation_ids(user: User) -> list[int]:
    return list(Membership.objects.filter(user=user).values_list("organisation_id", flat=True))


def user_belongs_to(*, user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(user=user, organisation=organisation).exists()


def user_owns(*, user: User, organisation: Organisation) -> bool:
    return Membership.objects.filter(
        user=user, organisation=organisation, role=MembershipRole.OWNER
    ).exists()


def default_organisation_for(user: User) -> Organisation | None:
    """The organisation a user acts for when none is named: their only one, else none."""
    memberships = list(Membership.objects.filter(user=user).select_related("organisation")[:2])
    if len(memberships) == 1:
        return memberships[0].organisation
    return None
