"""What the trainings app tells people, through the outbox (dedup keys: docs/contracts.md)."""

import datetime
from typing import Any

from caiac.accounts.models import User
from caiac.notifications.services import message_schedule, messages_drop
from trainings.models import Session

REMINDER_LEAD = datetime.timedelta(hours=24)


def reminder_key(session: Session, user_id: int) -> str:
    return f"session:{session.pk}:reminder-24h:user:{user_id}"


def session_context(session: Session, recipient: User) -> dict[str, Any]:
    title = session.course.translated("title", recipient.language)
    return {
        "session_id": session.pk,
        "course": title,
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "place": session.place,
        "trainer": session.trainer.display_name,
        "recipient": recipient.display_name,
        "ics": {
            "uid": f"training-session-{session.pk}@caiac-lab",
            "summary": title,
            "start": session.start.isoformat(),
            "end": session.end.isoformat(),
            "location": session.place,
        },
    }


def schedule_reminder(session: Session, user: User) -> None:
    """The day-before reminder; scheduling again with the same key moves it."""
    message_schedule(
        recipient=user,
        kind="trainings.reminder_24h",
        dedup_key=reminder_key(session, user.pk),
        due_at=session.start - REMINDER_LEAD,
        send_before=session.start,
        context=session_context(session, user),
        about=session,
    )


def drop_reminder(session: Session, user_id: int) -> None:
    messages_drop(dedup_prefix=reminder_key(session, user_id))


def drop_all_reminders(session: Session) -> None:
    messages_drop(dedup_prefix=f"session:{session.pk}:reminder-24h:")


def tell_promoted(session: Session, user: User) -> None:
    message_schedule(
        recipient=user,
        kind="trainings.promoted",
        dedup_key=f"session:{session.pk}:promoted:user:{user.pk}",
        context=session_context(session, user),
        about=session,
        send_before=session.start,
    )


def tell_cancelled(session: Session, user: User, *, was_waiting: bool) -> None:
    context = session_context(session, user)
    context["was_waiting"] = was_waiting
    context.pop("ics")
    message_schedule(
        recipient=user,
        kind="trainings.session_cancelled",
        dedup_key=f"session:{session.pk}:cancelled:user:{user.pk}",
        context=context,
        about=session,
    )
