"""No list and no page runs a query per row: the same number of SQL queries at N and 3N rows.

Each case reads one list endpoint or page in a world of 2 units (see ``tests/scale.py``), then
again once the world has grown to 6 units; the two counts must be equal. A failure prints the
queries of both runs, so the one repeated per row stands out.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import pytest
import time_machine
from django.contrib import admin
from django.core.cache import cache
from django.db import connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from tests.factories import StaffFactory
from tests.scale import NOW, World

SMALL, LARGE = 2, 6
# Tells pytest-django to create the test database (the module fixture below fills it).
pytestmark = pytest.mark.django_db


@dataclass(frozen=True)
class Case:
    viewer: str  # member, staff, trainer, juror, superuser, or "" for a token URL
    url: Callable[[World], str]
    api: bool = True


def _four_weeks(world: World) -> str:
    return urlencode(
        {"start": NOW.isoformat(), "end": (NOW + datetime.timedelta(days=28)).isoformat()}
    )


def _feed(world: World) -> str:
    feed = world.member.booking_feed_tokens.filter(kind="organisation").first()
    return f"/api/v1/calendar/{feed.token}.ics"


API = "/api/v1/"
# Every list endpoint of the API, as each kind of person reads it.
API_CASES = {
    "me": Case("member", lambda w: API + "me/"),
    "organisations (member)": Case("member", lambda w: API + "organisations/"),
    "organisations (staff)": Case("staff", lambda w: API + "organisations/"),
    "organisation members": Case(
        "member", lambda w: API + f"organisations/{w.organisation.pk}/members/"
    ),
    "organisation invitations": Case(
        "member", lambda w: API + f"organisations/{w.organisation.pk}/invitations/"
    ),
    "join requests (staff)": Case("staff", lambda w: API + "join-requests/"),
    "notifications": Case("member", lambda w: API + "notifications/"),
    "notifications failed (staff)": Case("staff", lambda w: API + "notifications/failed/"),
    "notification preferences": Case("member", lambda w: API + "notifications/preferences/"),
    "courses": Case("member", lambda w: API + "trainings/courses/"),
    "courses (staff)": Case("staff", lambda w: API + "trainings/courses/"),
    "sessions": Case("member", lambda w: API + "trainings/sessions/"),
    "my sessions (member)": Case("member", lambda w: API + "trainings/sessions/mine/"),
    "my sessions (trainer)": Case("trainer", lambda w: API + "trainings/sessions/mine/"),
    "session enrolments (trainer)": Case(
        "trainer", lambda w: API + f"trainings/sessions/{w.session.pk}/enrolments/"
    ),
    "session attendance csv (trainer)": Case(
        "trainer", lambda w: API + f"trainings/sessions/{w.session.pk}/attendance.csv"
    ),
    "enrolments": Case("member", lambda w: API + "trainings/enrolments/"),
    "certifications (member)": Case("member", lambda w: API + "certifications/"),
    "certifications (trainer)": Case("trainer", lambda w: API + "certifications/"),
    "certifications (staff)": Case("staff", lambda w: API + "certifications/"),
    "equipment": Case("member", lambda w: API + "equipment/"),
    "availability, 4 weeks": Case(
        "member", lambda w: API + f"equipment/{w.machine.pk}/availability/?{_four_weeks(w)}"
    ),
    "opening hours": Case("member", lambda w: API + "opening-hours/"),
    "closures": Case("member", lambda w: API + "closures/"),
    "bookings (member)": Case("member", lambda w: API + "bookings/"),
    "bookings (staff)": Case("staff", lambda w: API + "bookings/"),
    "bookings filtered (staff)": Case(
        "staff", lambda w: API + f"bookings/?equipment={w.machine.pk}&status=confirmed"
    ),
    "booking series": Case("member", lambda w: API + "booking-series/"),
    "calendar feeds": Case("member", lambda w: API + "calendar-feeds/"),
    "calendar feed .ics": Case("", _feed),
    "lab credits (member)": Case("member", lambda w: API + "lab-credits/"),
    "lab credits (staff)": Case("staff", lambda w: API + "lab-credits/"),
    "usage (staff)": Case("staff", lambda w: API + f"usage/?{_four_weeks(w)}"),
    "usage csv (staff)": Case("staff", lambda w: API + f"usage.csv?{_four_weeks(w)}"),
    "programmes": Case("member", lambda w: API + "incubation/programmes/"),
    "calls": Case("member", lambda w: API + "incubation/calls/"),
    "applications (member)": Case("member", lambda w: API + "incubation/applications/"),
    "applications (juror)": Case("juror", lambda w: API + "incubation/applications/"),
    "applications (staff)": Case("staff", lambda w: API + "incubation/applications/"),
    "evaluations (juror)": Case("juror", lambda w: API + "incubation/evaluations/"),
    "evaluations (staff)": Case("staff", lambda w: API + "incubation/evaluations/"),
    "call ranking (staff)": Case("staff", lambda w: API + f"incubation/calls/{w.call.pk}/ranking/"),
    "cohorts (member)": Case("member", lambda w: API + "incubation/cohorts/"),
    "cohorts (staff)": Case("staff", lambda w: API + "incubation/cohorts/"),
    "cohort report (staff)": Case(
        "staff", lambda w: API + f"incubation/cohorts/{w.cohort.pk}/report/"
    ),
    "cohort report csv (staff)": Case(
        "staff", lambda w: API + f"incubation/cohorts/{w.cohort.pk}/report.csv"
    ),
    "cohort report xlsx (staff)": Case(
        "staff", lambda w: API + f"incubation/cohorts/{w.cohort.pk}/report.xlsx"
    ),
    "funder report (staff)": Case("staff", lambda w: API + "incubation/reports/funder/?year=2026"),
    "cluster year (staff)": Case("staff", lambda w: API + "reports/cluster/?year=2026"),
    "cluster year csv (staff)": Case(
        "staff", lambda w: API + "reports/cluster.csv?year=2026&table=lab_bookings"
    ),
    "cluster year xlsx (staff)": Case("staff", lambda w: API + "reports/cluster.xlsx?year=2026"),
    "incubatees (member)": Case("member", lambda w: API + "incubation/incubatees/"),
    "incubatees (staff)": Case("staff", lambda w: API + "incubation/incubatees/"),
    "milestones (member)": Case("member", lambda w: API + "incubation/milestones/"),
    "milestones (staff)": Case("staff", lambda w: API + "incubation/milestones/"),
    "mentoring sessions (member)": Case("member", lambda w: API + "incubation/mentoring-sessions/"),
    "mentoring sessions (staff)": Case("staff", lambda w: API + "incubation/mentoring-sessions/"),
    "kpi reports (member)": Case("member", lambda w: API + "incubation/kpi-reports/"),
    "kpi reports (staff)": Case("staff", lambda w: API + "incubation/kpi-reports/"),
    "funding sources": Case("member", lambda w: API + "funding-sources/"),
    "projects (member)": Case("member", lambda w: API + "projects/"),
    "projects (staff)": Case("staff", lambda w: API + "projects/"),
    "project (member)": Case("member", lambda w: API + f"projects/{w.project.pk}/"),
    "project partners": Case("member", lambda w: API + f"projects/{w.project.pk}/partners/"),
    "project funding": Case("member", lambda w: API + f"projects/{w.project.pk}/funding/"),
    "project deliverables": Case(
        "member", lambda w: API + f"projects/{w.project.pk}/deliverables/"
    ),
    "project documents": Case("member", lambda w: API + f"projects/{w.project.pk}/documents/"),
    "project lab use": Case("member", lambda w: API + f"projects/{w.project.pk}/lab-use/"),
    "price list": Case("member", lambda w: API + "billing/price-list/"),
    "charges (member)": Case("member", lambda w: API + "billing/charges/"),
    "charges (staff)": Case("staff", lambda w: API + "billing/charges/"),
    "invoices (member)": Case("member", lambda w: API + "billing/invoices/"),
    "invoices (staff)": Case("staff", lambda w: API + "billing/invoices/"),
    "statement (member)": Case(
        "member", lambda w: API + f"billing/statement/?organisation={w.organisation.pk}"
    ),
    "receivables (staff)": Case("staff", lambda w: API + "billing/receivables/"),
    "journal csv (staff)": Case(
        "staff", lambda w: API + "billing/journal.csv?from=2026-01-01&to=2026-12-31"
    ),
}


def page(name: str, *args: Callable[[World], object], query: str = ""):
    def url(world: World) -> str:
        path = reverse(f"frontend:{name}", args=[arg(world) for arg in args])
        return f"{path}?{query}" if query else path

    return url


# Every page of the site, as each kind of person sees it.
PAGE_CASES = {
    "home": Case("member", page("home"), api=False),
    "home (staff)": Case("staff", page("home"), api=False),
    "home (trainer)": Case("trainer", page("home"), api=False),
    "home (juror)": Case("juror", page("home"), api=False),
    "profile": Case("member", page("profile"), api=False),
    "organisation people": Case(
        "member", page("organisation-people", lambda w: w.organisation.pk), api=False
    ),
    "join requests page (staff)": Case("staff", page("join-requests"), api=False),
    "lab catalogue": Case("member", page("booking-catalogue"), api=False),
    "machine page": Case("member", page("booking-machine", lambda w: w.machine.pk), api=False),
    "machine slots partial": Case(
        "member", page("booking-machine-slots", lambda w: w.machine.pk), api=False
    ),
    "my bookings page": Case("member", page("booking-mine"), api=False),
    "approvals page (staff)": Case("staff", page("booking-approvals"), api=False),
    "trainings page": Case("member", page("trainings"), api=False),
    "my trainings page": Case("member", page("trainings-mine"), api=False),
    "teach page (trainer)": Case("trainer", page("trainings-teach"), api=False),
    "teach page, all sessions (staff)": Case(
        "staff", page("trainings-teach", query="all=1"), api=False
    ),
    "session page (trainer)": Case(
        "trainer", page("trainings-session", lambda w: w.session.pk), api=False
    ),
    "incubation page (member)": Case("member", page("incubation"), api=False),
    "incubation page (juror)": Case("juror", page("incubation"), api=False),
    "incubation page (staff)": Case("staff", page("incubation"), api=False),
    "apply page": Case("member", page("incubation-apply", lambda w: w.call.pk), api=False),
    "ranking page (staff)": Case(
        "staff", page("incubation-ranking", lambda w: w.call.pk), api=False
    ),
    "cohort page (staff)": Case(
        "staff", page("incubation-cohort", lambda w: w.cohort.pk), api=False
    ),
    "incubatee page (member)": Case(
        "member", page("incubation-incubatee", lambda w: w.incubatee.pk), api=False
    ),
    "cluster year page (staff)": Case(
        "staff", page("staff-cluster-year", query="year=2026"), api=False
    ),
    "incubatee page (staff)": Case(
        "staff", page("incubation-incubatee", lambda w: w.incubatee.pk), api=False
    ),
    "notifications page": Case("member", page("notifications"), api=False),
    "notifications page (staff)": Case("staff", page("notifications"), api=False),
    "notification badge": Case("member", page("notifications-badge"), api=False),
    "notification preferences page": Case("member", page("notifications-preferences"), api=False),
    "projects page (member)": Case("member", page("projects"), api=False),
    "projects page (staff)": Case("staff", page("projects"), api=False),
    "project page (member)": Case("member", page("project", lambda w: w.project.pk), api=False),
    "project page (staff)": Case("staff", page("project", lambda w: w.project.pk), api=False),
    "funding sources page (staff)": Case("staff", page("funding-sources"), api=False),
    "invoices page (member)": Case("member", page("billing"), api=False),
    "invoices page (staff)": Case("staff", page("billing"), api=False),
    "invoice page (staff)": Case(
        "staff", page("billing-invoice", lambda w: w.organisation.invoices.first().pk), api=False
    ),
    "statement page (member)": Case(
        "member", page("billing-statement", lambda w: w.organisation.pk), api=False
    ),
    "charges page (staff)": Case("staff", page("billing-charges"), api=False),
    "price list page (staff)": Case("staff", page("billing-price-list"), api=False),
    "machines page (staff)": Case("staff", page("staff-machines"), api=False),
    "opening hours page (staff)": Case("staff", page("staff-hours"), api=False),
    "closures page (staff)": Case("staff", page("staff-closures"), api=False),
    "courses and sessions page (staff)": Case("staff", page("staff-trainings"), api=False),
    "today's lab (staff)": Case("staff", page("lab-today"), api=False),
    "dashboard (staff)": Case("staff", page("staff-dashboard"), api=False),
    "usage page (staff)": Case("staff", page("staff-usage"), api=False),
    "call form with its jury (staff)": Case(
        "staff", page("incubation-call-edit", lambda w: w.call.pk), api=False
    ),
    "milestone form (staff)": Case(
        "staff", page("incubation-milestone-new", lambda w: w.incubatee.pk), api=False
    ),
    "mentoring form with its projects (staff)": Case(
        "staff", page("incubation-mentoring-new", lambda w: w.incubatee.pk), api=False
    ),
    "kpi amendment page (staff)": Case(
        "staff",
        page("incubation-kpi-amend", lambda w: w.incubatee.kpi_reports.order_by("pk").first().pk),
        api=False,
    ),
    "session form with its projects (staff)": Case(
        "staff", page("trainings-session-edit", lambda w: w.session.pk), api=False
    ),
    "new session form (trainer)": Case("trainer", page("trainings-session-new"), api=False),
    "new course form (staff)": Case("staff", page("staff-course-new"), api=False),
    "journal csv page (staff)": Case(
        "staff", page("billing-journal", query="from=2026-01-01&to=2026-12-31"), api=False
    ),
}


ADMIN_MODELS = sorted(
    admin.site._registry, key=lambda model: (model._meta.app_label, model._meta.model_name)
)
# Every list of the back office (superuser).
ADMIN_CASES = {
    f"{m._meta.app_label}.{m._meta.model_name}": Case(
        "superuser",
        lambda w, m=m: reverse(f"admin:{m._meta.app_label}_{m._meta.model_name}_changelist"),
        api=False,
    )
    for m in ADMIN_MODELS
}
ALL_CASES = {**API_CASES, **PAGE_CASES, **{f"admin {k}": v for k, v in ADMIN_CASES.items()}}


def _client(world: World, viewer: str, api: bool) -> APIClient:
    client = APIClient()
    if not viewer:
        return client
    person = getattr(world, viewer)
    if api:
        token, _ = Token.objects.get_or_create(user=person)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    else:
        client.force_login(person)
    return client


def _queries(client: APIClient, url: str) -> list[str] | str:
    """The SQL of one request, after a first one has warmed every per-process cache (or what
    went wrong, as text)."""
    try:
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
    except Exception as exc:  # reported by the case's own test
        return f"{url} raised {exc!r}"
    if response.status_code != 200:
        return f"{url} answered {response.status_code}: {response.content[:500]!r}"
    return [q["sql"] for q in captured.captured_queries]


def _measure_all(world: World) -> dict[str, list[str] | str]:
    clients = {}
    results = {}
    for name, case in ALL_CASES.items():
        key = (case.viewer, case.api)
        if key not in clients:
            clients[key] = _client(world, case.viewer, case.api)
        results[name] = _queries(clients[key], case.url(world))
    return results


@pytest.fixture(scope="module")
def measured(django_db_setup, django_db_blocker):
    """Every case read at 2 units, then at 6: one world for the whole module (building one per
    case took minutes), rolled back at the end."""
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]),
        time_machine.travel(NOW, tick=False),
        transaction.atomic(),
    ):
        cache.clear()
        world = World().grow(SMALL)
        world.superuser = StaffFactory(username="root", is_superuser=True)
        small = _measure_all(world)
        world.grow(LARGE - SMALL)
        large = _measure_all(world)
        transaction.set_rollback(True)
    cache.clear()
    return small, large


def assert_same_queries(measured, name: str) -> None:
    small, large = measured[0][name], measured[1][name]
    for result in (small, large):
        if isinstance(result, str):
            pytest.fail(result)
    if len(small) != len(large):
        listing = "\n".join(
            [
                f"--- {SMALL} units: {len(small)} queries",
                *small,
                f"--- {LARGE} units: {len(large)} queries",
                *large,
            ]
        )
        pytest.fail(f"{len(small)} queries at {SMALL} units, {len(large)} at {LARGE}\n{listing}")


@pytest.mark.parametrize("name", API_CASES)
def test_every_list_endpoint_runs_as_many_queries_at_3n_rows_as_at_n(measured, name):
    assert_same_queries(measured, name)


@pytest.mark.parametrize("name", PAGE_CASES)
def test_every_page_runs_as_many_queries_at_3n_rows_as_at_n(measured, name):
    assert_same_queries(measured, name)


# A page, whatever the number of rows behind it, stays within this many queries (issue #11).
MAX_PAGE_QUERIES = 20


@pytest.mark.parametrize("name", PAGE_CASES)
def test_no_page_runs_more_than_20_queries(measured, name):
    large = measured[1][name]
    if isinstance(large, str):
        pytest.fail(large)
    assert len(large) <= MAX_PAGE_QUERIES, "\n".join(large)


@pytest.mark.parametrize("name", ADMIN_CASES)
def test_every_back_office_list_runs_as_many_queries_at_3n_rows_as_at_n(measured, name):
    assert_same_queries(measured, f"admin {name}")


# Lists made lean for issue #14, pinned at both sizes: one query more is a regression.
PINNED = {
    "me": 3,  # token and person, organisations, certifications
    # token and person, the machine, its opening hours, live bookings and closures (one query)
    "availability, 4 weeks": 4,
    # token and person, the count, the page with names and lab-hour balances joined in
    "incubatees (staff)": 3,
    "incubatees (member)": 3,
}


@pytest.mark.parametrize("name", PINNED)
def test_lean_lists_run_their_pinned_number_of_queries(measured, name):
    small, large = measured[0][name], measured[1][name]
    assert (len(small), len(large)) == (PINNED[name], PINNED[name]), "\n".join(large)
