import datetime
import zoneinfo

import pytest
import time_machine

from tests.booking.factories import EquipmentFactory, lab_open_weekdays

CASA = zoneinfo.ZoneInfo("Africa/Casablanca")


def local(*args) -> datetime.datetime:
    """An aware Casablanca wall-clock datetime (re-derived by zoneinfo for that date)."""
    return datetime.datetime(*args, tzinfo=CASA)


@pytest.fixture
def frozen():
    """Monday 23 November 2026, 07:00 in Casablanca (UTC+0 since the 2026c change)."""
    with time_machine.travel(local(2026, 11, 23, 7, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def lab_hours(db):
    return lab_open_weekdays()


@pytest.fixture
def machine(lab_hours):
    return EquipmentFactory(name="Mélangeur planétaire")
