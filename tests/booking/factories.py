import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from booking.models import Category, Closure, Equipment, Line, OpeningHours


class EquipmentFactory(DjangoModelFactory):
    class Meta:
        model = Equipment

    name = factory.Sequence(lambda n: f"Mélangeur planétaire {n}")
    category = Category.PROTOTYPING
    line = Line.COSMETICS
    location = "Halle A"
    slot_minutes = 30
    min_duration_minutes = 30
    max_duration_minutes = 240
    buffer_minutes = 0
    lead_time_minutes = 0
    horizon_days = 120
    cancellation_deadline_hours = 24
    hourly_rate_member = Decimal("100.00")
    hourly_rate_non_member = Decimal("200.00")


class OpeningHoursFactory(DjangoModelFactory):
    class Meta:
        model = OpeningHours

    weekday = 0
    opens_at = datetime.time(8, 30)
    closes_at = datetime.time(17, 30)


class ClosureFactory(DjangoModelFactory):
    class Meta:
        model = Closure

    reason = "Maintenance"


def lab_open_weekdays(opens=datetime.time(8, 30), closes=datetime.time(17, 30), **extra):
    """Lab-wide Monday to Friday hours (plus ``extra`` such as validity dates)."""
    return [
        OpeningHoursFactory(weekday=d, opens_at=opens, closes_at=closes, **extra) for d in range(5)
    ]
