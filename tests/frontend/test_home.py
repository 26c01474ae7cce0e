"""The home page knows each role, on the demo data of a real-looking day (``seed_demo`` loaded
on a Wednesday at 15:00): a member's next bookings and sessions, certifications, free lab hours
and what waits for them; a trainer's attendance to take; staff's day in the lab; a juror's
applications to score. Never another organisation's booking, and a bounded number of queries."""

import datetime
import io
import re

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from booking.models import Booking, BookingStatus, Equipment
from booking.selectors import free_slots
from caiac.accounts.models import User
from caiac.clock import wall_clock
from trainings.models import Enrolment, Session

WEDNESDAY_3PM = wall_clock(datetime.date(2026, 12, 9), datetime.time(15, 0))
NEXT_MONDAY = wall_clock(datetime.date(2026, 12, 14), datetime.time(0))
PEOPLE = ("fatima", "youssef", "hamid", "salma", "khadija", "trainer", "staff", "jury1")
MAX_QUERIES = 20
pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def day(django_db_setup, django_db_blocker):
    """Each person's home on the demo day (status, HTML, queries), plus facts of the data; the
    demo is loaded twice (the second time must change nothing), then rolled back."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        time_machine.travel(WEDNESDAY_3PM, tick=False),
        transaction.atomic(),
    ):
        cache.clear()
        call_command("seed_demo", stdout=io.StringIO())
        counts = (Booking.objects.count(), Session.objects.count(), Enrolment.objects.count())
        call_command("seed_demo", stdout=io.StringIO())
        again = (Booking.objects.count(), Session.objects.count(), Enrolment.objects.count())
        User.objects.update(language="fr")  # fatima reads Arabic: the assertions are in French
        homes = {}
        for username in PEOPLE:
            client = Client(HTTP_ACCEPT_LANGUAGE="fr")
            client.force_login(User.objects.get(username=username))
            client.get("/")  # warm the per-process caches
            with CaptureQueriesContext(connection) as queries:
                response = client.get("/")
            homes[username] = (response.status_code, response.content.decode(), len(queries))
        facts = {
            "counts": (counts, again),
            "fatima_bookings": {
                b.pk: b
                for b in Booking.objects.filter(organisation__memberships__user__username="fatima")
            },
            "today": list(
                Booking.objects.filter(
                    start__date=datetime.date(2026, 12, 9), kind="member"
                ).values_list("equipment__name", "status", "organisation__name")
            ),
            "pending": Booking.objects.filter(status=BookingStatus.PENDING).count(),
            "this_week": Booking.objects.filter(
                start__gte=wall_clock(datetime.date(2026, 12, 7), datetime.time(0)),
                start__lt=NEXT_MONDAY,
                kind="member",
            ).count(),
            "free_next_week": {
                machine.name: bool(
                    free_slots(
                        equipment=machine,
                        start=NEXT_MONDAY,
                        end=NEXT_MONDAY + datetime.timedelta(days=7),
                    )
                )
                for machine in Equipment.objects.filter(status="available")
            },
        }
        transaction.set_rollback(True)
    cache.clear()
    return homes, facts


def section(html: str, section_id: str) -> str:
    match = re.search(rf'<section[^>]*id="{section_id}".*?</section>', html, re.S)
    return match.group(0) if match else ""


@pytest.mark.parametrize("username", PEOPLE)
def test_each_home_answers_within_20_queries(day, username):
    status, _html, queries = day[0][username]
    assert status == 200
    assert queries <= MAX_QUERIES


def test_the_demo_makes_today_real_and_loading_it_twice_changes_nothing(day):
    _homes, facts = day
    counts, again = facts["counts"]
    assert counts == again
    today = facts["today"]
    assert len(today) >= 4  # bookings on the day the demo is loaded, morning and afternoon
    assert {"Coopérative Féminine Amalou Argan", "Atlas Essences SARL"} <= {o for *_, o in today}
    assert facts["pending"] >= 1  # one awaits approval


def test_the_demo_has_bookings_this_week_and_every_machine_free_slots_next_week(day):
    _homes, facts = day
    assert facts["this_week"] >= 8  # Monday to Wednesday's, the days before the demo was loaded
    assert facts["free_next_week"] and all(facts["free_next_week"].values())


def test_a_members_home_lists_her_next_bookings_sessions_certifications_and_hours(day):
    html = day[0]["fatima"][1]
    bookings = section(html, "next-bookings")
    assert "Autoclave (75 L)" in bookings  # tomorrow morning
    assert "Mélangeur planétaire (20 L)" not in bookings  # this morning's: over
    assert "Accueil sécurité de la halle" in section(html, "next-sessions")  # French title
    assert "Distillation d" in section(html, "certifications")
    assert section(html, "lab-hours")
    assert "Coopérative Féminine Amalou Argan" in section(html, "organisations")


def test_a_member_on_a_waiting_list_sees_her_position(day):
    sessions = section(day[0]["hamid"][1], "next-sessions")
    assert "n° 1" in sessions


def test_what_waits_for_a_member_an_overdue_milestone_or_a_booking_awaiting_approval(day):
    waiting = section(day[0]["salma"][1], "waiting")
    assert "Test de stabilité de la formulation" in waiting
    assert 'data-status="overdue"' in waiting
    waiting = section(day[0]["khadija"][1], "waiting")
    assert "Lyophilisateur pilote" in waiting and 'data-status="pending"' in waiting
    waiting = section(day[0]["fatima"][1], "waiting")  # due in ten days, whatever the day
    assert "Emballage export" in waiting and 'data-status="overdue"' not in waiting


def test_a_home_never_shows_another_organisations_booking(day):
    homes, facts = day
    youssef = homes["youssef"][1]
    assert facts["fatima_bookings"]
    for pk in facts["fatima_bookings"]:
        assert f'id="home-booking-{pk}"' not in youssef


def test_a_trainers_home_shows_the_ended_session_whose_attendance_is_to_take(day):
    html = day[0]["trainer"][1]
    due = section(html, "attendance-due")
    assert "Accueil sécurité de la halle" in due
    assert "3 personnes non pointées" in due
    teaching = section(html, "teaching")  # the full safety induction: 3 places, 5 people
    assert "3/3 inscrits" in teaching and "2 en attente" in teaching
    assert not section(html, "next-bookings")  # no organisation: no member sections


def test_staffs_home_links_to_the_day_in_the_lab_with_its_figures(day):
    homes, facts = day
    html = homes["staff"][1]
    assert 'href="/lab/today/"' in html
    today = re.search(r'id="stat-today".*?<span class="stat d-block">(\d+)</span>', html, re.S)
    assert today and int(today.group(1)) == len(facts["today"])
    approvals = re.search(
        r'id="stat-approvals".*?<span class="stat d-block">(\d+)</span>', html, re.S
    )
    assert approvals and int(approvals.group(1)) == facts["pending"]
    assert re.search(r'id="stat-utilisation".*?\d+\xa0%', html, re.S)


def test_a_jurors_home_lists_the_applications_to_score(day):
    waiting = section(day[0]["jury1"][1], "waiting")
    assert "Souss Bio Snacks" in waiting
    assert "/score/" in waiting
