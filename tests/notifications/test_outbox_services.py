import datetime

import pytest
from django.contrib.contenttypes.models import ContentType

from caiac.notifications.models import Message, MessageStatus
from caiac.notifications.services import message_schedule, messages_drop
from tests.notifications.conftest import minutes, now

pytestmark = pytest.mark.django_db

START = datetime.datetime(2026, 12, 3, 9, 0, tzinfo=datetime.UTC)
DAY_BEFORE = START - datetime.timedelta(days=1)


def remind(user, about, *, key="booking:42:reminder-24h", due_at=DAY_BEFORE):
    return message_schedule(
        recipient=user,
        kind="booking.reminder_24h",
        dedup_key=key,
        due_at=due_at,
        send_before=START,
        context={"start": START.isoformat()},
        about=about,
    )


def test_a_reminder_row_is_written_with_what_it_is_about(member, organisation):
    message = remind(member, organisation)
    assert message.status == MessageStatus.PENDING
    assert message.language == member.language
    assert message.about == organisation
    assert message.content_type == ContentType.objects.get_for_model(organisation)
    assert message.send_before == START


def test_the_same_key_moves_the_pending_reminder_instead_of_adding_one(member, organisation):
    remind(member, organisation)
    moved = remind(member, member, due_at=START + minutes(60))
    assert Message.objects.count() == 1
    assert moved.due_at == START + minutes(60)
    assert moved.about == member  # a User can be what a message is about too


def test_a_sent_reminder_is_not_moved(member, organisation):
    message = remind(member, organisation)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT, sent_at=now())
    again = remind(member, organisation, due_at=START + minutes(60))
    assert again.status == MessageStatus.SENT
    assert again.due_at == START - minutes(24 * 60)


def test_dropping_cancels_only_the_pending_messages_under_the_prefix(member, organisation):
    remind(member, organisation, key="booking:42:reminder-24h")
    remind(member, organisation, key="booking:42:reminder-1h")
    sent = remind(member, organisation, key="booking:42:confirmed")
    Message.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT, sent_at=now())
    other = remind(member, organisation, key="booking:420:reminder-24h")

    assert messages_drop(dedup_prefix="booking:42:") == 2

    statuses = dict(Message.objects.values_list("dedup_key", "status"))
    assert statuses["booking:42:reminder-24h"] == MessageStatus.CANCELLED
    assert statuses["booking:42:reminder-1h"] == MessageStatus.CANCELLED
    assert statuses["booking:42:confirmed"] == MessageStatus.SENT
    assert other.dedup_key == "booking:420:reminder-24h"
    assert statuses["booking:420:reminder-24h"] == MessageStatus.PENDING


def test_a_dropped_reminder_comes_back_when_the_booking_is_scheduled_again(member, organisation):
    remind(member, organisation)
    messages_drop(dedup_prefix="booking:42:")
    back = remind(member, organisation, due_at=START - minutes(30))
    assert back.status == MessageStatus.PENDING
    assert back.due_at == START - minutes(30)


def test_moving_a_reminder_clears_its_backoff(member, organisation):
    message = remind(member, organisation)
    Message.objects.filter(pk=message.pk).update(
        attempts=2, next_attempt_at=now() + minutes(5), last_error="SMTP down"
    )
    moved = remind(member, organisation, due_at=START - minutes(90))
    assert (moved.attempts, moved.next_attempt_at, moved.last_error) == (0, None, "")


def test_a_failed_reminder_is_scheduled_afresh_when_the_booking_moves(member, organisation):
    message = remind(member, organisation)
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=5, last_error="SMTP down"
    )
    moved = remind(member, organisation, due_at=START + minutes(60))
    assert (moved.status, moved.attempts, moved.due_at) == ("pending", 0, START + minutes(60))


def test_a_reminder_being_sent_right_now_is_neither_moved_nor_dropped(member, organisation):
    message = remind(member, organisation)
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, send_token="t", sending_since=now()
    )
    assert remind(member, organisation, due_at=START + minutes(60)).due_at == DAY_BEFORE
    assert messages_drop(dedup_prefix="booking:42:") == 0
