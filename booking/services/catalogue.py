"""Staff-side writes: machines, opening hours, closures.

A change that takes time away from live bookings (a closure, a machine leaving service, opening
hours that shrink) goes through ``booking.services.disruptions``: with ``dry_run=True`` it only
lists the bookings it hits; without, it writes and cancels them in the same transaction.
"""

import copy
from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from booking import selectors
from booking.models import Closure, Equipment, EquipmentStatus, OpeningHours
from booking.services.disruptions import CatalogueChange, Cause, cancel_hit_bookings
from booking.services.locks import lock_machines
from caiac import access
from caiac.accounts.models import User
from caiac.errors import Invalid

EQUIPMENT_RULE_FIELDS = ("slot_minutes", "min_duration_minutes", "max_duration_minutes")
EQUIPMENT_DEFAULTS = {"slot_minutes": 30, "min_duration_minutes": 30, "max_duration_minutes": 480}


def check_equipment(values: dict[str, Any]) -> None:
    """The slot rules of a machine: a positive step, durations on the step, max ≥ min."""
    step = values.get("slot_minutes", 30)
    shortest = values.get("min_duration_minutes", 30)
    longest = values.get("max_duration_minutes", 480)
    if step is None or step <= 0:
        raise Invalid(
            _("The slot step must be positive."),
            fields={"slot_minutes": [str(_("Must be more than 0."))]},
        )
    if longest < shortest:
        raise Invalid(
            _("The maximum duration is shorter than the minimum."),
            fields={"max_duration_minutes": [str(_("Must be at least the minimum duration."))]},
        )
    for name, value in (("min_duration_minutes", shortest), ("max_duration_minutes", longest)):
        if value <= 0 or value % step:
            raise Invalid(
                _("Durations must be whole multiples of the slot step (%(step)s minutes).")
                % {"step": step},
                fields={name: [str(_("Not a multiple of the slot step."))]},
            )
    for name in ("hourly_rate_member", "hourly_rate_non_member"):
        if values.get(name) is not None and values[name] < 0:
            raise Invalid(
                _("A rate cannot be negative."), fields={name: [str(_("Must not be negative."))]}
            )


@transaction.atomic
def equipment_create(*, by: User, **values: Any) -> Equipment:
    access.require_staff(by)
    check_equipment(values)
    return Equipment.objects.create(**values)


def _status_cause(status: str) -> str:
    return Cause.RETIRED if status == EquipmentStatus.RETIRED else Cause.MAINTENANCE


@transaction.atomic
def equipment_update(
    *, by: User, equipment: Equipment, dry_run: bool = False, reason: str = "", **values: Any
) -> CatalogueChange[Equipment]:
    """Edit a machine. Taking it out of service (maintenance, retired) hits its live bookings
    that are not over yet: listed on a dry run, cancelled with ``reason`` otherwise."""
    access.require_staff(by)
    current = {f: getattr(equipment, f) for f in EQUIPMENT_RULE_FIELDS}
    check_equipment({**current, **values})
    new_status = values.get("status", equipment.status)
    leaves_service = new_status != equipment.status and new_status != EquipmentStatus.AVAILABLE
    if dry_run:
        affected = (
            selectors.bookings_hit_by_status(equipment=equipment, status=new_status)
            if leaves_service
            else []
        )
        return CatalogueChange(instance=equipment, affected=affected, dry_run=True)
    equipment = Equipment.objects.select_for_update().get(pk=equipment.pk)
    for field, value in values.items():
        setattr(equipment, field, value)
    equipment.save()
    affected = []
    if leaves_service:
        affected = cancel_hit_bookings(
            by=by,
            bookings=selectors.bookings_hit_by_status(equipment=equipment, status=new_status),
            cause=_status_cause(new_status),
            reason=reason,
        )
    return CatalogueChange(instance=equipment, affected=affected, dry_run=False)


# --- Opening hours ----------------------------------------------------------------------------


def _check_hours(values: dict[str, Any]) -> None:
    if values["closes_at"] <= values["opens_at"]:
        raise Invalid(
            _("Closing time must be after opening time."),
            fields={"closes_at": [str(_("Must be after the opening time."))]},
        )
    valid_from, valid_until = values.get("valid_from"), values.get("valid_until")
    if valid_from and valid_until and valid_until < valid_from:
        raise Invalid(
            _("The validity ends before it starts."),
            fields={"valid_until": [str(_("Must not be before valid from."))]},
        )


def _hours_change(
    *,
    by: User,
    rules_after: list[OpeningHours],
    write,
    instance: OpeningHours,
    dry_run: bool,
    reason: str,
    machines: tuple = (None,),
) -> CatalogueChange[OpeningHours]:
    if not dry_run:
        lock_machines(*machines)  # before reading the bookings it hits (booking.services.locks)
    affected = selectors.bookings_hit_by_hours(rules_after=rules_after)
    if dry_run:
        return CatalogueChange(instance=instance, affected=affected, dry_run=True)
    instance = write()
    cancelled = cancel_hit_bookings(
        by=by, bookings=affected, cause=Cause.OPENING_HOURS, reason=reason
    )
    return CatalogueChange(instance=instance, affected=cancelled, dry_run=False)


@transaction.atomic
def opening_hours_create(
    *, by: User, dry_run: bool = False, reason: str = "", **values: Any
) -> CatalogueChange[OpeningHours]:
    """A new weekly rule. The first rule of a machine replaces the lab's hours for it, and the
    first dated rule of a period replaces the default timetable on those dates: either may stop
    covering live bookings, which are listed (dry run) or cancelled."""
    access.require_staff(by)
    _check_hours(values)
    rule = OpeningHours(**values)

    def write() -> OpeningHours:
        rule.save()
        return rule

    rules_after = [*OpeningHours.objects.all(), rule]
    return _hours_change(
        by=by, rules_after=rules_after, write=write, instance=rule, dry_run=dry_run,
        reason=reason, machines=(rule.equipment_id,),
    )  # fmt: skip


@transaction.atomic
def opening_hours_update(
    *, by: User, rule: OpeningHours, dry_run: bool = False, reason: str = "", **values: Any
) -> CatalogueChange[OpeningHours]:
    access.require_staff(by)
    candidate = copy.copy(rule)
    for field, value in values.items():
        setattr(candidate, field, value)
    _check_hours(
        {f: getattr(candidate, f) for f in ("opens_at", "closes_at", "valid_from", "valid_until")}
    )
    rules_after = [candidate if r.pk == rule.pk else r for r in OpeningHours.objects.all()]

    def write() -> OpeningHours:
        candidate.save()
        return candidate

    return _hours_change(
        by=by,
        rules_after=rules_after,
        write=write,
        instance=candidate,
        dry_run=dry_run,
        reason=reason,
        machines=(rule.equipment_id, candidate.equipment_id),
    )


@transaction.atomic
def opening_hours_delete(
    *, by: User, rule: OpeningHours, dry_run: bool = False, reason: str = ""
) -> CatalogueChange[OpeningHours]:
    access.require_staff(by)
    rules_after = [r for r in OpeningHours.objects.all() if r.pk != rule.pk]

    def write() -> OpeningHours:
        OpeningHours.objects.filter(pk=rule.pk).delete()
        return rule

    return _hours_change(
        by=by, rules_after=rules_after, write=write, instance=rule, dry_run=dry_run,
        reason=reason, machines=(rule.equipment_id,),
    )  # fmt: skip


# --- Closures ---------------------------------------------------------------------------------


def _check_closure(values: dict[str, Any]) -> None:
    if values["end"] <= values["start"]:
        raise Invalid(
            _("A closure must end after it starts."),
            fields={"end": [str(_("Must be after the start."))]},
        )
    if not (values.get("reason") or "").strip():
        raise Invalid(
            _("Say why the lab or the machine is closed (the bookers are told)."),
            fields={"reason": [str(_("This field is required."))]},
        )


@transaction.atomic
def closure_create(
    *,
    by: User,
    start,
    end,
    reason: str,
    equipment: Equipment | None = None,
    dry_run: bool = False,
) -> CatalogueChange[Closure]:
    """Close the lab (no machine) or one machine for [start, end). Live bookings overlapping it
    are listed (dry run) or cancelled with the closure's reason."""
    access.require_staff(by)
    _check_closure({"start": start, "end": end, "reason": reason})
    closure = Closure(equipment=equipment, start=start, end=end, reason=reason.strip())
    if not dry_run:
        # The machine (every machine for the lab) is locked before its bookings are read: a
        # booking being made at this moment is either seen here and cancelled, or waits and
        # then meets the closure (booking.services.locks).
        lock_machines(equipment)
    affected = selectors.bookings_hit_by_closure(equipment=equipment, start=start, end=end)
    if dry_run:
        return CatalogueChange(instance=closure, affected=affected, dry_run=True)
    closure.save()
    cancelled = cancel_hit_bookings(
        by=by, bookings=affected, cause=Cause.CLOSURE, reason=closure.reason
    )
    return CatalogueChange(instance=closure, affected=cancelled, dry_run=False)


@transaction.atomic
def closure_update(
    *, by: User, closure: Closure, dry_run: bool = False, **values: Any
) -> CatalogueChange[Closure]:
    """Move, extend or re-scope a closure; the live bookings it now overlaps are hit."""
    access.require_staff(by)
    candidate = copy.copy(closure)
    for field, value in values.items():
        setattr(candidate, field, value)
    _check_closure({"start": candidate.start, "end": candidate.end, "reason": candidate.reason})
    if not dry_run:
        lock_machines(closure.equipment_id, candidate.equipment_id)  # as closure_create does
    affected = selectors.bookings_hit_by_closure(
        equipment=candidate.equipment_id, start=candidate.start, end=candidate.end
    )
    if dry_run:
        return CatalogueChange(instance=candidate, affected=affected, dry_run=True)
    candidate.save()
    cancelled = cancel_hit_bookings(
        by=by, bookings=affected, cause=Cause.CLOSURE, reason=candidate.reason
    )
    return CatalogueChange(instance=candidate, affected=cancelled, dry_run=False)


@transaction.atomic
def closure_delete(*, by: User, closure: Closure) -> None:
    """Reopening gives time back; cancelled bookings stay cancelled (their bookers re-book)."""
    access.require_staff(by)
    Closure.objects.filter(pk=closure.pk).delete()
