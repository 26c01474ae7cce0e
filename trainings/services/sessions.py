import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access, clock
from caiac.accounts.models import User
from caiac.errors import Conflict, Invalid
from caiac.projects import services as projects
from trainings import machines
from trainings.models import Course, Enrolment, EnrolmentStatus, Session, SessionStatus
from trainings.selectors import require_manages_session
from trainings.services import messages

EXCLUSION_CONSTRAINT = "session_trainer_no_overlap"
EDITABLE_FIELDS = (
    "place",
    "start",
    "end",
    "capacity",
    "language",
    "enrolment_deadline",
    "trainer",
    "equipment",
    "project",
)
# A change of any of these is a new revision of everyone's calendar event (SEQUENCE).
REVISED_BY = ("place", "start", "end", "trainer")


def trainer_unavailable() -> Conflict:
    return Conflict(
        _("The trainer already runs another session at that time."), code="trainer_unavailable"
    )


def lock_session(session: Session | int) -> Session:
    """The session row, locked for the rest of the transaction.

    On PostgreSQL every enrolment, cancellation and attendance of one session queues behind this
    lock, so seat counts are read and written by one transaction at a time. SQLite's IMMEDIATE
    transactions already serialise all writers.
    """
    pk = session.pk if isinstance(session, Session) else session
    return Session.objects.select_for_update().select_related("course", "trainer").get(pk=pk)


def require_open(session: Session) -> None:
    if session.status != SessionStatus.SCHEDULED:
        raise Invalid(_("This session is cancelled or already over."), code="session_not_open")


def _validate_times(
    *, start: datetime.datetime, end: datetime.datetime, deadline: datetime.datetime | None
) -> None:
    if end <= start:
        raise Invalid(
            _("The session must end after it starts."), fields={"end": [_("Must be after start.")]}
        )
    if deadline is not None and deadline > start:
        raise Invalid(
            _("Enrolment must close before the session starts."),
            fields={"enrolment_deadline": [_("Must not be after start.")]},
        )


def _validate_trainer(trainer: User) -> None:
    if not access.teaches(trainer):
        raise Invalid(
            _("This person is not a trainer."),
            code="not_a_trainer",
            fields={"trainer": [_("Choose a trainer.")]},
        )


def _utc(moment: datetime.datetime | None) -> datetime.datetime | None:
    return clock.to_utc(moment) if moment is not None else None


def _check_trainer_free(
    *, trainer: User, start: datetime.datetime, end: datetime.datetime, exclude: int | None
) -> None:
    clash = Session.objects.filter(trainer=trainer, start__lt=end, end__gt=start).exclude(
        status=SessionStatus.CANCELLED
    )
    if exclude:
        clash = clash.exclude(pk=exclude)
    if clash.exists():
        raise trainer_unavailable()


def _save(session: Session) -> None:
    """Save; a concurrent overlapping session caught by PostgreSQL's constraint becomes a 409."""
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as exc:
        if EXCLUSION_CONSTRAINT in str(exc):
            raise trainer_unavailable() from exc
        raise


@transaction.atomic
def session_create(
    *,
    by: User,
    course: Course,
    trainer: User | None = None,
    place: str,
    start: datetime.datetime,
    end: datetime.datetime,
    capacity: int,
    language: str = "fr",
    enrolment_deadline: datetime.datetime | None = None,
    equipment: Any = None,
    project: Any = None,
) -> Session:
    """Staff schedule sessions for any trainer; a trainer schedules their own.

    ``project`` (optional): the R&D project the session is for: staff name any open project, a
    trainer one their organisation takes part in (400 ``project_not_partner``).

    ``equipment`` (a machine or its id, optional): the session holds that machine for its time,
    like a booking; over live bookings it is refused with ``slot_unavailable`` (trainings.machines).
    """
    start, end, enrolment_deadline = _utc(start), _utc(end), _utc(enrolment_deadline)
    access.require_teaches(by)
    trainer = trainer or by
    if trainer.pk != by.pk:
        access.require_staff(by)  # staff schedule sessions for any trainer
    _validate_trainer(trainer)
    _validate_times(start=start, end=end, deadline=enrolment_deadline)
    if start <= timezone.now():
        raise Invalid(
            _("A new session must start in the future."),
            code="session_in_past",
            fields={"start": [_("Must be in the future.")]},
        )
    _check_trainer_free(trainer=trainer, start=start, end=end, exclude=None)
    project = projects.project_for_person(project=project, person=by)
    session = Session(
        course=course,
        trainer=trainer,
        place=place,
        start=start,
        end=end,
        capacity=capacity,
        language=language,
        enrolment_deadline=enrolment_deadline,
        project=project,
    )
    _save(session)
    if equipment is not None:
        machines.sync(session=session, by=by, equipment=equipment)
    messages.tell_trainer_assigned(session)
    return session


@transaction.atomic
def session_update(*, by: User, session: Session, **changes: Any) -> Session:
    """Move or resize a session. Moving moves the reminders; more seats promote the queue."""
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise TypeError(f"session_update() got unexpected fields: {sorted(unknown)}")
    session = lock_session(session)
    require_manages_session(user=by, session=session)
    require_open(session)
    if "trainer" in changes and changes["trainer"].pk != session.trainer_id:
        access.require_staff(by)  # only staff hand a session to another trainer
        _validate_trainer(changes["trainer"])
    equipment = changes.pop("equipment", machines.UNCHANGED)
    if "project" in changes:
        changes["project"] = projects.project_for_person(project=changes["project"], person=by)
    old_start = session.start
    former_trainer = session.trainer
    before = {field: getattr(session, field) for field in REVISED_BY}
    machine_before = _machine_id(session)
    for field, value in changes.items():
        setattr(session, field, _utc(value) if isinstance(value, datetime.datetime) else value)
    _validate_times(start=session.start, end=session.end, deadline=session.enrolment_deadline)
    if session.start != old_start and session.start <= timezone.now():
        raise Invalid(
            _("A session cannot be moved into the past."),
            code="session_in_past",
            fields={"start": [_("Must be in the future.")]},
        )
    enrolled = list(
        session.enrolments.filter(status=EnrolmentStatus.ENROLLED).select_related("user")
    )
    if session.capacity < len(enrolled):
        raise Invalid(
            _("%(n)d people are already enrolled: cancel some enrolments first.")
            % {"n": len(enrolled)},
            code="capacity_below_enrolled",
            fields={"capacity": [_("Fewer seats than people enrolled.")]},
        )
    _check_trainer_free(
        trainer=session.trainer, start=session.start, end=session.end, exclude=session.pk
    )
    revised = any(getattr(session, field) != value for field, value in before.items())
    machine_changed = equipment is not machines.UNCHANGED and _machine_id_of(equipment) != (
        machine_before
    )
    if revised or machine_changed:
        session.revise()
    _save(session)
    machines.sync(session=session, by=by, equipment=equipment)
    if revised or machine_changed:
        _announce_change(session, former_trainer=former_trainer)
    promote_waiting(session)
    return session


def _machine_id(session: Session) -> int | None:
    hold = getattr(session, "machine_hold", None)
    return hold.equipment_id if hold is not None else None


def _machine_id_of(equipment: Any) -> int | None:
    return getattr(equipment, "pk", equipment)


def _announce_change(session: Session, *, former_trainer: User) -> None:
    """Everyone's calendar gets the new revision; a trainer handed over gets the CANCEL."""
    people = list(
        session.enrolments.filter(
            status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED]
        ).select_related("user")
    )
    messages.tell_changed(session, people)
    if former_trainer.pk != session.trainer_id:
        messages.tell_trainer_released(session, former_trainer, cancelled=False)
        messages.tell_trainer_assigned(session)
    else:
        messages.tell_trainer_changed(session)


def promote_waiting(session: Session) -> list[Enrolment]:
    """Fill free seats from the head of the waiting list (caller holds the session lock)."""
    enrolled = session.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    free = session.capacity - enrolled
    if free <= 0:
        return []
    promoted = list(
        session.enrolments.filter(status=EnrolmentStatus.WAITLISTED).select_related("user")[:free]
    )
    for enrolment in promoted:
        enrolment.status = EnrolmentStatus.ENROLLED
        enrolment.sequence += 1
        enrolment.save(update_fields=["status", "sequence", "updated_at"])
        messages.tell_promoted(session, enrolment)
        messages.schedule_reminder(session, enrolment)
    return promoted


@transaction.atomic
def session_cancel(*, by: User, session: Session) -> Session:
    """Cancel the whole session: everyone enrolled or waiting is told; reminders are dropped."""
    session = lock_session(session)
    require_manages_session(user=by, session=session)
    require_open(session)
    session.status = SessionStatus.CANCELLED
    session.revise()
    session.save(update_fields=["status", "sequence", "updated_at"])
    machines.sync(session=session, by=by)  # the machine is free again
    messages.drop_all_pending(session)
    people = session.enrolments.filter(
        status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED]
    ).select_related("user")
    for enrolment in people:
        messages.tell_cancelled(
            session, enrolment, was_waiting=enrolment.status == EnrolmentStatus.WAITLISTED
        )
    messages.tell_trainer_released(session, session.trainer, cancelled=True)
    return session
