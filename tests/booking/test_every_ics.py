"""Every kind of email with an event, sent for real, read by two iCalendar parsers."""

import itertools
import re

import pytest
from django.core import mail

from booking import services
from booking.ics import booking_uid
from booking.models import Booking, FeedKind
from caiac.notifications.delivery import send_due
from caiac.notifications.models import Message
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory
from tests.factories import TrainerFactory, UserFactory
from tests.icalendar_readers import calendar_parts, read_calendar, read_invitation
from tests.trainings.factories import CourseFactory
from trainings.ics import session_uid
from trainings.services import (
    session_cancel,
    session_create,
    session_enrol,
    session_enrolment_cancel,
    session_update,
)

pytestmark = pytest.mark.django_db

# kind → the METHOD and the STATUS of its invitation
EXPECTED = {
    "booking.pending": ("REQUEST", "TENTATIVE"),
    "booking.confirmed": ("REQUEST", "CONFIRMED"),
    "booking.approved": ("REQUEST", "CONFIRMED"),
    "booking.rejected": ("CANCEL", "CANCELLED"),
    "booking.moved": ("REQUEST", "CONFIRMED"),
    "booking.cancelled": ("CANCEL", "CANCELLED"),
    "booking.cancelled_by_lab": ("CANCEL", "CANCELLED"),
    "booking.reminder_24h": ("REQUEST", "CONFIRMED"),
    "booking.reminder_1h": ("REQUEST", "CONFIRMED"),
    "trainings.enrolled": ("REQUEST", "CONFIRMED"),
    "trainings.promoted": ("REQUEST", "CONFIRMED"),
    "trainings.session_changed": ("REQUEST", "CONFIRMED"),
    "trainings.session_assigned": ("REQUEST", "CONFIRMED"),
    "trainings.reminder_24h": ("REQUEST", "CONFIRMED"),
    "trainings.reminder_1h": ("REQUEST", "CONFIRMED"),
    "trainings.enrolment_cancelled": ("CANCEL", "CANCELLED"),
    "trainings.session_cancelled": ("CANCEL", "CANCELLED"),
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
    # A booking the lab cancels alone (a closure of its machine) gets its own CANCEL.
    closed = EquipmentFactory()
    hit = services.booking_create(
        user=member, equipment=closed, start=local(2026, 11, 26, 14), end=local(2026, 11, 26, 15)
    )
    run_outbox()
    services.closure_create(
        by=staff,
        equipment=closed,
        start=local(2026, 11, 26, 0),
        end=local(2026, 11, 27, 0),
        reason="Panne",
    )
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
    sequences: dict[tuple, list[int]] = {}  # (recipient, UID, kind) → SEQUENCE of each email
    for email in mail.outbox:
        if not calendar_parts(email):
            continue
        message_id = re.search(r"caiac\.message\.(\d+)@", email.extra_headers["Message-ID"])
        message = Message.objects.get(pk=int(message_id.group(1)))
        event = read_invitation(email)
        seen.setdefault(message.kind, set()).add((event["method"], event["status"]))
        about = message.about
        uid = booking_uid(about) if isinstance(about, Booking) else session_uid(about)
        assert event["uid"] == uid, (message.kind, event["uid"], uid)
        key = (message.recipient.username, uid, message.kind)
        sequences.setdefault(key, []).append(event["sequence"])
    assert seen == {kind: {expected} for kind, expected in EXPECTED.items()}

    def revisions(person, uid, *kinds) -> list[int]:
        """The SEQUENCE of the one email of each kind, in the order the changes happened."""
        found = [sequences[(person.username, uid, kind)] for kind in kinds]
        assert all(len(one) == 1 for one in found), found
        return [one[0] for one in found]

    def rises(values: list[int]) -> bool:
        return all(a < b for a, b in itertools.pairwise(values))

    bookings = (
        (booking, ("booking.confirmed", "booking.moved", "booking.cancelled")),
        (approved, ("booking.pending", "booking.approved")),
        (rejected, ("booking.pending", "booking.rejected")),
        (hit, ("booking.confirmed", "booking.cancelled_by_lab")),
    )
    for one, kinds in bookings:
        assert rises(revisions(member, booking_uid(one), *kinds)), kinds
    uid = session_uid(session)
    assert rises(revisions(first, uid, "trainings.enrolled", "trainings.enrolment_cancelled"))
    changes = ("trainings.session_changed", "trainings.session_cancelled")
    assert rises(revisions(waiting, uid, "trainings.promoted", *changes))
    assert rises(revisions(trainer, uid, "trainings.session_assigned", *changes))


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
