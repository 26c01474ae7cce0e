"""Every kind of email with an event, sent for real, read by two iCalendar parsers."""

import re

import pytest
from django.core import mail

from booking import services
from booking.models import FeedKind
from caiac.notifications.delivery import send_due
from caiac.notifications.models import Message
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory
from tests.factories import TrainerFactory, UserFactory
from tests.icalendar_readers import calendar_parts, read_calendar, read_invitation
from tests.trainings.factories import CourseFactory
from trainings.services import (
    session_cancel,
    session_create,
    session_enrol,
    session_enrolment_cancel,
    session_update,
)

pytestmark = pytest.mark.django_db

# kind → the METHOD its invitation carries
EXPECTED = {
    "booking.pending": "REQUEST",
    "booking.confirmed": "REQUEST",
    "booking.approved": "REQUEST",
    "booking.rejected": "CANCEL",
    "booking.moved": "REQUEST",
    "booking.cancelled": "CANCEL",
    "booking.reminder_24h": "REQUEST",
    "booking.reminder_1h": "REQUEST",
    "trainings.enrolled": "REQUEST",
    "trainings.promoted": "REQUEST",
    "trainings.session_changed": "REQUEST",
    "trainings.session_assigned": "REQUEST",
    "trainings.reminder_24h": "REQUEST",
    "trainings.reminder_1h": "REQUEST",
    "trainings.enrolment_cancelled": "CANCEL",
    "trainings.session_cancelled": "CANCEL",
}


def run_outbox() -> None:
    """Send everything written so far, due or not (reminders included)."""
    Message.objects.filter(status="pending").update(due_at=local(2026, 11, 23, 7))
    send_due()


def test_every_email_about_an_event_carries_an_invitation_both_parsers_read(
    frozen, lab_hours, member, staff
):
    # Bookings: confirmed, moved, cancelled; pending then approved; pending then rejected.
    machine = EquipmentFactory()
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    run_outbox()
    booking = services.booking_move(
        user=member, booking=booking, start=local(2026, 11, 27, 9), end=local(2026, 11, 27, 10)
    )
    run_outbox()
    services.booking_cancel(user=member, booking=booking)
    gated = EquipmentFactory(requires_approval=True)
    approved, rejected = (
        services.booking_create(
            user=member,
            equipment=gated,
            start=local(2026, 11, 25, h),
            end=local(2026, 11, 25, h + 1),
        )
        for h in (9, 11)
    )
    services.booking_approve(user=staff, booking=approved)
    services.booking_reject(user=staff, booking=rejected, reason="Audit")
    # Trainings: assigned, enrolled, promoted, changed, enrolment cancelled, session cancelled.
    trainer = TrainerFactory()
    session = session_create(
        by=staff,
        course=CourseFactory(),
        trainer=trainer,
        place="Halle A",
        start=local(2026, 11, 30, 9),
        end=local(2026, 11, 30, 12),
        capacity=1,
        equipment=EquipmentFactory().pk,
    )
    first, waiting = UserFactory(), UserFactory()
    session_enrol(by=first, session=session)
    session_enrol(by=waiting, session=session)
    run_outbox()
    session_enrolment_cancel(by=first, session=session)  # waiting is promoted
    session = session_update(by=staff, session=session, place="Halle B")
    run_outbox()
    session_cancel(by=staff, session=session)
    run_outbox()

    seen: dict[str, set] = {}
    for email in mail.outbox:
        if not calendar_parts(email):
            continue
        message_id = re.search(r"caiac\.message\.(\d+)@", email.extra_headers["Message-ID"])
        kind = Message.objects.get(pk=int(message_id.group(1))).kind
        event = read_invitation(email)
        seen.setdefault(kind, set()).add(event["method"])
        expected_status = "CANCELLED" if event["method"] == "CANCEL" else event["status"]
        assert event["status"] == expected_status
    assert seen == {kind: {method} for kind, method in EXPECTED.items()}


@pytest.mark.parametrize("kind", [FeedKind.USER, FeedKind.ORGANISATION, FeedKind.EQUIPMENT])
def test_every_kind_of_feed_is_read_alike_by_both_parsers(
    frozen, api_client, member, organisation, machine, staff, kind
):
    services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )
    session = session_create(
        by=staff,
        course=CourseFactory(),
        trainer=staff,
        place="Halle A",
        start=local(2026, 11, 30, 9),
        end=local(2026, 11, 30, 12),
        capacity=3,
        equipment=machine.pk,
    )
    session_enrol(by=member, session=session)
    target = {"organisation": organisation.pk} if kind == FeedKind.ORGANISATION else {}
    if kind == FeedKind.EQUIPMENT:
        target = {"equipment": machine}
    feed = services.feed_token_create(user=member, kind=kind, **target)
    calendar = read_calendar(api_client.get(f"/api/v1/calendar/{feed.token}.ics").content)
    assert calendar["method"] is None
    uids = sorted(event["uid"].split("-")[0] for event in calendar["events"])
    assert uids == ["booking", "training"]
