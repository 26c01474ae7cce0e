"""Every input that once answered 500 (issue 9, found by fuzzing) now answers a 4xx with the
one error body, in the request's language."""

import datetime
import json
from decimal import Decimal

import pytest
import time_machine

from booking.models import Booking
from incubation import services as incubation
from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.factories import member_of
from tests.incubation.factories import CohortFactory, ProgrammeFactory
from tests.trainings.factories import CourseFactory, SessionFactory

pytestmark = pytest.mark.django_db

START = "2026-12-15T10:00:00+00:00"
END = "2026-12-15T11:00:00+00:00"
BOOKINGS = "bookings/"


@pytest.fixture
def world(organisation, staff):
    lab_open_weekdays()
    machine = EquipmentFactory(name="Émulsionneur sous vide")
    EquipmentFactory(name="Remplisseuse de tubes")
    course = CourseFactory(title="Sécurité de l'atelier")
    session = SessionFactory(course=course)
    first = ProgrammeFactory(name="Pépinière cosmétique")
    ProgrammeFactory(name="Prototypage")
    cohort = CohortFactory(programme=first, name="Cohorte 2026")
    incubatee = incubation.incubatee_create(by=staff, cohort=cohort, organisation=organisation)
    report = incubation.kpi_report_submit(
        by=staff, incubatee=incubatee, period="2026-Q3", revenue_mad=Decimal("1000")
    )
    return {
        "machine": machine.pk,
        "session": session.pk,
        "course": course.pk,
        "programme": first.pk,
        "report": report.pk,
        "member": member_of(organisation, username="fatima").pk,
    }


def booking(start: str, end: str = END, **extra) -> dict:
    return {"equipment": "{machine}", "start": start, "end": end, **extra}


# (who, method, path, body, expected status, field named in "fields")
CASES = {
    # Impossible date-times, reachable by any member.
    "minute 99": ("member", "post", "bookings/", booking("2026-12-15T12:99:00Z"), 400, "start"),
    "month 13": ("member", "post", "bookings/", booking("2026-13-15T10:00:00Z"), 400, "start"),
    "hour 24": ("member", "post", "bookings/", booking("2026-12-15T24:00:00Z"), 400, "start"),
    "offset +25:00": ("member", "post", BOOKINGS, booking("2026-12-15T10:00+25:00"), 400, "start"),
    "offset -24:00": ("member", "post", BOOKINGS, booking("2026-12-15T10:00-24:00"), 400, "start"),
    "sub-minute offset": (
        "member", "post", "bookings/", booking("2026-12-15T10:00:00+01:00:30"), 400, "start",
    ),
    "series minute 99": (
        "member", "post", "booking-series/",
        booking("2026-12-15T10:99:00Z", weekly_until="2027-01-31"), 400, "start",
    ),
    "series until year 9999": (
        "member", "post", "booking-series/", booking(START, weekly_until="9999-12-31"), 400,
        "weekly_until",
    ),
    "session by a member, hour 24": (
        "member", "post", "trainings/sessions/",
        {"course": "{course}", "place": "Salle 1", "start": "2026-12-15T24:00:00Z", "end": END,
         "capacity": 4},
        400, "start",
    ),
    "session patch, month 13": (  # now refused for who asks, before the input is read
        "member", "patch", "trainings/sessions/{session}/", {"start": "2026-13-01T10:00:00Z"},
        403, None,
    ),
    "session patch by staff, month 13": (
        "staff", "patch", "trainings/sessions/{session}/", {"start": "2026-13-01T10:00:00Z"},
        400, "start",
    ),
    "certification, offset +25:00": (
        "staff", "post", "certifications/",
        {"user": "{member}", "course": "{course}", "reason": "Formé", "issued_at":
         "2026-12-15T10:00+25:00"},
        400, "issued_at",
    ),
    "availability, minute 99": (
        "member", "get", "equipment/{machine}/availability/?start=2026-12-15T10:99:00Z&end=" + END,
        None, 400, "start",
    ),
    "bookings from month 13": ("member", "get", "bookings/?from=2026-13-01", None, 400, "from"),
    "bookings to 9999-12-31": ("member", "get", "bookings/?to=9999-12-31", None, 400, "to"),
    "closure in year 0020": (
        "staff", "post", "closures/",
        {"start": "0020-01-01T10:00:00Z", "end": "0020-01-02T10:00:00Z", "reason": "Fête"},
        400, "start",
    ),
    # Database constraints, now mirrored in validation (staff).
    "negative revenue in an amendment": (
        "staff", "post", "incubation/kpi-reports/{report}/amend/",
        {"revenue_mad": "-5.00", "reason": "Correction"}, 400, "revenue_mad",
    ),
    "negative hourly rate": (
        "staff", "post", "equipment/",
        {"name": "Autoclave", "category": "prototyping", "hourly_rate_member": "-1.00"},
        400, "hourly_rate_member",
    ),
    "duplicate programme name": (
        "staff", "put", "incubation/programmes/{programme}/",
        {"name": "Prototypage", "description": ""}, 409, None,
    ),
    "capacity past 32 bits": (
        "staff", "post", "trainings/sessions/",
        {"course": "{course}", "place": "Salle 1", "start": START, "end": END,
         "capacity": 2147483648},
        400, "capacity",
    ),
    # Ids must be integers: 1.5 once booked machine 1.
    "equipment 1.5": ("member", "post", "bookings/", booking(START, equipment=1.5), 400,
                      "equipment"),
    "equipment true": ("member", "post", "bookings/", booking(START, equipment=True), 400,
                       "equipment"),
}  # fmt: skip


def _fill(value, ids):
    """Ids into the placeholders; a placeholder that is the whole value becomes an integer."""
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_input_that_once_answered_500_is_a_4xx_with_the_error_body(case, world, staff, client_for):
    who, method, path, body, expected, field = CASES[case]
    user = staff if who == "staff" else world_user(world)
    body = _fill(body, world)
    response = getattr(client_for(user), method)(
        "/api/v1/" + _fill(path, world), body, format="json"
    )
    assert response.status_code == expected, response.content
    payload = response.json()
    assert set(payload) == {"code", "detail", "fields"}
    if field:
        assert field in payload["fields"]
    assert Booking.objects.count() == 0


def world_user(world):
    from caiac.accounts.models import User

    return User.objects.get(pk=world["member"])


def test_an_impossible_date_time_is_explained_in_the_request_language(world, client_for):
    response = client_for(world_user(world)).post(
        "/api/v1/bookings/",
        {"equipment": world["machine"], "start": "2026-12-15T12:99:00Z", "end": END},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.json()["fields"]["start"] == [
        "Enter a valid ISO 8601 date-time, e.g. 2026-12-15T09:30:00+00:00."
    ]
    french = client_for(world_user(world)).post(
        "/api/v1/bookings/",
        {"equipment": world["machine"], "start": "2026-12-15T12:99:00Z", "end": END},
        format="json",
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    assert french.json()["fields"]["start"] != response.json()["fields"]["start"]


def test_json_nested_a_thousand_deep_is_a_400_for_anyone(api_client):
    body = "[" * 1000 + "]" * 1000
    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_json_nested_past_the_bound_is_refused_even_when_python_could_parse_it(api_client):
    nested: object = "x"
    for _ in range(40):
        nested = [nested]
    body = json.dumps({"username": nested, "password": "x"})
    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_nul_character_in_json_is_a_400(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "a\x00b", "password": "x"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"code", "detail", "fields"}


def test_an_unknown_api_url_is_a_json_404(api_client, settings):
    for debug in (True, False):
        settings.DEBUG = debug
        response = api_client.get("/api/v1/no-such-thing/")
        assert response.status_code == 404
        assert response["Content-Type"].startswith("application/json")
        assert response.json() == {"code": "not_found", "detail": response.json()["detail"],
                                   "fields": {}}  # fmt: skip


def test_a_body_over_the_limit_is_a_json_413(api_client):
    body = json.dumps({"username": "x" * (5 * 1024 * 1024), "password": "x"})
    response = api_client.post("/api/v1/auth/token/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "too_large"


def test_more_than_a_thousand_fields_is_a_json_400(member, client_for):
    query = "&".join(f"f{n}=1" for n in range(1001))
    response = client_for(member).get(f"/api/v1/bookings/?{query}")
    assert response.status_code == 400
    assert response.json()["code"] == "too_many_fields"


def test_a_form_body_is_refused_with_415_not_read(member, client_for):
    response = client_for(member).post(
        "/api/v1/bookings/", "equipment=1&start=x", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_nul_character_in_the_query_is_a_400(member, client_for):
    response = client_for(member).get("/api/v1/equipment/?search=a%00b")
    assert response.status_code == 400
    assert set(response.json()) == {"code", "detail", "fields"}


def test_an_unexpected_error_is_a_json_500_that_says_nothing_in_production(
    member, client_for, settings, monkeypatch, caplog
):
    from booking import selectors

    def broken(user):
        raise RuntimeError("secret database password in the message")

    monkeypatch.setattr(selectors, "bookings_visible_to", broken)
    settings.DEBUG = False
    client = client_for(member)
    client.raise_request_exception = False
    response = client.get("/api/v1/bookings/")
    assert response.status_code == 500
    assert response.json()["code"] == "server_error"
    assert "secret" not in response.content.decode()
    assert any("secret" in str(r.exc_info) for r in caplog.records if r.exc_info)


def test_an_error_on_a_csv_endpoint_is_json(staff, client_for):
    response = client_for(staff).get("/api/v1/usage.csv?start=2026-13-01T00:00:00Z")
    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/json")


def test_an_integrity_error_that_slips_past_validation_is_a_409(staff, client_for, monkeypatch):
    from django.db import IntegrityError

    from caiac.accounts import services

    def clash(**values):
        raise IntegrityError("UNIQUE constraint failed: accounts_organisation.name")

    monkeypatch.setattr(services, "organisation_create", clash)
    response = client_for(staff).post(
        "/api/v1/organisations/", {"name": "Amalou", "kind": "cooperative", "sector": "cosmetics"}
    )
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"


def test_booking_still_works_with_good_input(world, client_for):
    """The guard rails refuse only the bad: a valid booking still goes through."""
    with time_machine.travel(datetime.datetime(2026, 11, 23, 7, tzinfo=datetime.UTC), tick=False):
        response = client_for(world_user(world)).post(
            "/api/v1/bookings/", {"equipment": world["machine"], "start": START, "end": END}
        )
    assert response.status_code == 201, response.content
