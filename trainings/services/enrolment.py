from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access
from caiac.accounts.models import User
from caiac.errors import Conflict, Invalid, NotAllowed, NotFound
from trainings.models import (
    Certification,
    CertificationEventKind,
    Enrolment,
    EnrolmentStatus,
    Session,
    SessionStatus,
)
from trainings.selectors import require_manages_session, user_has_passed, waitlist_position
from trainings.services import messages
from trainings.services.certifications import expiry_for, record_event
from trainings.services.sessions import lock_session, promote_waiting, require_open

LIVE = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)


@transaction.atomic
def session_enrol(*, by: User, session: Session, user: User | None = None) -> Enrolment:
    """A seat while any is left, else a place on the waiting list (``.position``, 1-based)."""
    user = user or by
    if user.pk != by.pk:
        access.require_staff(by)  # staff enrol someone else
    session = lock_session(session)
    require_open(session)
    now = timezone.now()
    if now >= session.closes_at:
        raise Invalid(_("Enrolment for this session is closed."), code="enrolment_closed")
    enrolment = Enrolment.objects.filter(session=session, user=user).first()
    if enrolment is not None and enrolment.status in LIVE:
        raise Conflict(_("Already enrolled in this session."), code="already_enrolled")
    prerequisite = session.course.prerequisite
    if prerequisite is not None and not user_has_passed(user=user, course=prerequisite):
        raise NotAllowed(
            _("This session requires the course “%(course)s” first.")
            % {"course": prerequisite.local_title},
            code="prerequisite_missing",
        )
    taken = session.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    status = EnrolmentStatus.ENROLLED if taken < session.capacity else EnrolmentStatus.WAITLISTED
    if enrolment is None:
        enrolment = Enrolment(session=session, user=user)
    enrolment.status = status
    enrolment.queued_at = now
    enrolment.present = None
    enrolment.save()
    if status == EnrolmentStatus.ENROLLED:
        messages.schedule_reminder(session, user)
    enrolment.position = waitlist_position(enrolment)
    return enrolment


@transaction.atomic
def session_enrolment_cancel(*, by: User, session: Session, user: User | None = None) -> Enrolment:
    """Give up a seat (or a place in the queue); a freed seat goes to the first person waiting."""
    user = user or by
    if user.pk != by.pk:
        access.require_staff(by)  # staff cancel someone else's enrolment
    session = lock_session(session)
    require_open(session)
    if timezone.now() >= session.start:
        raise Invalid(_("The session has already started."), code="session_started")
    enrolment = Enrolment.objects.filter(session=session, user=user, status__in=LIVE).first()
    if enrolment is None:
        raise NotFound(_("Not enrolled in this session."), code="not_enrolled")
    was_enrolled = enrolment.status == EnrolmentStatus.ENROLLED
    enrolment.status = EnrolmentStatus.CANCELLED
    enrolment.save(update_fields=["status", "updated_at"])
    messages.drop_reminder(session, user.pk)
    if was_enrolled:
        promote_waiting(session)
    enrolment.position = None
    return enrolment


def _parse_marks(marks: Iterable[dict[str, Any]]) -> dict[int, bool]:
    result: dict[int, bool] = {}
    for mark in marks:
        user = mark["user"]
        user_id = user.pk if isinstance(user, User) else int(user)
        if user_id in result:
            raise Invalid(_("Each person may be marked once."), fields={"user": [str(user_id)]})
        result[user_id] = bool(mark["present"])
    return result


@transaction.atomic
def attendance_record(
    *, by: User, session: Session, marks: Iterable[dict[str, Any]]
) -> list[Enrolment]:
    """Mark who came. Present issues the course's certification (once); marking the same person
    absent later revokes the one this session issued. The session is then done."""
    session = lock_session(session)
    require_manages_session(user=by, session=session)
    if session.status == SessionStatus.CANCELLED:
        raise Invalid(_("This session is cancelled."), code="session_not_open")
    now = timezone.now()
    if now < session.start:
        raise Invalid(
            _("Attendance can be taken once the session has started."), code="session_not_started"
        )
    wanted = _parse_marks(marks)
    enrolments = {
        e.user_id: e
        for e in session.enrolments.filter(
            user_id__in=wanted, status=EnrolmentStatus.ENROLLED
        ).select_related("user")
    }
    strangers = sorted(set(wanted) - set(enrolments))
    if strangers:
        raise Invalid(
            _("Only people enrolled in the session can be marked."),
            code="not_enrolled",
            fields={"user": [str(pk) for pk in strangers]},
        )
    issued_at = min(session.end, now)
    certifications = {
        c.user_id: c for c in Certification.objects.filter(session=session, user_id__in=wanted)
    }
    for user_id, present in wanted.items():
        enrolment = enrolments[user_id]
        enrolment.present = present
        enrolment.save(update_fields=["present", "updated_at"])
        certification = certifications.get(user_id)
        if present:
            _certify(by=by, session=session, enrolment=enrolment, existing=certification,
                     issued_at=issued_at)  # fmt: skip
        elif certification is not None and certification.revoked_at is None:
            certification.revoked_at = now
            certification.save(update_fields=["revoked_at"])
            record_event(
                certification=certification,
                kind=CertificationEventKind.REVOKED,
                by=by,
                reason=str(_("Marked absent at session #%(id)d.") % {"id": session.pk}),
            )
    if session.status != SessionStatus.DONE:
        session.status = SessionStatus.DONE
        session.save(update_fields=["status"])
    return list(enrolments.values())


def _certify(*, by, session, enrolment, existing, issued_at) -> Certification:
    reason = str(_("Attended session #%(id)d.") % {"id": session.pk})
    if existing is None:
        certification = Certification.objects.create(
            user=enrolment.user,
            course=session.course,
            session=session,
            issued_at=issued_at,
            expires_at=expiry_for(course=session.course, issued_at=issued_at),
        )
    elif existing.revoked_at is not None:
        # Marked absent by mistake, then present again: the same certification comes back.
        certification = existing
        certification.revoked_at = None
        certification.save(update_fields=["revoked_at"])
    else:
        return existing  # already certified by this session: re-marking changes nothing
    record_event(
        certification=certification, kind=CertificationEventKind.GRANTED, by=by, reason=reason
    )
    return certification
