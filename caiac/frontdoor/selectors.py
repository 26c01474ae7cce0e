from django.db.models import QuerySet
from django.utils import timezone

from caiac import access
from caiac.accounts.models import Organisation, User
from caiac.frontdoor.models import Invitation, InvitationStatus, JoinRequest, JoinRequestStatus


def organisation_get_for_owner(*, by: User, organisation_id: int) -> Organisation:
    """The organisation if ``by`` owns it or is staff; 404 to outsiders, 403 to its members."""
    organisation = access.get_for_person_or_404(
        Organisation.objects.all(), by, organisation_id, via="pk"
    )
    access.require_owner_of(by, organisation)
    return organisation


def invitations_pending(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation,
        status=InvitationStatus.PENDING,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by", "organisation")


def join_requests_for_staff(*, by: User, status: str | None = None) -> QuerySet[JoinRequest]:
    access.require_staff(by)
    # A request whose address was never confirmed does not reach staff (nor anyone).
    requests = JoinRequest.objects.filter(email_confirmed_at__isnull=False).select_related(
        "decided_by", "organisation", "user"
    )
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("status", "-created_at")


def join_requests_pending_count() -> int:
    return JoinRequest.objects.filter(
        status=JoinRequestStatus.PENDING, email_confirmed_at__isnull=False
    ).count()
