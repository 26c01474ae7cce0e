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
    assert Equipment.objects.get(name=demo.EMULSIFIER).required_course == course
    assert OpeningHours.objects.filter(label="Ramadan 2027").count() == 5


def test_the_machines_carry_french_names_and_an_older_english_demo_is_renamed_in_place():
    ctx, _lines = accounts_demo.seed()
    older = Equipment.objects.create(name="Planetary mixer (20 L)", category="prototyping")
    demo.seed(ctx)
    older.refresh_from_db()
    assert older.name == demo.MIXER == "Mélangeur planétaire (20 L)"
    assert not Equipment.objects.filter(name__in=demo.FORMER_NAMES).exists()
    assert Equipment.objects.count() == len(demo.MACHINES)
    assert older.location == "Halle A · paillasse 1"
