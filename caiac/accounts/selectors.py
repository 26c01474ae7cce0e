"""Reads of organisations. Who belongs where is answered by ``caiac.access``."""

from django.db.models import QuerySet

from caiac import access
from caiac.accounts.models import Organisation, User


def organisations_visible_to(user: User) -> QuerySet[Organisation]:
    """Staff: every organisation; anyone else: their own."""
    return access.organisations_visible_to(user)


def organisation_get_for_user(*, user: User, organisation_id: int) -> Organisation:
    """The organisation if ``user`` may see it; otherwise not-found, never a hint it exists."""
    return access.get_for_person_or_404(Organisation.objects.all(), user, organisation_id, via="pk")
