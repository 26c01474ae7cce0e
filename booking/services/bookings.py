"""Booking a machine and every later change of a booking. One transaction each."""

import datetime
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking import messaging, selectors
from booking.models import (
    LIVE_STATUSES,
    Booking,
    BookingEvent,
    BookingKind,
    BookingSeries,
    BookingStatus,
    Equipment,
    EquipmentStatus,
    LabCreditUse,
)
from booking.services.credits import plan_credit_use, record_credit_use
from booking.services.locks import lock_machine
from caiac import access, clock
from caiac.accounts.models import Organisation, User
from caiac.errors import Conflict, DomainError, Invalid, NotAllowed, NotFound
from caiac.projects import services as projects
from caiac.projects.models import Project
from trainings.selectors import organisation_has_certified_member, user_is_certified

OVERLAP_CONSTRAINT = "booking_no_overlap"
HOUR = Decimal(3600)
CENT = Decimal("0.01")


def slot_unavailable() -> Conflict:
    return Conflict(_("This slot is already taken."), code="slot_unavailable")


def invalid_state(booking: Booking) -> Conflict:
    return Conflict(
        _("This cannot be done to a booking that is %(status)s.")
        % {"status": booking.get_status_display()},
        code="invalid_state",
    )


def resolve_organisation(*, user: User, organisation: Organisation | int | None) -> Organisation:
    """The organisation a booking is for: the one named (if the user acts for it: its members,
    and staff for any), else the user's only one. Naming an organisation one does not act for is
    not-found: its existence is not revealed."""
    if organisation is not None:
        organisation_id = (
            organisation.pk if isinstance(organisation, Organisation) else organisation
        )
        try:
            return access.get_for_person_or_404(
                Organisation.objects.all(), user, organisation_id, via="pk"
            )
        except NotFound:
            raise NotFound(
                _("No such organisation."), fields={"organisation": ["not_found"]}
            ) from None
    default = access.default_organisation_of(user)
    if default is not None and not access.is_staff(user):
        return default
    raise Invalid(
        _("Say which organisation this booking is for.")
        if access.is_staff(user) or access.organisations_of(user).exists()
        else _("You do not belong to an organisation that can book."),
        code="organisation_required",
        fields={"organisation": [str(_("This field is required."))]},
    )


def check_certified(
    *, user: User, organisation: Organisation, equipment: Equipment, at: datetime.datetime
) -> None:
    """Someone trained on the machine must be behind every booking of it (docs/booking.md).

    A member books for their organisation when they hold a valid certification of the machine's
    course at the start of the slot. Staff book on an organisation's behalf when they hold it
    themselves (the lab runs the machine as a service) or when one of that organisation's people
    does (that person comes to work on it)."""
    course_id = equipment.required_course_id
    if not course_id or user_is_certified(user=user, course=course_id, at=at):
        return
    if access.is_staff(user):
        if organisation_has_certified_member(organisation=organisation, course=course_id, at=at):
            return
        raise NotAllowed(
            _(
                "Nobody at %(organisation)s holds the certification of the course “%(course)s” "
                "needed for this machine, and neither do you."
            )
            % {"organisation": organisation.name, "course": equipment.required_course.local_title},
            code="certification_required",
        )
    raise NotAllowed(
        _("You need the certification of the course “%(course)s” to book this machine.")
        % {"course": equipment.required_course.local_title},
        code="certification_required",
    )


def check_slot_rules(
    *,
    equipment: Equipment,
    start: datetime.datetime,
    end: datetime.datetime,
    now: datetime.datetime,
) -> None:
    """Every rule of the machine a booking [start, end) made ``now`` must follow, except the
    clash with other bookings (checked by the caller under the write lock)."""
    if end <= start:
        raise Invalid(
            _("The end must be after the start."),
            code="invalid",
            fields={"end": [str(_("Must be after the start."))]},
        )
    if equipment.status != EquipmentStatus.AVAILABLE:
        raise Invalid(
            _("This machine cannot be booked (%(status)s).")
            % {"status": equipment.get_status_display()},
            code="equipment_unavailable",
        )
    if start < now:
        raise Invalid(_("This slot is in the past."), code="in_the_past", fields={"start": []})
    earliest, latest = selectors.booking_bounds(equipment, now)
    if start < earliest:
        raise Invalid(
            _("This machine must be booked at least %(minutes)s minutes ahead.")
            % {"minutes": equipment.lead_time_minutes},
            code="inside_lead_time",
            fields={"start": []},
        )
    if end > latest:
        raise Invalid(
            _("This machine can be booked at most %(days)s days ahead.")
            % {"days": equipment.horizon_days},
            code="beyond_horizon",
            fields={"end": []},
        )
    duration = end - start
    if duration < datetime.timedelta(minutes=equipment.min_duration_minutes):
        raise Invalid(
            _("The shortest booking of this machine is %(minutes)s minutes.")
            % {"minutes": equipment.min_duration_minutes},
            code="too_short",
            fields={"end": []},
        )
    if duration > datetime.timedelta(minutes=equipment.max_duration_minutes):
        raise Invalid(
            _("The longest booking of this machine is %(minutes)s minutes.")
            % {"minutes": equipment.max_duration_minutes},
            code="too_long",
            fields={"end": []},
        )
    windows = selectors.opening_windows(equipment=equipment, start=start, end=end)
    window = next((w for w in windows if w[0] <= start and end <= w[1]), None)
    if window is None:
        raise Invalid(
            _("The lab is not open for the whole of this slot."),
            code="outside_opening_hours",
            fields={"start": []},
        )
    step = datetime.timedelta(minutes=equipment.slot_minutes)
    if (start - window[0]) % step or duration % step:
        raise Invalid(
            _("Bookings of this machine start and end on %(minutes)s-minute steps.")
            % {"minutes": equipment.slot_minutes},
            code="off_slot_step",
            fields={"start": []},
        )
    closures = selectors.closures_for(equipment=equipment, start=start, end=end)
    if closures:
        raise Invalid(
            _("The machine is closed then: %(reason)s.") % {"reason": closures[0].reason},
            code="machine_closed",
            fields={"start": []},
        )


def record_event(
    booking: Booking,
    *,
    actor: User | None,
    from_status: str,
    reason: str = "",
    moved_from: tuple[datetime.datetime, datetime.datetime] | None = None,
) -> BookingEvent:
    return BookingEvent.objects.create(
        booking=booking,
        actor=actor,
        from_status=from_status,
        to_status=booking.status,
        reason=reason,
        moved_from_start=moved_from[0] if moved_from else None,
        moved_from_end=moved_from[1] if moved_from else None,
    )


def _price(
    *, equipment: Equipment, organisation: Organisation, start, end, lock: bool = True
) -> tuple[Decimal, bool, Decimal, list]:
    hours = Decimal((end - start).total_seconds()) / HOUR
    day = clock.local_date(start)
    member = organisation.is_member_on(day)
    rate = equipment.hourly_rate_member if member else equipment.hourly_rate_non_member
    plan = plan_credit_use(organisation=organisation, on=day, hours=hours, lock=lock)
    credit = sum((h for _c, h in plan), Decimal(0))
    # Half up, as an accountant rounds MAD (Decimal's default is banker's: 5.005 would be 5.00).
    price = ((hours - credit) * rate).quantize(CENT, rounding=ROUND_HALF_UP)
    return price, member, rate, plan


@transaction.atomic
def booking_create(
    *,
    user: User,
    equipment: Equipment,
    start: datetime.datetime,
    end: datetime.datetime,
    organisation: Organisation | int | None = None,
    notes: str = "",
    series: BookingSeries | None = None,
    announce: bool = True,
    project: Project | int | None = None,
) -> Booking:
    """Book ``equipment`` for [start, end). Pending when the machine needs approval.

    ``project``: the R&D project this lab use is for, one the organisation takes part in (400
    ``project_not_partner``) and still open (400 ``project_not_open``)."""
    start, end = clock.to_utc(start), clock.to_utc(end)
    # First the machine's row lock: a closure or status change being written at this moment
    # waits for this booking (and then cancels it), or this booking waits and sees it.
    equipment = lock_machine(equipment)
    now = timezone.now()
    organisation = resolve_organisation(user=user, organisation=organisation)
    project = projects.project_for_organisation(project=project, organisation=organisation)
    check_slot_rules(equipment=equipment, start=start, end=end, now=now)
    check_certified(user=user, organisation=organisation, equipment=equipment, at=start)
    blocked_until = end + datetime.timedelta(minutes=equipment.buffer_minutes)
    # On SQLite the IMMEDIATE transaction already holds the write lock: this check and the
    # insert cannot interleave with another writer. On PostgreSQL the exclusion constraint
    # is the guard; the check only gives the usual case a clean answer.
    if selectors.live_booking_blocks(equipment=equipment, start=start, end=blocked_until):
        raise slot_unavailable()
    price, member, rate, plan = _price(
        equipment=equipment, organisation=organisation, start=start, end=end
    )
    status = BookingStatus.PENDING if equipment.requires_approval else BookingStatus.CONFIRMED
    try:
        with transaction.atomic():
            booking = Booking.objects.create(
                equipment=equipment,
                organisation=organisation,
                booked_by=user,
                series=series,
                start=start,
                end=end,
                blocked_until=blocked_until,
                status=status,
                price=price,
                hourly_rate=rate,
                member_rate=member,
                credit_hours=sum((h for _c, h in plan), Decimal(0)),
                notes=notes,
                project=project,
            )
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT in str(exc):
            raise slot_unavailable() from exc
        raise
    record_credit_use(booking, plan)
    record_event(booking, actor=user, from_status="")
    if announce:
        messaging.announce(booking, "pending" if status == BookingStatus.PENDING else "confirmed")
    messaging.schedule_reminders(booking)
    return booking


@dataclass
class Quote:
    """What booking [start, end) would give, before confirming: the price for this
    organisation, the free lab hours it spends, whether staff must approve, or why not."""

    equipment: Equipment
    start: datetime.datetime
    end: datetime.datetime
    organisation: Organisation | None = None
    hours: Decimal = Decimal(0)
    member_rate: bool = False
    hourly_rate: Decimal = Decimal(0)
    price: Decimal = Decimal(0)
    credit_hours: Decimal = Decimal(0)
    requires_approval: bool = False
    error: DomainError | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def booking_quote(
    *,
    user: User,
    equipment: Equipment,
    start: datetime.datetime,
    end: datetime.datetime,
    organisation: Organisation | int | None = None,
    moving: Booking | None = None,
) -> Quote:
    """``booking_create`` (or ``booking_move`` of ``moving``) without writing anything: the
    same rules in the same order, so the page shows before confirming what confirming gives.
    A rule that says no is in ``error`` (its code is the API's)."""
    start, end = clock.to_utc(start), clock.to_utc(end)
    quote = Quote(equipment=equipment, start=start, end=end)
    quote.requires_approval = equipment.requires_approval and not (
        moving is not None and access.is_staff(user) and moving.status == BookingStatus.CONFIRMED
    )
    try:
        now = timezone.now()
        quote.organisation = (
            moving.organisation
            if moving is not None
            else resolve_organisation(user=user, organisation=organisation)
        )
        check_slot_rules(equipment=equipment, start=start, end=end, now=now)
        check_certified(user=user, organisation=quote.organisation, equipment=equipment, at=start)
        blocked_until = end + datetime.timedelta(minutes=equipment.buffer_minutes)
        if selectors.live_booking_blocks(
            equipment=equipment,
            start=start,
            end=blocked_until,
            exclude_id=moving.pk if moving is not None else None,
        ):
            raise slot_unavailable()
        if moving is None:
            price, member, rate, plan = _price(
                equipment=equipment, organisation=quote.organisation, start=start, end=end,
                lock=False,
            )  # fmt: skip
        else:
            with transaction.atomic():
                # Its own hours are free again for the new time; undone on the way out.
                LabCreditUse.objects.filter(booking=moving).delete()
                price, member, rate, plan = _price(
                    equipment=equipment, organisation=quote.organisation, start=start, end=end,
                    lock=False,
                )  # fmt: skip
                transaction.set_rollback(True)
    except DomainError as exc:
        quote.error = exc
        return quote
    quote.hours = Decimal((end - start).total_seconds()) / HOUR
    quote.member_rate, quote.hourly_rate, quote.price = member, rate, price
    quote.credit_hours = sum((h for _c, h in plan), Decimal(0))
    return quote


def _locked(booking: Booking) -> Booking:
    """The member booking, locked. A training session's hold is changed only through its
    session (booking.services.training_holds): here it does not exist."""
    found = (
        Booking.objects.select_for_update(of=("self",))
        .select_related("equipment", "organisation", "booked_by")
        .filter(pk=booking.pk, kind=BookingKind.MEMBER)
        .first()
    )
    if found is None:
        raise NotFound()
    return found


def _change(booking: Booking, *, to: str, actor: User, reason: str = "") -> Booking:
    from_status = booking.status
    booking.status = to
    booking.status_reason = reason
    booking.revise()
    booking.save(
        update_fields=["status", "status_reason", "checked_in_at", "sequence", "updated_at"]
    )
    record_event(booking, actor=actor, from_status=from_status, reason=reason)
    return booking


def cancellation_deadline(booking: Booking) -> datetime.datetime:
    return booking.start - datetime.timedelta(hours=booking.equipment.cancellation_deadline_hours)


@transaction.atomic
def booking_cancel(*, user: User, booking: Booking, reason: str = "") -> Booking:
    """Members of the organisation until the machine's deadline; staff at any time. Credit
    hours come back (spent hours only count for bookings that are not cancelled)."""
    booking = _locked(booking)
    access.require_acts_for(user, booking.organisation_id)
    if booking.status not in LIVE_STATUSES:
        raise invalid_state(booking)
    if not access.is_staff(user) and timezone.now() > cancellation_deadline(booking):
        raise Invalid(
            _(
                "It is too late to cancel: the deadline was %(hours)s hours before the start. "
                "Ask the lab staff."
            )
            % {"hours": booking.equipment.cancellation_deadline_hours},
            code="cancellation_deadline_passed",
        )
    _change(booking, to=BookingStatus.CANCELLED, actor=user, reason=reason)
    messaging.drop_reminders(booking)
    messaging.announce(booking, "cancelled")
    return booking


@transaction.atomic
def booking_move(
    *, user: User, booking: Booking, start: datetime.datetime, end: datetime.datetime
) -> Booking:
    """Move a live booking to [start, end): the same booking (same id), every rule of booking
    applied again (same codes), its price and free lab hours recomputed, its reminders moved,
    the booker told, the move kept in its history. Members of the organisation until the
    cancellation deadline of the current time; staff at any time. On a machine that needs
    approval, a member's move puts the booking back to pending; a staff move keeps it."""
    start, end = clock.to_utc(start), clock.to_utc(end)
    # The machine before the booking, the order closures take them in (booking.services.locks).
    lock_machine(booking.equipment_id)
    now = timezone.now()
    booking = _locked(booking)
    access.require_acts_for(user, booking.organisation_id)
    if booking.status not in LIVE_STATUSES:
        raise invalid_state(booking)
    if not access.is_staff(user) and now > cancellation_deadline(booking):
        raise Invalid(
            _(
                "It is too late to move this booking: the deadline was %(hours)s hours before "
                "the start. Ask the lab staff."
            )
            % {"hours": booking.equipment.cancellation_deadline_hours},
            code="move_deadline_passed",
        )
    if (start, end) == (booking.start, booking.end):
        raise Invalid(
            _("The booking is already at this time."), code="invalid", fields={"start": []}
        )
    equipment = booking.equipment
    check_slot_rules(equipment=equipment, start=start, end=end, now=now)
    check_certified(user=user, organisation=booking.organisation, equipment=equipment, at=start)
    blocked_until = end + datetime.timedelta(minutes=equipment.buffer_minutes)
    if selectors.live_booking_blocks(
        equipment=equipment, start=start, end=blocked_until, exclude_id=booking.pk
    ):
        raise slot_unavailable()
    # Its free lab hours are given back first, then spent again for the new time.
    LabCreditUse.objects.filter(booking=booking).delete()
    price, member, rate, plan = _price(
        equipment=equipment, organisation=booking.organisation, start=start, end=end
    )
    previous = (booking.start, booking.end)
    from_status = booking.status
    if equipment.requires_approval and not access.is_staff(user):
        booking.status = BookingStatus.PENDING
    booking.start, booking.end, booking.blocked_until = start, end, blocked_until
    booking.price, booking.member_rate, booking.hourly_rate = price, member, rate
    booking.credit_hours = sum((h for _c, h in plan), Decimal(0))
    booking.revise()  # a new revision: calendars replace the event (same UID, next SEQUENCE)
    try:
        with transaction.atomic():
            booking.save(
                update_fields=[
                    "start", "end", "blocked_until", "status", "price", "member_rate",
                    "hourly_rate", "credit_hours", "sequence", "updated_at",
                ]
            )  # fmt: skip
    except IntegrityError as exc:
        if OVERLAP_CONSTRAINT in str(exc):
            raise slot_unavailable() from exc
        raise
    record_credit_use(booking, plan)
    event = record_event(booking, actor=user, from_status=from_status, moved_from=previous)
    messaging.announce_move(booking, event=event)
    return booking


@transaction.atomic
def booking_approve(*, user: User, booking: Booking, reason: str = "") -> Booking:
    access.require_staff(user)
    booking = _locked(booking)
    if booking.status != BookingStatus.PENDING:
        raise invalid_state(booking)
    _change(booking, to=BookingStatus.CONFIRMED, actor=user, reason=reason)
    messaging.announce(booking, "approved")
    messaging.schedule_reminders(booking)  # their invitation now reads CONFIRMED
    return booking


@transaction.atomic
def booking_reject(*, user: User, booking: Booking, reason: str) -> Booking:
    access.require_staff(user)
    if not reason or not reason.strip():
        raise Invalid(
            _("Say why the booking is rejected."),
            code="invalid",
            fields={"reason": [str(_("This field is required."))]},
        )
    booking = _locked(booking)
    if booking.status != BookingStatus.PENDING:
        raise invalid_state(booking)
    _change(booking, to=BookingStatus.REJECTED, actor=user, reason=reason.strip())
    messaging.drop_reminders(booking)
    messaging.announce(booking, "rejected")
    return booking


CHECK_IN_EARLY = datetime.timedelta(hours=1)


@transaction.atomic
def booking_check_in(*, user: User, booking: Booking) -> Booking:
    """The machine was used: the booking is completed."""
    access.require_staff(user)
    booking = _locked(booking)
    if booking.status != BookingStatus.CONFIRMED:
        raise invalid_state(booking)
    now = timezone.now()
    if now < booking.start - CHECK_IN_EARLY:
        raise Invalid(_("It is too early to check in."), code="too_early")
    booking.checked_in_at = now
    return _change(booking, to=BookingStatus.COMPLETED, actor=user)


@transaction.atomic
def booking_no_show(*, user: User, booking: Booking, reason: str = "") -> Booking:
    access.require_staff(user)
    booking = _locked(booking)
    if booking.status != BookingStatus.CONFIRMED:
        raise invalid_state(booking)
    if timezone.now() < booking.start:
        raise Invalid(_("The booking has not started yet."), code="not_started")
    _change(booking, to=BookingStatus.NO_SHOW, actor=user, reason=reason)
    messaging.drop_reminders(booking)
    return booking
