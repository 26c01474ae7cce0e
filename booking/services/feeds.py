from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking.models import Equipment, FeedKind, FeedToken
from caiac import access
from caiac.accounts.models import Organisation, User
from caiac.errors import Invalid, NotFound


@transaction.atomic
def feed_token_create(
    *,
    user: User,
    kind: str,
    organisation: int | None = None,
    equipment: Equipment | None = None,
) -> FeedToken:
    """A secret calendar feed URL for the user's bookings, an organisation's, or a machine's."""
    org = None
    if kind == FeedKind.ORGANISATION:
        if organisation is None:
            raise Invalid(_("Name the organisation."), fields={"organisation": ["required"]})
        org = access.get_for_person_or_404(Organisation.objects.all(), user, organisation, via="pk")
    elif kind == FeedKind.EQUIPMENT:
        if equipment is None:
            raise Invalid(_("Name the machine."), fields={"equipment": ["required"]})
    else:
        equipment = None
    return FeedToken.objects.create(
        user=user,
        kind=kind,
        organisation=org if kind == FeedKind.ORGANISATION else None,
        equipment=equipment if kind == FeedKind.EQUIPMENT else None,
    )


@transaction.atomic
def feed_token_revoke(*, user: User, feed: FeedToken) -> FeedToken:
    if feed.user_id != user.pk:
        raise NotFound()
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
    return feed
