"""Reminders for everything that has a time, and no message that no longer applies."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.core import mail

from caiac.notifications.delivery import Outcome, message_deliver, send_due
from caiac.notifications.models import Message, MessageStatus
from tests.factories import UserFactory
from tests.icalendar_readers import read_invitation
from tests.trainings.factories import CourseFactory, SessionFactory
from trainings.models import Certification, Session
from trainings.services import (
    certification_grant,
    certification_revoke,
    certifications_expiring_notify,
    session_cancel,
    session_create,
    session_enrol,
    session_enrolment_cancel,
    session_update,
)

pytestmark = pytest.mark.django_db

CASA = zoneinfo.ZoneInfo("Africa/Casablanca")


def local(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=CASA)


@pytest.fixture
def frozen():
    with time_machine.travel(local(2026, 11, 23, 7, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def planned(frozen, staff, trainer):
    """A session on Wednesday 25 November 2026, 09:00-12:00, with two seats."""
    return session_create(
        by=staff,
        course=CourseFactory(title="Conduite du lyophilisateur"),
        trainer=trainer,
        place="Atelier agroalimentaire",
        start=local(2026, 11, 25, 9),
        end=local(2026, 11, 25, 12),
        capacity=2,
    )


def sent_to(person) -> list:
    return [email for email in mail.outbox if email.to == [person.email]]


def run_outbox_at(moment) -> None:
    """What beat and the worker do at ``moment``: scan the outbox, send what is due."""
    with time_machine.travel(moment, tick=False):
        send_due()


def test_a_session_reminds_participants_and_the_trainer_a_day_and_an_hour_before(
    planned, trainer, member
):
    session_enrol(by=member, session=planned)
    reminders = Message.objects.filter(kind__startswith="trainings.reminder")
    due = {(m.recipient, m.kind): m.due_at for m in reminders}
    assert due == {
        (member, "trainings.reminder_24h"): local(2026, 11, 24, 9),
        (member, "trainings.reminder_1h"): local(2026, 11, 25, 8),
        (trainer, "trainings.reminder_24h"): local(2026, 11, 24, 9),
        (trainer, "trainings.reminder_1h"): local(2026, 11, 25, 8),
    }
    run_outbox_at(local(2026, 11, 23, 7, 1))  # the enrolment and the trainer's invitation
    mail.outbox.clear()
    run_outbox_at(local(2026, 11, 24, 9, 0, 30))
    assert {email.subject for email in mail.outbox} == {
        "Rappel : formation « Conduite du lyophilisateur » demain"
    }
    assert {tuple(email.to) for email in mail.outbox} == {(member.email,), (trainer.email,)}
    run_outbox_at(local(2026, 11, 25, 8, 0, 30))
    hour_before = [e for e in mail.outbox if e.subject.startswith("Dans une heure")]
    assert {tuple(email.to) for email in hour_before} == {(member.email,), (trainer.email,)}
    for email in mail.outbox:
        event = read_invitation(email)
        assert (event["method"], event["status"]) == ("REQUEST", "CONFIRMED")
        assert event["uid"] == f"training-session-{planned.pk}@caiac-lab"


def test_the_trainers_reminder_says_how_many_come(planned, trainer, member):
    session_enrol(by=member, session=planned)
    reminder = Message.objects.get(recipient=trainer, kind="trainings.reminder_24h")
    assert reminder.context["role"] == "trainer"
    assert reminder.context["enrolled_count"] == 1


def test_a_promotion_then_a_cancellation_sends_nothing(planned, member, other_member):
    first = UserFactory()
    session_enrol(by=first, session=planned)
    session_enrol(by=member, session=planned)
    session_enrol(by=other_member, session=planned)  # waits
    mail.outbox.clear()
    Message.objects.update(status=MessageStatus.SENT, sent_at=local(2026, 11, 23, 7))
    session_enrolment_cancel(by=first, session=planned)  # other_member promoted...
    session_enrolment_cancel(by=other_member, session=planned)  # ...and gone 0.2 s later
    run_outbox_at(local(2026, 11, 23, 7, 1))
    assert sent_to(other_member) == []
    promoted = Message.objects.get(kind="trainings.promoted", recipient=other_member)
    assert promoted.status == MessageStatus.CANCELLED


def test_a_promotion_found_stale_at_send_time_is_dropped_not_sent(planned, member, other_member):
    """Even when nothing dropped it in time (the claim is the last line)."""
    session_enrol(by=member, session=planned)
    session_enrol(by=UserFactory(), session=planned)
    session_enrol(by=other_member, session=planned)
    session_enrolment_cancel(by=member, session=planned)
    promoted = Message.objects.get(kind="trainings.promoted", recipient=other_member)
    planned.enrolments.filter(user=other_member).update(status="cancelled")
    assert message_deliver(message_id=promoted.pk) == Outcome.DROPPED
    promoted.refresh_from_db()
    assert promoted.status == MessageStatus.CANCELLED
    assert "no longer applies" in promoted.last_error


def test_the_reminder_of_a_cancelled_session_is_never_sent(planned, staff, member, trainer):
    session_enrol(by=member, session=planned)
    reminder = Message.objects.get(recipient=member, kind="trainings.reminder_24h")
    Session.objects.filter(pk=planned.pk).update(status="cancelled")  # behind the services' back
    assert message_deliver(message_id=reminder.pk) == Outcome.SKIPPED  # not due yet
    with time_machine.travel(local(2026, 11, 24, 9, 0, 30), tick=False):
        assert message_deliver(message_id=reminder.pk) == Outcome.DROPPED


def test_cancelling_a_session_sends_cancels_to_seats_and_trainer_and_no_reminder(
    planned, staff, member, trainer
):
    session_enrol(by=member, session=planned)
    run_outbox_at(local(2026, 11, 23, 7, 1))  # enrolment and assignment invitations go out
    mail.outbox.clear()
    session_cancel(by=staff, session=planned)
    run_outbox_at(local(2026, 11, 23, 7, 2))
    run_outbox_at(local(2026, 11, 25, 8, 30))
    assert len(mail.outbox) == 2
    for email in mail.outbox:
        event = read_invitation(email)
        assert (event["method"], event["status"]) == ("CANCEL", "CANCELLED")
        assert event["sequence"] >= 1


def test_moving_a_session_sends_an_update_with_a_higher_sequence(planned, staff, member):
    session_enrol(by=member, session=planned)
    run_outbox_at(local(2026, 11, 23, 7, 1))
    (enrolled,) = sent_to(member)
    session_update(
        by=staff, session=planned, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 12)
    )
    run_outbox_at(local(2026, 11, 23, 7, 2))
    (_, changed) = sent_to(member)
    before, after = read_invitation(enrolled), read_invitation(changed)
    assert before["uid"] == after["uid"]
    assert (after["method"], after["status"]) == ("REQUEST", "CONFIRMED")
    assert after["sequence"] > before["sequence"]
    assert after["start"] == local(2026, 11, 26, 9)


def test_giving_up_a_seat_after_the_invitation_sends_its_cancel(planned, member):
    session_enrol(by=member, session=planned)
    run_outbox_at(local(2026, 11, 23, 7, 1))
    session_enrolment_cancel(by=member, session=planned)
    run_outbox_at(local(2026, 11, 23, 7, 2))
    invitation, cancellation = (read_invitation(e) for e in sent_to(member))
    assert (cancellation["method"], cancellation["status"]) == ("CANCEL", "CANCELLED")
    assert cancellation["sequence"] == invitation["sequence"] + 1
    assert (
        Message.objects.filter(
            recipient=member, kind__startswith="trainings.reminder", status="pending"
        ).count()
        == 0
    )


# --- certifications about to expire --------------------------------------------------------


@pytest.fixture
def expiring(frozen, staff, member):
    course = CourseFactory(title="Conduite de l\u2019autoclave", validity_months=12)
    return certification_grant(
        by=staff,
        user=member,
        course=course,
        reason="Formé chez le fournisseur",
        issued_at=local(2025, 12, 13, 10),
    )  # expires 13 December 2026: in 20 days


def test_a_certification_expiring_in_20_days_tells_its_holder_once_with_the_next_sessions(
    expiring, trainer, member
):
    later = SessionFactory(course=expiring.course, trainer=trainer, start=local(2026, 12, 2, 9))
    SessionFactory(course=expiring.course, trainer=trainer, start=local(2026, 11, 1, 9))  # past
    assert expiring.expires_at == local(2026, 12, 13, 10)
    assert certifications_expiring_notify() == 1
    assert certifications_expiring_notify() == 0  # the next day's run tells nobody again
    run_outbox_at(local(2026, 11, 23, 7, 1))
    (email,) = sent_to(member)
    assert (
        email.subject
        == "Votre certification « Conduite de l\u2019autoclave » expire le 13 décembre 2026"
    )
    assert "2 décembre 2026, 09:00" in email.body
    message = Message.objects.get(kind="trainings.certification_expiring")
    assert [s["start"] for s in message.context["next_sessions"]] == [later.start.isoformat()]


def test_a_certification_expiring_later_than_30_days_or_renewed_tells_nobody(
    frozen, staff, member, expiring
):
    certification_grant(
        by=staff,
        user=member,
        course=expiring.course,
        reason="Recyclage",
        issued_at=local(2026, 11, 20),
    )
    far = certification_grant(
        by=staff,
        user=UserFactory(),
        course=CourseFactory(validity_months=12),
        reason="Formé ailleurs",
        issued_at=local(2026, 1, 10),
    )
    assert far.expires_at == local(2027, 1, 10)
    assert certifications_expiring_notify() == 0


def test_a_warning_about_a_certification_revoked_meanwhile_is_dropped(staff, expiring):
    certifications_expiring_notify()
    certification_revoke(by=staff, certification=expiring, reason="Usage dangereux")
    message = Message.objects.get(kind="trainings.certification_expiring")
    assert message_deliver(message_id=message.pk) == Outcome.DROPPED
    assert Certification.objects.get(pk=expiring.pk).revoked_at is not None


def test_expiring_certifications_are_looked_for_every_morning_on_the_beat_schedule():
    from caiac.celery import app
    from trainings.tasks import notify_expiring_certifications

    entry = app.conf.beat_schedule["trainings-notify-expiring-certifications"]
    assert entry["task"] == notify_expiring_certifications.name
    schedule = entry["schedule"]
    assert (schedule.hour, schedule.minute, schedule.day_of_month) == ({8}, {0}, set(range(1, 32)))
    assert str(app.conf.timezone) == "Africa/Casablanca"  # 08:00 on the lab's clock
