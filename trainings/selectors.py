import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access
from caiac.accounts.models import Membership, Organisation, User
from caiac.errors import NotAllowed
from trainings.models import (
    Certification,
    Course,
    Enrolment,
    EnrolmentStatus,
    Session,
    SessionStatus,
)

# --- certifications (booking and me/ depend on these three names) ----------------------------


def certifications_valid_at(at: datetime.datetime | None = None) -> QuerySet[Certification]:
    at = at or timezone.now()
    return Certification.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=at),
        issued_at__lte=at,
        revoked_at__isnull=True,
    )


def user_is_certified(
    *, user: User, course: Course | int, at: datetime.datetime | None = None
) -> bool:
    """Whether ``user`` holds a valid certification for ``course`` at ``at`` (default: now)."""
    course_id = course.pk if isinstance(course, Course) else course
    return certifications_valid_at(at).filter(user=user, course_id=course_id).exists()


def organisation_has_certified_member(
    *, organisation: Organisation | int, course: Course | int, at: datetime.datetime | None = None
) -> bool:
    """Whether one of ``organisation``'s people holds a valid certification for ``course`` at
    ``at``: booking lets staff book on that organisation's behalf then (docs/booking.md)."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    course_id = course.pk if isinstance(course, Course) else course
    return (
        certifications_valid_at(at)
        .filter(course_id=course_id, user__memberships__organisation_id=organisation_id)
        .exists()
    )


def certifications_of(user: User) -> QuerySet[Certification]:
    return certifications_valid_at().filter(user=user).select_related("course")


def user_has_passed(*, user: User, course: Course | int) -> bool:
    """A valid certification, or attendance marked present at a session of ``course``.

    A pass whose certification has since expired still counts as the prerequisite: what was
    learnt does not expire the way a machine authorisation does.
    """
    course_id = course.pk if isinstance(course, Course) else course
    return (
        user_is_certified(user=user, course=course_id)
        or Enrolment.objects.filter(user=user, session__course_id=course_id, present=True).exists()
    )


def certifications_visible_to(user: User) -> QuerySet[Certification]:
    """Staff: all. Others: their own and those of the people of their organisations; trainers
    also those of the people enrolled in their sessions."""
    qs = Certification.objects.select_related("user", "course")
    if access.is_staff(user):
        return qs
    colleagues = Membership.objects.filter(
        organisation_id__in=access.organisation_ids_of(user), user=OuterRef("user")
    )
    visible = Q(user=user) | Q(Exists(colleagues))
    if access.is_trainer(user):
        trainees = Enrolment.objects.filter(session__trainer=user, user=OuterRef("user"))
        visible |= Q(Exists(trainees))
    return qs.filter(visible)


def certification_get_for_user(*, user: User, certification_id: int) -> Certification:
    return access.get_for_person_or_404(
        certifications_visible_to(user), user, certification_id, via=None
    )


# --- courses and sessions -----------------------------------------------------------------


def courses_visible_to(user: User) -> QuerySet[Course]:
    qs = Course.objects.select_related("prerequisite")
    if hasattr(Course, "certified_equipment"):  # booking's reverse relation, when installed
        qs = qs.prefetch_related("certified_equipment")
    if access.is_staff(user):
        return qs
    return qs.filter(is_active=True)


def certified_machine_names(course: Course) -> list[str]:
    """The machines a pass certifies, through booking's reverse relation (never an import)."""
    if not hasattr(course, "certified_equipment"):
        return []
    return sorted(str(getattr(e, "name", e)) for e in course.certified_equipment.all())


def _enrolments_in(status: str) -> Coalesce:
    """How many enrolments of the row's session have ``status``, as a subquery of each row."""
    counted = (
        Enrolment.objects.filter(session=OuterRef("pk"), status=status)
        .order_by()
        .values("session")
        .annotate(n=Count("id"))
        .values("n")
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def sessions_with_counts() -> QuerySet[Session]:
    # The course's prerequisite is shown beside every session, and the machine it holds:
    # fetched in the same query. The counts are subqueries, not a GROUP BY over the join with
    # every enrolment: that aggregated every session before a page of 50 could be cut (7 ms
    # at 300 sessions, growing with the schedule), and its count grouped them all again.
    hold = ["machine_hold__equipment"] if hasattr(Session, "machine_hold") else []
    return (
        Session.objects.select_related("course", "course__prerequisite", "trainer", *hold)
        .annotate(
            enrolled_count=_enrolments_in(EnrolmentStatus.ENROLLED),
            waitlist_count=_enrolments_in(EnrolmentStatus.WAITLISTED),
        )
        .order_by("start", "id")
    )


def sessions_visible_to(user: User) -> QuerySet[Session]:
    """The schedule (cancelled and past sessions included) is open to every signed-in person;
    who is enrolled is not (see ``can_manage_session``)."""
    return sessions_with_counts()


def sessions_of_trainer(*, trainer: User, upcoming: bool = True) -> QuerySet[Session]:
    qs = sessions_with_counts().filter(trainer=trainer)
    if upcoming:
        qs = qs.filter(end__gte=timezone.now())
    return qs


def session_get_for_user(*, user: User, session_id: int) -> Session:
    return access.get_for_person_or_404(sessions_visible_to(user), user, session_id, via=None)


def can_manage_session(*, user: User, session: Session) -> bool:
    """Staff manage every session; a trainer the sessions they run."""
    return access.is_staff(user) or (access.is_trainer(user) and session.trainer_id == user.pk)


def require_manages_session(*, user: User, session: Session) -> None:
    """403 ``not_session_trainer`` unless ``can_manage_session``."""
    if not can_manage_session(user=user, session=session):
        raise NotAllowed(
            _("Only the session's trainer or cluster staff may do this."),
            code="not_session_trainer",
        )


def seats_left(session: Session) -> int:
    enrolled = getattr(session, "enrolled_count", None)
    if enrolled is None:
        enrolled = session.enrolments.filter(status=EnrolmentStatus.ENROLLED).count()
    return max(session.capacity - enrolled, 0)


def session_enrolments(session: Session) -> dict[str, list[Enrolment]]:
    """Enrolled people and the waiting list, in order."""
    rows = list(
        session.enrolments.filter(
            status__in=[EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED]
        ).select_related("user")
    )
    return {
        "enrolled": [e for e in rows if e.status == EnrolmentStatus.ENROLLED],
        "waitlisted": [e for e in rows if e.status == EnrolmentStatus.WAITLISTED],
    }


def _waiting_ahead() -> Coalesce:
    """For each enrolment row: how many people wait before it in its session's queue (one SQL
    subquery, so a list of enrolments knows every position without a query per row)."""
    ahead = (
        Enrolment.objects.filter(
            Q(queued_at__lt=OuterRef("queued_at"))
            | Q(queued_at=OuterRef("queued_at"), id__lt=OuterRef("pk")),
            session_id=OuterRef("session_id"),
            status=EnrolmentStatus.WAITLISTED,
        )
        .order_by()
        .values("session_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(ahead, output_field=IntegerField()), 0)


def waitlist_position(enrolment: Enrolment) -> int | None:
    """1-based place in the queue, or None when not waiting (read from the ``waiting_ahead``
    annotation of ``enrolments_of`` when there is one)."""
    if enrolment.status != EnrolmentStatus.WAITLISTED:
        return None
    ahead = getattr(enrolment, "waiting_ahead", None)
    if ahead is None:
        ahead = Enrolment.objects.filter(
            Q(queued_at__lt=enrolment.queued_at)
            | Q(queued_at=enrolment.queued_at, id__lt=enrolment.pk),
            session_id=enrolment.session_id,
            status=EnrolmentStatus.WAITLISTED,
        ).count()
    return ahead + 1


def enrolments_of(user: User | int) -> QuerySet[Enrolment]:
    """A person's live enrolments and past attendance, soonest first."""
    user_id = user.pk if isinstance(user, User) else user
    return (
        Enrolment.objects.filter(user_id=user_id)
        .exclude(status=EnrolmentStatus.CANCELLED)
        .select_related("session", "session__course", "session__trainer")
        .annotate(waiting_ahead=_waiting_ahead())
        .order_by("session__start", "id")
    )


def my_enrolment_map(*, user: User, sessions: list[Session]) -> dict[int, dict]:
    """For a page of sessions: the caller's status and waiting position in each, in 2 queries."""
    if not user.is_authenticated or not sessions:
        return {}
    ids = [s.pk for s in sessions]
    mine = list(
        Enrolment.objects.filter(user=user, session_id__in=ids).exclude(
            status=EnrolmentStatus.CANCELLED
        )
    )
    waiting_ids = [e.session_id for e in mine if e.status == EnrolmentStatus.WAITLISTED]
    queues: dict[int, list[int]] = {}
    if waiting_ids:
        for session_id, enrolment_id in Enrolment.objects.filter(
            session_id__in=waiting_ids, status=EnrolmentStatus.WAITLISTED
        ).values_list("session_id", "id"):
            queues.setdefault(session_id, []).append(enrolment_id)
    result = {}
    for e in mine:
        position = None
        if e.status == EnrolmentStatus.WAITLISTED:
            position = queues.get(e.session_id, []).index(e.pk) + 1
        result[e.session_id] = {"status": e.status, "position": position}
    return result


# --- calendars (booking's feeds read these; docs/booking.md, "calendar feeds") ---------------

LIVE_ENROLMENT = (EnrolmentStatus.ENROLLED, EnrolmentStatus.WAITLISTED)


def _hold_related() -> list[str]:
    # The machine a session holds is booking's reverse relation (present when booking is).
    return ["session__machine_hold__equipment"] if hasattr(Session, "machine_hold") else []


def _still_shown(prefix: str, cancelled_since: datetime.datetime) -> Q:
    """Live, or cancelled recently enough that subscribed calendars still see it cancelled."""
    return ~Q(**{f"{prefix}status": "cancelled"}) | Q(
        **{f"{prefix}updated_at__gte": cancelled_since}
    )


def calendar_enrolments(
    *,
    user_ids: list[int],
    start: datetime.datetime,
    end: datetime.datetime,
    cancelled_since: datetime.datetime,
) -> QuerySet[Enrolment]:
    """Enrolments of these people in sessions overlapping [start, end): live ones, and those
    (or whose session) were cancelled since ``cancelled_since``."""
    return (
        Enrolment.objects.filter(
            user_id__in=user_ids, session__start__lt=end, session__end__gt=start
        )
        .filter(_still_shown("", cancelled_since))
        .filter(_still_shown("session__", cancelled_since))
        .select_related("user", "session", "session__course", *_hold_related())
        .order_by("session__start", "session_id", "id")
    )


def calendar_sessions_of_trainer(
    *,
    trainer: User,
    start: datetime.datetime,
    end: datetime.datetime,
    cancelled_since: datetime.datetime,
) -> QuerySet[Session]:
    hold = ["machine_hold__equipment"] if hasattr(Session, "machine_hold") else []
    return (
        Session.objects.filter(trainer=trainer, start__lt=end, end__gt=start)
        .filter(_still_shown("", cancelled_since))
        .select_related("course", *hold)
        .order_by("start", "id")
    )


# --- certifications about to expire ----------------------------------------------------------


def certifications_expiring(
    *, now: datetime.datetime, within: datetime.timedelta
) -> QuerySet[Certification]:
    """Valid certifications that expire in (now, now + within] and that no later certification
    of the same person and course outlasts (renewed ones need no warning)."""
    outlasting = Certification.objects.filter(
        user=OuterRef("user"), course=OuterRef("course"), revoked_at__isnull=True
    ).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=OuterRef("expires_at")))
    return (
        Certification.objects.filter(
            revoked_at__isnull=True, expires_at__gt=now, expires_at__lte=now + within
        )
        .exclude(Exists(outlasting))
        .select_related("user", "course")
        .order_by("expires_at", "id")
    )


def next_sessions_of(*, course_id: int, now: datetime.datetime, limit: int = 3) -> list[Session]:
    """The next sessions of a course one can still enrol in."""
    return list(
        Session.objects.filter(course_id=course_id, status="scheduled", start__gt=now)
        .filter(Q(enrolment_deadline__isnull=True) | Q(enrolment_deadline__gt=now))
        .order_by("start", "id")[:limit]
    )


def participants_by_month(*, first: datetime.date, last: datetime.date) -> list[dict]:
    """People marked present at (not cancelled) sessions starting in [first, last], per month
    of the session's local date: distinct people, and how many are women / men / not stated
    (``User.gender``, optional). One query."""
    from caiac import clock
    from caiac.accounts.models import Gender

    start = clock.start_of_day(first)
    end = clock.start_of_day(last + datetime.timedelta(days=1))
    months: dict[datetime.date, dict[int, str]] = {m: {} for m in clock.months_between(first, last)}
    rows = (
        Enrolment.objects.filter(present=True, session__start__gte=start, session__start__lt=end)
        .exclude(session__status="cancelled")
        .values_list("user_id", "user__gender", "session__start")
    )
    for user_id, gender, session_start in rows:
        months[clock.month_start(clock.local_date(session_start))][user_id] = gender
    result = []
    for month, people in months.items():
        genders = list(people.values())
        result.append(
            {
                "month": month,
                "participants": len(people),
                "women": genders.count(Gender.WOMAN),
                "men": genders.count(Gender.MAN),
                "not_stated": sum(1 for g in genders if g not in (Gender.WOMAN, Gender.MAN)),
            }
        )
    return result


# --- Yearly report -------------------------------------------------------------------------------
def sessions_held_between(*, start: datetime.datetime, end: datetime.datetime) -> list[Session]:
    """Sessions starting in [start, end) that were not cancelled, by start, each with
    ``present`` (its enrolments marked present, with their users). Two queries."""
    from django.db.models import Prefetch

    present = Enrolment.objects.filter(present=True).select_related("user").order_by("user_id")
    return list(
        Session.objects.filter(start__gte=start, start__lt=end)
        .exclude(status=SessionStatus.CANCELLED)
        .select_related("course")
        .prefetch_related(Prefetch("enrolments", queryset=present, to_attr="present"))
        .order_by("start", "pk")
    )
