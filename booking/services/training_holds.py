"""The machine a training session holds: a booking row of kind ``training`` (docs/contracts.md).

Registered into ``trainings.machines`` by ``BookingConfig.ready``; the session services call it
in their transaction after every save. The hold takes [start, end) plus the machine's buffer,
like any booking, so the exclusion constraint ``booking_no_overlap`` (PostgreSQL) keeps it
and members' bookings apart; on SQLite the IMMEDIATE transaction serialises the check and the
write, as for bookings.

A session is never put over live bookings: it is refused with ``slot_unavailable`` (409), and
the detail names the bookings in the way, for the lab to move or cancel them first. The member
rules of a machine (opening hours, slot steps, lead time, horizon, durations) do not apply to
the lab's own trainings; its status and closures do.
"""

import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from booking import selectors
from booking.models import Booking, BookingKind, BookingStatus, Equipment, EquipmentStatus
from booking.services.bookings import OVERLAP_CONSTRAINT, record_event
from booking.services.locks import lock_machine
from caiac.accounts.models import User
from caiac.errors import Conflict, Invalid
from trainings.machines import UNCHANGED
from trainings.models import Session, SessionStatus


def machine_taken(equipment: Equipment, clashes: list[Booking] | None = None) -> Conflict:
    detail = _("The %(machine)s is already booked during this session.") % {
        "machine": equipment.name
    }
    if clashes:
        times = ", ".join(
            f"{timezone.localtime(b.start):%d/%m %H:%M}-{timezone.localtime(b.end):%H:%M}"
            for b in clashes[:5]
        )
        detail = f"{detail} ({times})"
    return Conflict(detail, code="slot_unavailable", fields={"equipment": [str(detail)]})


def _resolve(equipment: Equipment | int) -> Equipment:
    pk = equipment.pk if isinstance(equipment, Equipment) else equipment
    try:
        return Equipment.objects.get(pk=pk)
    except (Equipment.DoesNotExist, ValueError, TypeError):
        raise Invalid(
            _("No such machine."), fields={"equipment": [str(_("No such machine."))]}
        ) from None


def _check_free(hold: Booking) -> None:
    equipment = hold.equipment
    if equipment.status != EquipmentStatus.AVAILABLE:
        raise Invalid(
            _("This machine cannot be used now (%(status)s).")
            % {"status": equipment.get_status_display()},
            code="equipment_unavailable",
            fields={"equipment": []},
        )
    closures = selectors.closures_for(equipment=equipment, start=hold.start, end=hold.end)
    if closures:
        raise Invalid(
            _("The machine is closed then: %(reason)s.") % {"reason": closures[0].reason},
            code="machine_closed",
            fields={"equipment": []},
        )
    clashes = list(
        Booking.objects.filter(
            equipment=equipment,
            status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED],
            start__lt=hold.blocked_until,
            blocked_until__gt=hold.start,
        )
        .exclude(pk=hold.pk)
        .order_by("start")
    )
    if clashes:
        raise machine_taken(equipment, clashes)


class SessionMachines:
    """``trainings.machines.MachineHolder`` for this app."""

    def sync(self, *, session: Session, by: User, equipment: Any = UNCHANGED) -> None:
        try:
            self._sync(session=session, by=by, equipment=equipment)
        finally:
            # The session may have cached its former hold (``session.machine_hold``): what is
            # read next (messages, the API answer) must see the new one.
            session._state.fields_cache.pop("machine_hold", None)

    @transaction.atomic
    def _sync(self, *, session: Session, by: User, equipment: Any) -> None:
        hold = (
            Booking.objects.select_for_update()
            .select_related("equipment")
            .filter(session=session)
            .first()
        )
        if equipment is None:
            if hold is not None:
                hold.delete()  # the session no longer takes a machine
            return
        if equipment is UNCHANGED:
            if hold is None:
                return
            target = hold.equipment
        else:
            target = _resolve(equipment)
        # A session that took place (done) keeps its machine for the time it had: attendance
        # is taken during the session, which does not free the machine for the rest of it.
        live = session.status != SessionStatus.CANCELLED
        if live:  # against a closure or status change written at the same time (as bookings)
            target = lock_machine(target)
        status = BookingStatus.CONFIRMED if live else BookingStatus.CANCELLED
        blocked_until = session.end + datetime.timedelta(minutes=target.buffer_minutes)
        if hold is None:
            hold = Booking(
                kind=BookingKind.TRAINING,
                session=session,
                organisation=None,
                status=status,
                notes=str(session.course),
            )
            from_status = ""
        else:
            from_status = hold.status
            before = (hold.equipment_id, hold.start, hold.end, hold.status)
            if before != (target.pk, session.start, session.end, status):
                hold.revise()
        hold.equipment = target
        hold.booked_by_id = session.trainer_id
        hold.start, hold.end, hold.blocked_until = session.start, session.end, blocked_until
        hold.status = status
        if live:
            _check_free(hold)
        try:
            with transaction.atomic():
                hold.save()
        except IntegrityError as exc:
            if OVERLAP_CONSTRAINT in str(exc):
                raise machine_taken(target) from exc
            raise
        if from_status != hold.status:
            record_event(hold, actor=by, from_status=from_status)
