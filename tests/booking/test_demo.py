import pytest

from booking import demo
from booking.models import Booking, Closure, Equipment, OpeningHours
from caiac.accounts import demo as accounts_demo

pytestmark = pytest.mark.django_db


def test_demo_lab_is_realistic_and_seeding_twice_changes_nothing():
    from trainings.models import Course

    course = Course.objects.create(title="Safe use of the vacuum emulsifier")
    ctx, _lines = accounts_demo.seed()
    demo.seed(ctx)
    counts = [m.objects.count() for m in (Equipment, OpeningHours, Closure, Booking)]
    demo.seed(ctx)
    assert [m.objects.count() for m in (Equipment, OpeningHours, Closure, Booking)] == counts
    assert counts[0] >= 10 and counts[3] >= 5
    assert {e.category for e in Equipment.objects.all()} == {
        "prototyping",
        "transformation",
        "packaging",
    }
    assert Equipment.objects.get(name__startswith="Vacuum emulsifier").required_course == course
    assert OpeningHours.objects.filter(label="Ramadan 2027").count() == 5
