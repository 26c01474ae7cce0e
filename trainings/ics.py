"""Training sessions as calendar events (``caiac.ical.EventData``), for emails and feeds.

One UID per session for life. Each person sees the session as it is *for them*: a seat is
CONFIRMED, a place on the waiting list TENTATIVE, a cancelled enrolment or a cancelled session
CANCELLED. Their SEQUENCE is ``session.sequence + enrolment.sequence``: both only grow, so the
sum grows whenever the session or the person's place in it changes. The trainer's is the
session's own.
"""

from django.utils import translation
from django.utils.translation import gettext as _

from caiac import ical
from trainings.models import Enrolment, EnrolmentStatus, Session, SessionStatus


def session_uid(session: Session | int) -> str:
    pk = session.pk if isinstance(session, Session) else session
    return f"training-session-{pk}@caiac-lab"


def machine_name(session: Session) -> str:
    """The machine the session holds, through booking's reverse relation (never an import)."""
    hold = getattr(session, "machine_hold", None)
    return str(hold.equipment) if hold is not None else ""


def location(session: Session) -> str:
    machine = machine_name(session)
    return f"{session.place} — {machine}" if machine else session.place


def _base(session: Session, *, summary: str, status: str, sequence: int, updated) -> dict:
    return {
        "uid": session_uid(session),
        "sequence": sequence,
        "status": status,
        "summary": summary,
        "start": session.start.isoformat(),
        "end": session.end.isoformat(),
        "location": location(session),
        "categories": [_("Training")],
        "updated": updated.isoformat(),
    }


def enrolment_status(session: Session, enrolment: Enrolment | None) -> str:
    if session.status == SessionStatus.CANCELLED:
        return ical.CANCELLED
    if enrolment is None or enrolment.status == EnrolmentStatus.CANCELLED:
        return ical.CANCELLED
    return ical.TENTATIVE if enrolment.status == EnrolmentStatus.WAITLISTED else ical.CONFIRMED


def _in_language(build):
    """Words in the event (its summary) in the reader's language, not the request's."""

    def wrapper(*args, language: str | None = None, **kwargs):
        with translation.override(language or translation.get_language()):
            return build(*args, language=language, **kwargs)

    wrapper.__doc__, wrapper.__name__ = build.__doc__, build.__name__
    return wrapper


@_in_language
def participant_event(
    session: Session, enrolment: Enrolment, *, language: str | None = None
) -> ical.EventData:
    """The session for one enrolled (or waiting, or no longer enrolled) person."""
    title = session.course.translated("title", language)
    if enrolment.status == EnrolmentStatus.WAITLISTED:
        summary = _("Training: %(course)s (waiting list)") % {"course": title}
    else:
        summary = _("Training: %(course)s") % {"course": title}
    return _base(
        session,
        summary=summary,
        status=enrolment_status(session, enrolment),
        sequence=session.sequence + enrolment.sequence,
        updated=max(session.updated_at, enrolment.updated_at),
    )


@_in_language
def trainer_event(
    session: Session, *, language: str | None = None, cancelled: bool = False
) -> ical.EventData:
    """The session for its trainer (``cancelled``: for a trainer it was taken from)."""
    title = session.course.translated("title", language)
    gone = cancelled or session.status == SessionStatus.CANCELLED
    return _base(
        session,
        summary=_("Training you give: %(course)s") % {"course": title},
        status=ical.CANCELLED if gone else ical.CONFIRMED,
        sequence=session.sequence,
        updated=session.updated_at,
    )


@_in_language
def group_event(
    session: Session, enrolments: list[Enrolment], *, language: str | None = None
) -> ical.EventData:
    """The session in an organisation's or a machine's calendar: who of them goes (if anyone)."""
    title = session.course.translated("title", language)
    going = [e for e in enrolments if e.status != EnrolmentStatus.CANCELLED]
    names = ", ".join(e.user.display_name for e in going)
    summary = _("Training: %(course)s") % {"course": title}
    if names:
        summary = f"{summary} ({names})"
    if session.status == SessionStatus.CANCELLED or (enrolments and not going):
        status = ical.CANCELLED
    elif going and all(e.status == EnrolmentStatus.WAITLISTED for e in going):
        status = ical.TENTATIVE
    else:
        status = ical.CONFIRMED
    updated = max([session.updated_at, *(e.updated_at for e in enrolments)])
    return _base(
        session,
        summary=summary,
        status=status,
        sequence=session.sequence + sum(e.sequence for e in enrolments),
        updated=updated,
    )
