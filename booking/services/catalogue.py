"""Staff-side writes: machines, opening hours, closures."""

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from booking.models import Closure, Equipment, OpeningHours
from caiac.errors import Invalid


def _check_equipment(values: dict[str, Any]) -> None:
    step = values.get("slot_minutes", 30)
    shortest = values.get("min_duration_minutes", 30)
    longest = values.get("max_duration_minutes", 480)
    if step <= 0:
        raise Invalid(_("The slot step must be positive."), fields={"slot_minutes": ["> 0"]})
    if longest < shortest:
        raise Invalid(
            _("The maximum duration is shorter than the minimum."),
            fields={"max_duration_minutes": [str(_("Must be at least the minimum duration."))]},
        )
    for name, value in (("min_duration_minutes", shortest), ("max_duration_minutes", longest)):
        if value % step:
            raise Invalid(
                _("Durations must be whole multiples of the slot step."),
                fields={name: [str(_("Not a multiple of the slot step."))]},
            )


@transaction.atomic
def equipment_create(**values: Any) -> Equipment:
    _check_equipment(values)
    return Equipment.objects.create(**values)


@transaction.atomic
def equipment_update(*, equipment: Equipment, **values: Any) -> Equipment:
    current = {
        f: getattr(equipment, f)
        for f in ("slot_minutes", "min_duration_minutes", "max_duration_minutes")
    }
    _check_equipment({**current, **values})
    for field, value in values.items():
        setattr(equipment, field, value)
    equipment.save()
    return equipment


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


@transaction.atomic
def opening_hours_create(**values: Any) -> OpeningHours:
    _check_hours(values)
    return OpeningHours.objects.create(**values)


@transaction.atomic
def opening_hours_update(*, rule: OpeningHours, **values: Any) -> OpeningHours:
    merged = {f: getattr(rule, f) for f in ("opens_at", "closes_at", "valid_from", "valid_until")}
    _check_hours({**merged, **values})
    for field, value in values.items():
        setattr(rule, field, value)
    rule.save()
    return rule


def _check_closure(values: dict[str, Any]) -> None:
    if values["end"] <= values["start"]:
        raise Invalid(
            _("A closure must end after it starts."),
            fields={"end": [str(_("Must be after the start."))]},
        )


@transaction.atomic
def closure_create(**values: Any) -> Closure:
    _check_closure(values)
    return Closure.objects.create(**values)


@transaction.atomic
def closure_update(*, closure: Closure, **values: Any) -> Closure:
    _check_closure({"start": closure.start, "end": closure.end, **values})
    for field, value in values.items():
        setattr(closure, field, value)
    closure.save()
    return closure
