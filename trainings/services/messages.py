"""What the trainings app tells people, through the outbox (dedup keys: docs/contracts.md).

Keys name the session, then the person, then the event, so that everything pending for one
person in one session is one prefix (``session:7:user:12:``; a trainer: ``session:7:trainer:3:``).
Events that can happen more than once carry the revision they announce (``:r4``): a session
moved after its day-before reminder went out gets a reminder for its new time.

Every message about a seat or a session someone gives carries the iCalendar event of the session
*for that person* (``trainings.ics``): a REQUEST while they have a seat or give it, a CANCEL
once they no longer do. A person on the waiting list gets no invitation until promoted.
"""

import datetime
from typing import Any

from django.utils import timezone

from caiac.accounts.models import User
from caiac.notifications.selectors import invitation_sent
from caiac.notifications.services import message_schedule, messages_drop
from caiac.notifications.timing import hours_before
from trainings import ics
from trainings.models import Certification, Enrolment, EnrolmentStatus, Session, SessionStatus

REMINDERS = (
    ("trainings.reminder_24h", "reminder-24h", 24),
    ("trainings.reminder_1h", "reminder-1h", 1),
)
PARTICIPANT, TRAINER = "participant", "trainer"


def person_prefix(session: Session, user_id: int) -> str:
    return f"session:{session.pk}:user:{user_id}:"


def trainer_prefix(session: Session, user_id: int) -> str:
    return f"session:{session.pk}:trainer:{user_id}:"


def session_context(
    session: Session, recipient: User, *, enrolment: Enrolment | None = None, role: str = ""
) -> dict[str, Any]:
    """What a message about ``session`` says to ``recipient``: as a participant (their
    ``enrolment``) or as its trainer (``role="trainer"``)."""
    language = recipient.language
    title = session.course.translated("title", language)
    context = {
        "session_id": session.pk,
        "course": title,
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "place": session.place,
        "machine": ics.machine_name(session),
        "trainer": session.trainer.display_name,
        "recipient": recipient.display_name,
        "role": role or PARTICIPANT,
        "session_sequence": session.sequence,
    }
    if role == TRAINER:
        context["ics"] = ics.trainer_event(session, language=language)
        context["enrolled_count"] = session.enrolments.filter(
            status=EnrolmentStatus.ENROLLED
        ).count()
    elif enrolment is not None:
        context["enrolment_status"] = enrolment.status
        if enrolment.status != EnrolmentStatus.WAITLISTED:
            context["ics"] = ics.participant_event(session, enrolment, language=language)
    return context


def _event_sequence(session: Session, enrolment: Enrolment | None) -> int:
    return session.sequence + (enrolment.sequence if enrolment is not None else 0)


# --- reminders ------------------------------------------------------------------------------


def _schedule_reminders(session: Session, recipient: User, prefix: str, context: dict, seq: int):
    messages_drop(dedup_prefix=f"{prefix}reminder")  # those of an earlier revision
    now = timezone.now()
    for kind, suffix, hours in REMINDERS:
        due = hours_before(session.start, hours=hours)
        if due <= now:
            continue  # too close: the confirmation is the reminder
        message_schedule(
            recipient=recipient,
            kind=kind,
            dedup_key=f"{prefix}{suffix}:r{seq}",
            due_at=due,
            send_before=session.start,
            context=context,
            about=session,
        )


def schedule_reminder(session: Session, enrolment: Enrolment) -> None:
    """The day-before and hour-before reminders of a seat (rescheduling moves them)."""
    user = enrolment.user
    _schedule_reminders(
        session,
        user,
        person_prefix(session, user.pk),
        session_context(session, user, enrolment=enrolment),
        _event_sequence(session, enrolment),
    )


def schedule_trainer_reminders(session: Session) -> None:
    trainer = session.trainer
    _schedule_reminders(
        session,
        trainer,
        trainer_prefix(session, trainer.pk),
        session_context(session, trainer, role=TRAINER),
        session.sequence,
    )


def drop_reminder(session: Session, user_id: int) -> None:
    messages_drop(dedup_prefix=f"{person_prefix(session, user_id)}reminder")


def drop_all_pending(session: Session) -> None:
    """Everything not yet sent about a session (it is cancelled: none of it applies)."""
    messages_drop(dedup_prefix=f"session:{session.pk}:")


# --- participants ----------------------------------------------------------------------------


def _tell(session, recipient, *, kind, key, context) -> None:
    message_schedule(
        recipient=recipient,
        kind=kind,
        dedup_key=key,
        context=context,
        about=session,
        send_before=session.end,
    )


def tell_enrolled(session: Session, enrolment: Enrolment, *, position: int | None) -> None:
    """A seat (with the invitation) or a place on the waiting list (without)."""
    user = enrolment.user
    context = session_context(session, user, enrolment=enrolment)
    context["position"] = position
    key = f"{person_prefix(session, user.pk)}enrolled:r{enrolment.sequence}"
    _tell(session, user, kind="trainings.enrolled", key=key, context=context)


def tell_promoted(session: Session, enrolment: Enrolment) -> None:
    user = enrolment.user
    messages_drop(dedup_prefix=f"{person_prefix(session, user.pk)}enrolled")  # superseded
    key = f"{person_prefix(session, user.pk)}promoted:r{enrolment.sequence}"
    context = session_context(session, user, enrolment=enrolment)
    _tell(session, user, kind="trainings.promoted", key=key, context=context)


def tell_enrolment_cancelled(session: Session, enrolment: Enrolment) -> None:
    """Drop what was still to come; if an invitation already went out, send its CANCEL."""
    user = enrolment.user
    prefix = person_prefix(session, user.pk)
    messages_drop(dedup_prefix=prefix)
    if not invitation_sent(dedup_prefix=prefix):
        return  # nothing in their calendar to take out: nothing to say
    key = f"{prefix}enrolment-cancelled:r{enrolment.sequence}"
    context = session_context(session, user, enrolment=enrolment)
    _tell(session, user, kind="trainings.enrolment_cancelled", key=key, context=context)


def tell_changed(session: Session, enrolments: list[Enrolment]) -> None:
    """The session moved (time, place, machine): an updated invitation to every seat, the news
    to every waiting person, and their reminders moved."""
    for enrolment in enrolments:
        user = enrolment.user
        prefix = person_prefix(session, user.pk)
        messages_drop(dedup_prefix=f"{prefix}changed")
        context = session_context(session, user, enrolment=enrolment)
        key = f"{prefix}changed:r{session.sequence}"
        _tell(session, user, kind="trainings.session_changed", key=key, context=context)
        if enrolment.status == EnrolmentStatus.ENROLLED:
            schedule_reminder(session, enrolment)


def tell_cancelled(session: Session, enrolment: Enrolment, *, was_waiting: bool) -> None:
    user = enrolment.user
    context = session_context(session, user, enrolment=enrolment)
    context["was_waiting"] = was_waiting
    if was_waiting:
        context.pop("ics", None)
    key = f"{person_prefix(session, user.pk)}cancelled"
    _tell(session, user, kind="trainings.session_cancelled", key=key, context=context)


# --- the trainer ------------------------------------------------------------------------------


def tell_trainer_assigned(session: Session) -> None:
    trainer = session.trainer
    prefix = trainer_prefix(session, trainer.pk)
    messages_drop(dedup_prefix=f"{prefix}assigned")
    key = f"{prefix}assigned:r{session.sequence}"
    context = session_context(session, trainer, role=TRAINER)
    _tell(session, trainer, kind="trainings.session_assigned", key=key, context=context)
    schedule_trainer_reminders(session)


def tell_trainer_changed(session: Session) -> None:
    trainer = session.trainer
    prefix = trainer_prefix(session, trainer.pk)
    messages_drop(dedup_prefix=f"{prefix}changed")
    key = f"{prefix}changed:r{session.sequence}"
    context = session_context(session, trainer, role=TRAINER)
    _tell(session, trainer, kind="trainings.session_changed", key=key, context=context)
    schedule_trainer_reminders(session)


def tell_trainer_released(session: Session, former: User, *, cancelled: bool) -> None:
    """The session was cancelled or handed to someone else: the CANCEL of their invitation."""
    prefix = trainer_prefix(session, former.pk)
    messages_drop(dedup_prefix=prefix)
    if not invitation_sent(dedup_prefix=prefix):
        return
    context = session_context(session, former, role=TRAINER)
    context["ics"] = ics.trainer_event(session, language=former.language, cancelled=True)
    context["handed_over"] = not cancelled
    key = f"{prefix}released:r{session.sequence}"
    _tell(session, former, kind="trainings.session_cancelled", key=key, context=context)


# --- certifications -------------------------------------------------------------------------


def tell_certification_expiring(
    certification: Certification, *, next_sessions: list[Session]
) -> None:
    user = certification.user
    language = user.language
    message_schedule(
        recipient=user,
        kind="trainings.certification_expiring",
        dedup_key=f"certification:{certification.pk}:expiring",
        context={
            "certification_id": certification.pk,
            "course": certification.course.translated("title", language),
            "expires_at": certification.expires_at.isoformat(),
            "recipient": user.display_name,
            "next_sessions": [
                {"start": s.start.isoformat(), "end": s.end.isoformat(), "place": s.place}
                for s in next_sessions
            ],
        },
        about=certification,
        send_before=certification.expires_at,
    )


# --- at send time (caiac.notifications.relevance) ---------------------------------------------


def _session_of(message) -> Session | None:
    return Session.objects.filter(pk=message.object_id).first()


def _same_time(message, session: Session) -> bool:
    start = (message.context or {}).get("start")
    return bool(start) and datetime.datetime.fromisoformat(start) == session.start


def _enrolment_status(message, session: Session) -> str | None:
    return (
        Enrolment.objects.filter(session=session, user_id=message.recipient_id)
        .values_list("status", flat=True)
        .first()
    )


def session_message_applies(message) -> bool:
    """Reminders, invitations and promotions: only while the session stands at that time and
    the person still has that seat (or still gives it)."""
    session = _session_of(message)
    if session is None or session.status != SessionStatus.SCHEDULED:
        return False
    if not _same_time(message, session):
        return False
    context = message.context or {}
    if context.get("role") == TRAINER:
        return session.trainer_id == message.recipient_id
    status = _enrolment_status(message, session)
    if message.kind == "trainings.enrolled":
        return status == context.get("enrolment_status")
    return status == EnrolmentStatus.ENROLLED or (
        message.kind == "trainings.session_changed" and status == EnrolmentStatus.WAITLISTED
    )


def enrolment_cancellation_applies(message) -> bool:
    """The CANCEL of someone's seat, unless they took a seat again meanwhile."""
    session = _session_of(message)
    return session is not None and _enrolment_status(message, session) == EnrolmentStatus.CANCELLED


def certification_expiry_applies(message) -> bool:
    """Not for a certification revoked or renewed since (a later one of the same course)."""
    certification = Certification.objects.filter(pk=message.object_id).first()
    if certification is None or certification.revoked_at is not None:
        return False
    renewed = (
        Certification.objects.filter(
            user_id=certification.user_id,
            course_id=certification.course_id,
            revoked_at__isnull=True,
        )
        .exclude(pk=certification.pk)
        .filter(issued_at__gt=certification.issued_at)
    )
    return not renewed.exists()


SEND_TIME_CHECKS = {
    "trainings.reminder_24h": session_message_applies,
    "trainings.reminder_1h": session_message_applies,
    "trainings.enrolled": session_message_applies,
    "trainings.promoted": session_message_applies,
    "trainings.session_changed": session_message_applies,
    "trainings.session_assigned": session_message_applies,
    "trainings.enrolment_cancelled": enrolment_cancellation_applies,
    "trainings.certification_expiring": certification_expiry_applies,
}
