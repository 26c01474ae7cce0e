"""A training session on a machine holds it for its time, like a booking."""

import threading

import pytest
import time_machine
from django.db import connection

from booking import selectors as booking_selectors
from booking import services as booking_services
from booking.models import Booking, BookingKind, BookingStatus
from caiac.errors import Conflict
from tests.booking.conftest import local
from tests.booking.factories import ClosureFactory, EquipmentFactory, lab_open_weekdays
from tests.factories import PASSWORD
from tests.trainings.factories import CourseFactory
from trainings.services import session_cancel, session_create, session_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def frozen():
    """Monday 23 November 2026, 07:00 in Casablanca (as tests/booking)."""
    with time_machine.travel(local(2026, 11, 23, 7, 0), tick=False) as traveller:
        yield traveller


@pytest.fixture
def machine(db):
    lab_open_weekdays()
    return EquipmentFactory(name="Émulsionneur sous vide")


def schedule(by, trainer, machine, *, start=None, end=None, **extra):
    return session_create(
        by=by,
        course=CourseFactory(title="Conduite de l\u2019émulsionneur sous vide"),
        trainer=trainer,
        place="Halle Technologique",
        start=start or local(2026, 11, 25, 9),
        end=end or local(2026, 11, 25, 12),
        capacity=6,
        equipment=machine.pk if machine else None,
        **extra,
    )


def book(client, machine, start, end):
    return client.post(
        "/api/v1/bookings/",
        {"equipment": machine.pk, "start": start.isoformat(), "end": end.isoformat()},
        format="json",
    )


def test_a_booking_inside_a_training_session_is_refused_with_409(
    frozen, client_for, member, staff, trainer, machine
):
    schedule(staff, trainer, machine)
    response = book(client_for(member), machine, local(2026, 11, 25, 10), local(2026, 11, 25, 11))
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"


def test_availability_leaves_out_the_session_and_shows_it_as_formation(
    frozen, client_for, member, staff, trainer, machine
):
    schedule(staff, trainer, machine)
    response = client_for(member).get(
        f"/api/v1/equipment/{machine.pk}/availability/",
        {"start": local(2026, 11, 25, 0).isoformat(), "end": local(2026, 11, 26, 0).isoformat()},
    )
    assert response.status_code == 200
    free = [(i["start"], i["end"]) for i in response.json()["free"]]
    assert free == [
        ("2026-11-25T08:30:00Z", "2026-11-25T09:00:00Z"),
        ("2026-11-25T12:00:00Z", "2026-11-25T17:30:00Z"),
    ]
    (busy,) = response.json()["busy"]
    assert (busy["kind"], busy["label"]) == ("training", "Formation")
    assert busy["title"] == "Conduite de l\u2019émulsionneur sous vide"
    assert (busy["start"], busy["end"]) == (
        "2026-11-25T09:00:00Z",
        "2026-11-25T12:00:00Z",
    )


@pytest.mark.parametrize(("language", "label"), [("fr", "Formation"), ("ar", "تكوين")])
def test_the_booking_grid_shows_the_session_as_formation_with_its_course(
    frozen, client, member, staff, trainer, machine, language, label
):
    schedule(staff, trainer, machine)  # Wednesday 09:00-12:00: six half-hour cells
    member.language = language
    member.save()
    client.login(username=member.username, password=PASSWORD)
    page = client.get(f"/lab/machines/{machine.pk}/?week=2026-11-23").content.decode()
    assert page.count("cell state-training") == 6
    assert "cell state-taken" not in page
    assert page.count(f'{label}<span class="cell-course"> · ') == 6
    assert page.count("Conduite de l\u2019émulsionneur sous vide") >= 6


def test_availability_names_only_the_viewers_own_bookings(
    frozen, client_for, member, other_member, machine
):
    booking_services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 25, 9), end=local(2026, 11, 25, 10)
    )
    query = {"start": local(2026, 11, 25, 0).isoformat(), "end": local(2026, 11, 26).isoformat()}
    url = f"/api/v1/equipment/{machine.pk}/availability/"
    mine = client_for(member).get(url, query).json()["busy"]
    theirs = client_for(other_member).get(url, query).json()["busy"]
    assert [b["label"] for b in mine] == ["Coopérative Amalou"]
    assert [b["label"] for b in theirs] == ["Réservé"]


def test_a_session_over_live_bookings_is_refused_naming_them(
    frozen, member, staff, trainer, machine
):
    booking_services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 25, 10), end=local(2026, 11, 25, 11)
    )
    with pytest.raises(Conflict) as refused:
        schedule(staff, trainer, machine)
    assert refused.value.code == "slot_unavailable"
    assert "25/11 10:00-11:00" in str(refused.value.message)
    assert "equipment" in refused.value.fields
    assert not Booking.objects.filter(kind=BookingKind.TRAINING).exists()


def test_the_api_refuses_a_session_over_a_booking_with_409(
    frozen, client_for, member, staff, trainer, machine
):
    booking_services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 25, 10), end=local(2026, 11, 25, 11)
    )
    response = client_for(staff).post(
        "/api/v1/trainings/sessions/",
        {
            "course": CourseFactory().pk,
            "trainer": trainer.pk,
            "place": "Halle A",
            "start": local(2026, 11, 25, 9).isoformat(),
            "end": local(2026, 11, 25, 12).isoformat(),
            "capacity": 4,
            "equipment": machine.pk,
        },
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"


def test_the_api_shows_the_machine_a_session_holds(frozen, client_for, staff, trainer, machine):
    session = schedule(staff, trainer, machine)
    data = client_for(staff).get(f"/api/v1/trainings/sessions/{session.pk}/").json()
    assert (data["equipment"], data["equipment_name"]) == (machine.pk, machine.name)


def test_a_session_on_a_closed_or_unknown_machine_is_refused(frozen, staff, trainer, machine):
    ClosureFactory(equipment=machine, start=local(2026, 11, 25), end=local(2026, 11, 26))
    with pytest.raises(Exception) as closed:
        schedule(staff, trainer, machine)
    assert closed.value.code == "machine_closed"
    with pytest.raises(Exception) as unknown:
        session_create(
            by=staff,
            course=CourseFactory(),
            trainer=trainer,
            place="Halle A",
            start=local(2026, 11, 26, 9),
            end=local(2026, 11, 26, 10),
            capacity=2,
            equipment=987654,
        )
    assert "equipment" in unknown.value.fields


def test_moving_a_session_moves_its_hold_and_cancelling_frees_the_machine(
    frozen, client_for, member, staff, trainer, machine
):
    session = schedule(staff, trainer, machine)
    session_update(
        by=staff, session=session, start=local(2026, 11, 26, 13), end=local(2026, 11, 26, 16)
    )
    hold = Booking.objects.get(session=session)
    assert (hold.start, hold.end, hold.sequence) == (
        local(2026, 11, 26, 13),
        local(2026, 11, 26, 16),
        1,
    )
    client = client_for(member)
    assert (
        book(client, machine, local(2026, 11, 25, 10), local(2026, 11, 25, 11)).status_code == 201
    )
    assert (
        book(client, machine, local(2026, 11, 26, 14), local(2026, 11, 26, 15)).status_code == 409
    )
    session_cancel(by=staff, session=session)
    assert Booking.objects.get(session=session).status == BookingStatus.CANCELLED
    assert (
        book(client, machine, local(2026, 11, 26, 14), local(2026, 11, 26, 15)).status_code == 201
    )


def test_a_session_can_change_machine_or_give_it_up(frozen, staff, trainer, machine):
    other = EquipmentFactory(name="Autoclave")
    session = schedule(staff, trainer, machine)
    session = session_update(by=staff, session=session, equipment=other.pk)
    assert Booking.objects.get(session=session).equipment == other
    assert session.sequence == 1  # everyone's invitation now names the other machine
    session_update(by=staff, session=session, equipment=None)
    assert not Booking.objects.filter(session=session).exists()


def test_a_training_hold_is_no_members_booking(frozen, client_for, staff, trainer, machine):
    """It is managed through its session: not listed, not cancellable as a booking."""
    session = schedule(staff, trainer, machine)
    hold = Booking.objects.get(session=session)
    assert client_for(staff).get("/api/v1/bookings/").json()["results"] == []
    assert client_for(staff).post(f"/api/v1/bookings/{hold.pk}/cancel/").status_code == 404
    assert (
        booking_selectors.hours_used_by_organisations(
            organisation_ids=[], start=local(2026, 11, 1), end=local(2026, 12, 1)
        )
        == {}
    )
    report = booking_selectors.usage_report(start=local(2026, 11, 1), end=local(2026, 12, 1))
    assert report["organisations"] == []
    (row,) = [r for r in report["equipment"] if r.id == machine.pk]
    assert str(row.hours_booked) == "3.00"  # the machine was taken for three hours


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_session_and_a_booking_racing_for_one_slot_exactly_one_wins(
    frozen, staff, trainer, member, machine
):
    course = CourseFactory()
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def attempt(name, write):
        try:
            barrier.wait()
            write()
            outcomes[name] = "won"
        except Conflict as exc:
            outcomes[name] = exc.code
        except Exception as exc:
            outcomes[name] = f"error: {exc!r}"
        finally:
            connection.close()

    def train():
        session_create(
            by=staff,
            course=course,
            trainer=trainer,
            place="Halle A",
            start=local(2026, 11, 25, 9),
            end=local(2026, 11, 25, 12),
            capacity=4,
            equipment=machine.pk,
        )

    def reserve():
        booking_services.booking_create(
            user=member,
            equipment=machine,
            start=local(2026, 11, 25, 10),
            end=local(2026, 11, 25, 11),
        )

    for _ in range(5):  # several rounds: each interleaving must still leave one winner
        Booking.objects.filter(equipment=machine).delete()
        from trainings.models import Session

        Session.objects.all().delete()
        barrier.reset()
        outcomes.clear()
        threads = [
            threading.Thread(target=attempt, args=("session", train)),
            threading.Thread(target=attempt, args=("booking", reserve)),
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes.values()) == ["slot_unavailable", "won"], outcomes
        live = Booking.objects.filter(
            equipment=machine, status__in=[BookingStatus.PENDING, BookingStatus.CONFIRMED]
        )
        assert live.count() == 1
