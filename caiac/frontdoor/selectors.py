from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import Membership, MembershipRole, Organisation, User
from caiac.errors import NotAllowed, NotFound
from caiac.frontdoor.models import Invitation, InvitationStatus, JoinRequest, JoinRequestStatus


def organisation_get_for_owner(*, by: User, organisation_id: int) -> Organisation:
    """The organisation if ``by`` owns it or is staff; 404 to outsiders, 403 to its members."""
    try:
        organisation = Organisation.objects.get(pk=organisation_id)
    except (Organisation.DoesNotExist, ValueError, TypeError):
        raise NotFound() from None
    if by.is_cluster_staff:
        return organisation
    role = (
        Membership.objects.filter(organisation=organisation, user=by)
        .values_list("role", flat=True)
        .first()
    )
    if role is None:
        raise NotFound()
    if role != MembershipRole.OWNER:
        raise NotAllowed(
            _("Only an owner of the organisation can do this."), code="not_organisation_owner"
        )
    return organisation


def invitations_pending(organisation: Organisation) -> QuerySet[Invitation]:
    return Invitation.objects.filter(
        organisation=organisation,
        status=InvitationStatus.PENDING,
        expires_at__gt=timezone.now(),
    ).select_related("invited_by", "organisation")


def join_requests_for_staff(*, by: User, status: str | None = None) -> QuerySet[JoinRequest]:
    if not by.is_cluster_staff:
        raise NotAllowed(_("Only cluster staff can see requests to join."))
    requests = JoinRequest.objects.select_related("decided_by", "organisation", "user")
    if status:
        requests = requests.filter(status=status)
    return requests.order_by("status", "-created_at")


def join_requests_pending_count() -> int:
    return JoinRequest.objects.filter(status=JoinRequestStatus.PENDING).count()
