import datetime

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


def feed_tokens_revoke_all(*, user: User) -> int:
    """Revoke every calendar link of the person: a feed URL is a credential, and whoever held
    the old password may have made one (called on a password change, caiac.accounts)."""
    return FeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_content_seen(*, feed: FeedToken, content_hash: str) -> datetime.datetime:
    """Note what the feed serves now; returns since when it has been the same (Last-Modified).

    Whole seconds (HTTP dates have no fractions), and a change always moves to a later second
    than the previous one, so ``If-Modified-Since`` never hides a change made in the same second.
    """
    if feed.content_hash == content_hash and feed.content_changed_at is not None:
        return feed.content_changed_at
    changed_at = timezone.now().replace(microsecond=0)
    previous = feed.content_changed_at
    if previous is not None and changed_at <= previous:
        changed_at = previous + datetime.timedelta(seconds=1)
    FeedToken.objects.filter(pk=feed.pk).update(
        content_hash=content_hash, content_changed_at=changed_at
    )
    feed.content_hash, feed.content_changed_at = content_hash, changed_at
    return changed_at
