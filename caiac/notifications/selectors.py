"""Reads of the outbox: what a person sees as notifications, what staff must look at."""

import datetime

from django.db.models import Q, QuerySet
from django.utils import timezone

from caiac import access
from caiac.accounts.models import User
from caiac.notifications.kinds import KINDS
from caiac.notifications.models import Message, MessageStatus, Preference

# A notification is shown once it is due: sent (by email or in the app only), being sent, or
# failed by email (the app still shows it). Cancelled and expired ones never happened for the
# person; future ones are not news yet.
_SHOWN = Q(status__in=[MessageStatus.SENT, MessageStatus.SENDING, MessageStatus.FAILED]) | Q(
    status=MessageStatus.PENDING
)


def notifications_for_user(*, user: User, unread: bool = False) -> QuerySet[Message]:
    messages = Message.objects.filter(recipient=user, due_at__lte=timezone.now()).filter(_SHOWN)
    if unread:
        messages = messages.filter(read_at__isnull=True)
    return messages.order_by("-due_at", "-id")


def notification_get_for_user(*, user: User, id: int) -> Message:
    """One of the user's own notifications; another person's is 'not found', never 'forbidden'."""
    return access.get_for_person_or_404(notifications_for_user(user=user), user, id, via=None)


def unread_count(*, user: User) -> int:
    if not user.is_authenticated:
        return 0
    return notifications_for_user(user=user, unread=True).count()


def messages_overdue(*, grace_seconds: int = 60) -> QuerySet[Message]:
    """Pending rows that should have left more than ``grace_seconds`` ago (a scan every few
    seconds sends them): the worker, beat, the broker or the mail server is not doing its job."""
    since = timezone.now() - datetime.timedelta(seconds=grace_seconds)
    return Message.objects.filter(status=MessageStatus.PENDING, due_at__lte=since).filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=since)
    )


def messages_failed() -> QuerySet[Message]:
    return Message.objects.filter(status=MessageStatus.FAILED).select_related("recipient")


def email_disabled_kinds(*, user: User) -> list[str]:
    preference = Preference.objects.filter(user=user).first()
    return list(preference.email_disabled) if preference else []


def kinds_for_user(*, user: User) -> list[str]:
    """The kinds a person can choose about: the known ones and any they have received."""
    received = Message.objects.filter(recipient=user).values_list("kind", flat=True).distinct()
    return [*KINDS, *sorted(set(received) - set(KINDS))]
