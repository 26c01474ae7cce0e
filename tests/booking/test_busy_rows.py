"""What takes a machine over a range, read by the hand-written query behind availability and the
booking grid: its edges, who is named, closures, training holds and their translated titles, and
aware datetimes equal to the stored ones on both databases."""

import datetime

import pytest
from django.utils import translation

from booking import selectors, services
from booking.models import Booking, BookingStatus
from tests.booking.conftest import local
from tests.booking.factories import ClosureFactory, EquipmentFactory
from tests.trainings.factories import CourseFactory
from trainings.services import session_create


def busy(machine, viewer, start, end):
    return [
        (b.kind, b.label, b.title, b.start, b.end)
        for b in selectors.busy_blocks(equipment=machine, start=start, end=end, viewer=viewer)
    ]


def book(user, machine, start, end):
    return services.booking_create(user=user, equipment=machine, start=start, end=end)


def test_a_range_holds_what_overlaps_it_and_not_what_only_touches_its_edges(
    frozen, member, machine
):
    before = book(member, machine, local(2026, 11, 25, 9), local(2026, 11, 25, 10))
    across_start = book(member, machine, local(2026, 11, 25, 10), local(2026, 11, 25, 11))
    inside = book(member, machine, local(2026, 11, 25, 12), local(2026, 11, 25, 13))
    across_end = book(member, machine, local(2026, 11, 25, 14), local(2026, 11, 25, 15))
    after = book(member, machine, local(2026, 11, 25, 15), local(2026, 11, 25, 16))
    cancelled = book(member, machine, local(2026, 11, 25, 13), local(2026, 11, 25, 14))
    Booking.objects.filter(pk=cancelled.pk).update(status=BookingStatus.CANCELLED)

    rows = busy(machine, member, local(2026, 11, 25, 10, 30), local(2026, 11, 25, 14, 30))

    name = "Coopérative Amalou"
    assert rows == [
        ("booking", name, "", across_start.start, across_start.blocked_until),
        ("booking", name, "", inside.start, inside.blocked_until),
        ("booking", name, "", across_end.start, across_end.blocked_until),
    ]
    assert all(start.utcoffset() == datetime.timedelta(0) for _k, _l, _t, start, _e in rows)
    # exactly at the edges: [10:00, 15:00) touches the first booking's end and the last's start
    edges = busy(machine, member, local(2026, 11, 25, 10), local(2026, 11, 25, 15))
    assert before.pk and after.pk
    assert [row[3] for row in edges] == [
        across_start.start,
        inside.start,
        across_end.start,
    ]


def test_a_booking_blocks_until_its_buffer_ends(frozen, member, lab_hours):
    machine = EquipmentFactory(buffer_minutes=30)
    booking = book(member, machine, local(2026, 11, 25, 9), local(2026, 11, 25, 10))
    assert booking.blocked_until == local(2026, 11, 25, 10, 30)
    # a range that starts inside the buffer still sees the booking, to the buffer's end
    rows = busy(machine, member, local(2026, 11, 25, 10, 15), local(2026, 11, 25, 12))
    assert [(r[3], r[4]) for r in rows] == [(local(2026, 11, 25, 9), local(2026, 11, 25, 10, 30))]


def test_names_go_to_staff_and_to_the_booking_organisation_only(
    frozen, member, other_member, staff, machine
):
    book(member, machine, local(2026, 11, 25, 9), local(2026, 11, 25, 10))
    book(other_member, machine, local(2026, 11, 25, 11), local(2026, 11, 25, 12))
    day = (local(2026, 11, 25), local(2026, 11, 26))
    with translation.override("fr"):
        assert [r[1] for r in busy(machine, member, *day)] == ["Coopérative Amalou", "Réservé"]
        assert [r[1] for r in busy(machine, other_member, *day)] == ["Réservé", "Atlas Essences"]
        assert [r[1] for r in busy(machine, staff, *day)] == [
            "Coopérative Amalou",
            "Atlas Essences",
        ]


def test_closures_of_this_machine_and_of_the_lab_come_with_their_reasons(frozen, member, machine):
    ClosureFactory(
        equipment=machine, start=local(2026, 11, 25, 9), end=local(2026, 11, 25, 10), reason="Ent"
    )
    ClosureFactory(
        equipment=None, start=local(2026, 11, 25, 11), end=local(2026, 11, 25, 12), reason="Fête"
    )
    ClosureFactory(
        equipment=EquipmentFactory(),
        start=local(2026, 11, 25, 13),
        end=local(2026, 11, 25, 14),
        reason="Ailleurs",
    )
    ClosureFactory(  # ends where the range starts: not in it
        equipment=machine, start=local(2026, 11, 24, 9), end=local(2026, 11, 25), reason="Hier"
    )
    rows = busy(machine, member, local(2026, 11, 25), local(2026, 11, 26))
    assert rows == [
        ("closure", "Ent", "", local(2026, 11, 25, 9), local(2026, 11, 25, 10)),
        ("closure", "Fête", "", local(2026, 11, 25, 11), local(2026, 11, 25, 12)),
    ]


@pytest.mark.parametrize(
    ("language", "label", "title"),
    [("fr", "Formation", "Émulsion à froid"), ("ar", "تكوين", "الاستحلاب البارد")],
)
def test_a_training_hold_shows_its_course_in_the_viewers_language(
    frozen, member, staff, trainer, machine, language, label, title
):
    course = CourseFactory(
        title="Émulsion à froid", translations={"ar": {"title": "الاستحلاب البارد"}}
    )
    session_create(
        by=staff,
        course=course,
        trainer=trainer,
        place="Halle Technologique",
        start=local(2026, 11, 25, 9),
        end=local(2026, 11, 25, 12),
        capacity=4,
        equipment=machine.pk,
    )
    with translation.override(language):
        rows = busy(machine, member, local(2026, 11, 25), local(2026, 11, 26))
    assert rows == [("training", label, title, local(2026, 11, 25, 9), local(2026, 11, 25, 12))]
