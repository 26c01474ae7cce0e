"""A machine anyone may book at any minute, for tests that book through the real API."""

import datetime

from django.utils import timezone

from tests.booking.factories import EquipmentFactory, OpeningHoursFactory


def machine_open_around_the_clock(name: str = "Autoclave"):
    machine = EquipmentFactory(
        name=name, slot_minutes=1, min_duration_minutes=1, lead_time_minutes=0
    )
    for weekday in range(7):
        OpeningHoursFactory(
            equipment=machine,
            weekday=weekday,
            opens_at=datetime.time(0, 0),
            closes_at=datetime.time(23, 59),
        )
    return machine


def slot(machine, minutes_from_now: int) -> dict:
    """A one-minute booking payload (fails only in the last minutes of a local day)."""
    start = (timezone.now() + datetime.timedelta(minutes=minutes_from_now)).replace(
        second=0, microsecond=0
    )
    end = start + datetime.timedelta(minutes=1)
    return {"equipment": machine.pk, "start": start.isoformat(), "end": end.isoformat()}
