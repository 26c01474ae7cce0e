"""The cluster's year: every figure against a data set built here and counted by hand.

2026 in Casablanca runs from 2025-12-31 23:00 UTC (UTC+1 then) to 2027-01-01 00:00 UTC (UTC+0
since 20 Sep 2026). Hand counts are in the comments beside each row.
"""

import csv
import datetime
import io
from decimal import Decimal

import pytest
import time_machine
from django.utils import translation
from openpyxl import load_workbook

from booking.models import Booking, BookingStatus
from caiac.accounts.models import Gender, OrganisationKind, Sector
from incubation import services
from incubation.models import Stage
from incubation.reports.cluster import cluster_report
from tests.booking.factories import EquipmentFactory
from tests.factories import OrganisationFactory, UserFactory
from tests.incubation.factories import CohortFactory
from tests.trainings.factories import CourseFactory, EnrolmentFactory, SessionFactory
from trainings.models import SessionStatus

pytestmark = pytest.mark.django_db

UTC = datetime.UTC
URL = "/api/v1/reports/cluster/"


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=UTC)


@pytest.fixture
def year_2026(staff, programme):
    """The data set. Returns the organisations by letter."""
    org = {
        # A: member since 2024, still one → at start, at end.
        "A": OrganisationFactory(
            name="Coopérative Amalou",
            kind=OrganisationKind.COOPERATIVE,
            sector=Sector.COSMETICS,
            member_since=datetime.date(2024, 3, 1),
        ),
        # B: joined mid-year → joined, at end.
        "B": OrganisationFactory(
            name="Tifawin Cosmetics",
            kind=OrganisationKind.STARTUP,
            sector=Sector.COSMETICS,
            member_since=datetime.date(2026, 6, 15),
        ),
        # C: member since 2023, last day 30 Sep 2026 → at start, left.
        "C": OrganisationFactory(
            name="Safran Taliouine",
            kind=OrganisationKind.COMPANY,
            sector=Sector.AGRIFOOD,
            member_since=datetime.date(2023, 1, 1),
            membership_expires_on=datetime.date(2026, 9, 30),
        ),
        # G: member for 2026 exactly → joined, left; not at start (joined on 1 Jan), not at end.
        "G": OrganisationFactory(
            name="Gourmet Souss",
            kind=OrganisationKind.STARTUP,
            sector=Sector.AGRIFOOD,
            member_since=datetime.date(2026, 1, 1),
            membership_expires_on=datetime.date(2026, 12, 31),
        ),
        # Not counted: left before 2026, joins in 2027, not a member.
        "D": OrganisationFactory(
            name="Old member",
            kind=OrganisationKind.RESEARCH_LAB,
            sector=Sector.BOTH,
            member_since=datetime.date(2020, 1, 1),
            membership_expires_on=datetime.date(2025, 12, 31),
        ),
        "F": OrganisationFactory(
            name="Future member",
            kind=OrganisationKind.STARTUP,
            sector=Sector.AGRIFOOD,
            member_since=datetime.date(2027, 2, 1),
        ),
        "E": OrganisationFactory(
            name="Outside company", kind=OrganisationKind.COMPANY, is_cluster_member=False
        ),
    }
    cohort_2025 = CohortFactory(
        programme=programme,
        name="Cohorte 2025",
        year=2025,
        starts_on=datetime.date(2025, 1, 1),
        ends_on=datetime.date(2025, 12, 31),
    )
    cohort_2026 = CohortFactory(programme=programme, name="Cohorte 2026")

    def incubate(cohort, organisation, when):
        with time_machine.travel(when, tick=False):
            return services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)

    def move(incubatee, stage, when):
        with time_machine.travel(when, tick=False):
            services.incubatee_move_stage(by=staff, incubatee=incubatee, stage=stage, reason="-")

    # Start-ups accompanied in 2026: B (incubation at year end), A (acceleration), C (exited).
    b = incubate(cohort_2026, org["B"], at(2026, 7, 1, 9))
    move(b, Stage.INCUBATION, at(2026, 10, 1, 9))
    a = incubate(cohort_2025, org["A"], at(2025, 6, 1, 9))
    move(a, Stage.INCUBATION, at(2025, 9, 1, 9))
    move(a, Stage.ACCELERATION, at(2026, 3, 1, 9))
    move(a, Stage.GRADUATED, at(2027, 1, 15, 9))  # after the year: still acceleration in it
    c = incubate(cohort_2026, org["C"], at(2026, 2, 1, 9))
    move(c, Stage.EXITED, at(2026, 9, 30, 9))
    # Not accompanied: G graduated in 2025; F joined in 2027.
    g = incubate(cohort_2025, org["G"], at(2025, 3, 1, 9))
    move(g, Stage.INCUBATION, at(2025, 6, 1, 9))
    move(g, Stage.ACCELERATION, at(2025, 9, 1, 9))
    move(g, Stage.GRADUATED, at(2025, 12, 15, 9))
    incubate(cohort_2026, org["F"], at(2027, 1, 10, 9))

    # Trainings: S1 3 h (woman + man present, a woman absent), S2 2.5 h (woman + unstated),
    # S5 1 h at 00:30 on 1 Jan local (23:30 UTC on 31 Dec 2025: in 2026), S4 the hour before
    # (in 2025), S3 cancelled.
    woman = UserFactory(username="w1", gender=Gender.WOMAN)
    man = UserFactory(username="m1", gender=Gender.MAN)
    unstated = UserFactory(username="u1", gender="")
    absent = UserFactory(username="w2", gender=Gender.WOMAN)
    course = CourseFactory(title="Émulsion à froid")

    def session(start, hours, present, absent_people=(), status=SessionStatus.SCHEDULED):
        s = SessionFactory(
            course=course,
            start=start,
            end=start + datetime.timedelta(hours=hours),
            capacity=10,
            status=status,
        )
        for person in present:
            EnrolmentFactory(session=s, user=person, present=True)
        for person in absent_people:
            EnrolmentFactory(session=s, user=person, present=False)
        return s

    session(at(2026, 3, 10, 9), 3, [woman, man], [absent])  # Ramadan: UTC+0
    session(at(2026, 11, 5, 14), 2.5, [woman, unstated])
    session(at(2025, 12, 31, 23, 30), 1, [man])  # 00:30 on 1 Jan 2026 in Casablanca
    session(at(2025, 12, 31, 22, 30), 1, [woman])  # 23:30 on 31 Dec 2025: not 2026
    session(at(2026, 6, 1, 9), 2, [unstated], status=SessionStatus.CANCELLED)

    # Lab: booked 3 + 2 + 1.5 = 6.5 h, used 3 h, revenue 450.
    machine = EquipmentFactory(name="Émulsionneur sous vide")
    booker = UserFactory(username="booker")

    def book(organisation, start, hours, status, price):
        end = start + datetime.timedelta(hours=hours)
        return Booking.objects.create(
            equipment=machine,
            organisation=organisation,
            booked_by=booker,
            start=start,
            end=end,
            blocked_until=end,
            status=status,
            price=Decimal(price),
        )

    book(org["A"], at(2026, 4, 2, 8), 3, BookingStatus.COMPLETED, "450.00")
    book(org["B"], at(2026, 5, 5, 9), 2, BookingStatus.NO_SHOW, "300.00")
    book(org["B"], at(2026, 12, 20, 10), 1.5, BookingStatus.CONFIRMED, "225.00")
    book(org["A"], at(2026, 6, 1, 9), 2, BookingStatus.CANCELLED, "200.00")
    book(org["C"], at(2025, 12, 31, 22), 1, BookingStatus.COMPLETED, "100.00")  # 2025 local

    # Jobs: B Q3 2 women + 1 man; A Q1 1 woman; A Q4 3 men; A 2025-Q4 not in the year.
    def kpi(incubatee, period, women, men):
        with time_machine.travel(at(2026, 12, 5, 9), tick=False):
            services.kpi_report_submit(
                by=staff,
                incubatee=incubatee,
                period=period,
                revenue_mad=Decimal(0),
                jobs_women=women,
                jobs_men=men,
            )

    kpi(b, "2026-Q3", 2, 1)
    kpi(a, "2026-Q1", 1, 0)
    kpi(a, "2026-Q4", 0, 3)
    kpi(a, "2025-Q4", 5, 0)
    return org


def test_members_at_the_start_and_end_of_the_year_and_who_joined_or_left(year_2026):
    members = cluster_report(year=2026)["figures"]["members"]
    assert members["at_start"]["total"] == 2  # A, C
    assert members["at_end"]["total"] == 2  # A, B
    assert members["joined"]["total"] == 2  # B (15 Jun), G (1 Jan)
    assert members["left"]["total"] == 2  # C (30 Sep), G (31 Dec)
    assert members["at_start"]["by_kind"] == {
        "startup": 0,
        "cooperative": 1,
        "company": 1,
        "research_lab": 0,
        "other": 0,
    }
    assert members["at_end"]["by_kind"]["startup"] == 1
    assert members["at_end"]["by_kind"]["cooperative"] == 1
    assert members["joined"]["by_kind"]["startup"] == 2
    assert members["left"]["by_kind"] == {
        "startup": 1,
        "cooperative": 0,
        "company": 1,
        "research_lab": 0,
        "other": 0,
    }
    assert members["at_start"]["by_sector"] == {"cosmetics": 1, "agrifood": 1, "both": 0}
    assert members["at_end"]["by_sector"] == {"cosmetics": 2, "agrifood": 0, "both": 0}
    assert members["joined"]["by_sector"] == {"cosmetics": 1, "agrifood": 1, "both": 0}
    assert members["left"]["by_sector"] == {"cosmetics": 0, "agrifood": 2, "both": 0}


def test_member_detail_rows_let_an_auditor_recount(year_2026):
    rows = cluster_report(year=2026)["details"]["members"]
    assert [r["organisation"] for r in rows] == [
        "Coopérative Amalou",
        "Gourmet Souss",
        "Safran Taliouine",
        "Tifawin Cosmetics",
    ]
    tifawin = rows[-1]
    assert tifawin["member_since"] == datetime.date(2026, 6, 15)
    assert (tifawin["at_start"], tifawin["at_end"], tifawin["joined"], tifawin["left"]) == (
        False,
        True,
        True,
        False,
    )


def test_startups_accompanied_by_their_stage_at_the_end_of_the_year(year_2026):
    report = cluster_report(year=2026)
    assert report["figures"]["startups"] == {
        "accompanied": 3,
        "by_stage": {
            "pre_incubation": 0,
            "incubation": 1,  # B
            "acceleration": 1,  # A (graduated only in January 2027)
            "graduated": 0,
            "exited": 1,  # C
        },
    }
    assert {r["organisation"]: r["stage_at_end"] for r in report["details"]["startups"]} == {
        "Coopérative Amalou": "acceleration",
        "Safran Taliouine": "exited",
        "Tifawin Cosmetics": "incubation",
    }


def test_training_sessions_participants_by_gender_and_participant_hours(year_2026):
    report = cluster_report(year=2026)
    assert report["figures"]["trainings"] == {
        "sessions": 3,  # S1, S2, S5 (cancelled S3 and 2025's S4 left out)
        "participants": 3,  # w1, m1, u1 (w2 was absent)
        "participants_women": 1,
        "participants_men": 1,
        "participants_not_stated": 1,
        "presences": 5,  # 2 + 2 + 1
        "participant_hours": Decimal("12.00"),  # 3*2 + 2.5*2 + 1*1
    }
    assert [r["hours"] for r in report["details"]["training_sessions"]] == [
        Decimal("1.00"),
        Decimal("3.00"),
        Decimal("2.50"),
    ]
    assert len(report["details"]["training_participants"]) == 5


def test_training_rows_name_the_course_in_the_language_of_the_report(year_2026):
    from trainings.models import Course

    Course.objects.update(translations={"ar": {"title": "الاستحلاب على البارد"}})
    with translation.override("ar"):
        report = cluster_report(year=2026)
    courses = {r["course"] for r in report["details"]["training_sessions"]}
    courses |= {r["course"] for r in report["details"]["training_participants"]}
    assert courses == {"الاستحلاب على البارد"}


def test_lab_hours_booked_and_used_and_revenue(year_2026):
    report = cluster_report(year=2026)
    assert report["figures"]["lab"] == {
        "bookings": 3,
        "hours_booked": Decimal("6.50"),
        "hours_used": Decimal("3.00"),
        "revenue_mad": Decimal("450.00"),
        "hours_booked_for_projects": Decimal("0.00"),  # no booking names a project here
    }
    assert [(r["organisation"], r["status"]) for r in report["details"]["lab_bookings"]] == [
        ("Coopérative Amalou", "completed"),
        ("Tifawin Cosmetics", "no_show"),
        ("Tifawin Cosmetics", "confirmed"),
    ]


def test_jobs_created_by_incubatees_women_and_men(year_2026):
    report = cluster_report(year=2026)
    assert report["figures"]["jobs"] == {"reports": 3, "women": 3, "men": 4, "total": 7}
    assert sorted(r["period"] for r in report["details"]["jobs"]) == [
        "2026-Q1",
        "2026-Q3",
        "2026-Q4",
    ]


def test_the_api_gives_figures_and_details_as_json_to_staff(client_for, staff, year_2026):
    response = client_for(staff).get(URL, {"year": 2026})
    assert response.status_code == 200
    body = response.json()
    assert body["figures"]["members"]["joined"]["total"] == 2
    assert body["figures"]["lab"]["hours_booked"] == "6.50"
    assert body["details"]["lab_bookings"][0]["start"] == "2026-04-02T09:00:00+01:00"
    assert body["start"] == "2026-01-01"
    assert body["end"] == "2026-12-31"


@pytest.mark.parametrize("query", [{}, {"year": "20x6"}, {"year": "1999"}])
def test_the_year_is_required_and_checked(client_for, staff, query):
    response = client_for(staff).get(URL, query)
    assert response.status_code == 400
    assert "year" in response.json()["fields"]


def test_members_and_anonymous_cannot_read_the_report(client_for, member, api_client):
    assert client_for(member).get(URL, {"year": 2026}).status_code == 403
    assert api_client.get(URL, {"year": 2026}).status_code in (401, 403)


def test_the_workbook_has_a_summary_and_a_sheet_per_figure(client_for, staff, year_2026):
    with translation.override("fr"):
        response = client_for(staff).get("/api/v1/reports/cluster.xlsx", {"year": 2026})
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 10
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert summary["Heures de laboratoire réservées"] == pytest.approx(6.5)
    assert summary["Participants (femmes)"] == 1
    lab_sheet = book.worksheets[5]
    assert lab_sheet.max_row == 1 + 3  # header and the three bookings counted


def test_each_detail_table_downloads_as_csv(client_for, staff, year_2026):
    response = client_for(staff).get("/api/v1/reports/cluster.csv", {"year": 2026, "table": "jobs"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 1 + 3
    assert response["Content-Disposition"] == 'attachment; filename="cluster-2026-jobs.csv"'
    bad = client_for(staff).get("/api/v1/reports/cluster.csv", {"year": 2026, "table": "x"})
    assert bad.status_code == 400


@pytest.mark.parametrize("language", ["fr", "ar"])
def test_the_staff_page_shows_the_figures_in_the_language_of_the_page(
    client, staff, year_2026, language
):
    staff.language = language
    staff.save()
    client.force_login(staff)
    response = client.get("/staff/reports/cluster/", {"year": 2026}, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    page = response.content.decode()
    expected = {"fr": "Heures de laboratoire réservées", "ar": "ساعات المختبر المحجوزة"}
    assert expected[language] in page
    assert 'id="detail-lab_bookings"' in page


def test_the_staff_page_is_for_staff_only(client, member):
    client.force_login(member)
    assert client.get("/staff/reports/cluster/").status_code == 403


@pytest.fixture
def projects_2026(staff, year_2026):
    from caiac.projects import services as projects
    from caiac.projects.models import FundingSource, FundingSourceKind, PartnerRole, ProjectStatus

    org = year_2026
    region = FundingSource.objects.create(name="Région Souss Massa", kind=FundingSourceKind.REGION)
    giz = FundingSource.objects.create(
        name="GIZ Partenariat pour l'emploi", kind=FundingSourceKind.INTERNATIONAL
    )
    university = OrganisationFactory(
        name="Université Ibn Zohr", kind=OrganisationKind.RESEARCH_LAB, is_cluster_member=False
    )

    def change(project, status, when):
        with time_machine.travel(when, tick=False):
            projects.project_change_status(by=staff, project=project, status=status, reason="-")

    # P1: running at the end of 2026; partners A (lead), university, B; two sources in 2026
    # with partial receipts (Région 300 000 / 120 000, GIZ 200 000 / 50 000), and 2027 money.
    with time_machine.travel(at(2026, 1, 10, 9), tick=False):
        argan = projects.project_create(
            by=staff,
            lead=org["A"],
            title="Huile d'argan stabilisée",
            theme="cosmetics",
            starts_on=datetime.date(2026, 3, 1),
            ends_on=datetime.date(2027, 12, 31),
            budget_mad=Decimal("850000"),
        )
        projects.partner_add(
            by=staff, project=argan, organisation=university, role=PartnerRole.RESEARCH
        )
        projects.partner_add(
            by=staff, project=argan, organisation=org["B"], role=PartnerRole.INDUSTRIAL
        )
        for source, year, committed, received in (
            (region, 2026, "300000", "120000"),
            (giz, 2026, "200000", "50000"),
            (region, 2027, "100000", "0"),
        ):
            projects.funding_create(
                by=staff,
                project=argan,
                source=source,
                year=year,
                committed_mad=Decimal(committed),
                received_mad=Decimal(received),
            )
    change(argan, ProjectStatus.SUBMITTED, at(2026, 2, 1, 9))
    change(argan, ProjectStatus.FUNDED, at(2026, 4, 1, 9))
    change(argan, ProjectStatus.RUNNING, at(2026, 5, 1, 9))
    # P3: led by the outside company E, A associated; submitted in 2026, rejected in 2027.
    with time_machine.travel(at(2026, 6, 1, 9), tick=False):
        saffron = projects.project_create(
            by=staff,
            lead=org["E"],
            title="Safran séché à froid",
            theme="agrifood",
            starts_on=datetime.date(2026, 6, 1),
            budget_mad=Decimal("40000"),
        )
        projects.partner_add(
            by=staff, project=saffron, organisation=org["A"], role=PartnerRole.ASSOCIATE
        )
    change(saffron, ProjectStatus.SUBMITTED, at(2026, 9, 1, 9))
    change(saffron, ProjectStatus.REJECTED, at(2027, 2, 1, 9))
    # P2: ran in 2025 only, closed then: not in 2026.
    with time_machine.travel(at(2025, 1, 5, 9), tick=False):
        cactus = projects.project_create(
            by=staff,
            lead=org["C"],
            title="Figue de barbarie",
            theme="agrifood",
            starts_on=datetime.date(2025, 1, 1),
            ends_on=datetime.date(2025, 12, 31),
            budget_mad=Decimal("60000"),
        )
    return {"argan": argan, "saffron": saffron, "cactus": cactus}


def test_collaborative_projects_by_status_partners_budget_and_funds_by_source(projects_2026):
    report = cluster_report(year=2026)
    figures = report["figures"]["projects"]
    assert figures["count"] == 2  # argan, saffron (cactus ran in 2025)
    assert figures["by_status"]["running"] == 1  # argan
    assert figures["by_status"]["submitted"] == 1  # saffron, rejected only in 2027
    assert sum(figures["by_status"].values()) == 2
    assert figures["partners_involved"] == 4  # A, B, university, E
    assert figures["partners_cluster_members"] == 2  # A, B
    assert figures["partners_others"] == 2  # university, E
    assert figures["budget_mad"] == Decimal("890000.00")
    assert figures["funding_committed_mad"] == Decimal("500000.00")
    assert figures["funding_received_mad"] == Decimal("170000.00")
    assert [
        (s["source"], s["committed_mad"], s["received_mad"]) for s in figures["funding_by_source"]
    ] == [
        ("GIZ Partenariat pour l'emploi", Decimal("200000.00"), Decimal("50000.00")),
        ("Région Souss Massa", Decimal("300000.00"), Decimal("120000.00")),
    ]
    details = report["details"]
    assert [r["title"] for r in details["projects"]] == [
        "Huile d'argan stabilisée",
        "Safran séché à froid",
    ]
    assert len(details["project_partners"]) == 5  # 3 + 2 rows, A twice
    assert len(details["project_funding"]) == 2  # 2027's row left out


def test_the_workbook_has_the_projects_sheets(client_for, staff, projects_2026):
    with translation.override("fr"):
        response = client_for(staff).get("/api/v1/reports/cluster.xlsx", {"year": 2026})
    book = load_workbook(io.BytesIO(response.content))
    assert len(book.sheetnames) == 10
    funding_sheet = book.worksheets[-1]
    assert funding_sheet.max_row == 1 + 2


def test_a_booking_linked_to_a_project_counts_as_lab_hours_booked_for_projects(projects_2026):
    machine = EquipmentFactory(name="Lyophilisateur")
    booker = UserFactory(username="chercheuse")

    def book(start, hours, status, price):
        end = start + datetime.timedelta(hours=hours)
        return Booking.objects.create(
            equipment=machine,
            organisation=projects_2026["argan"].lead,
            booked_by=booker,
            start=start,
            end=end,
            blocked_until=end,
            status=status,
            price=Decimal(price),
            project=projects_2026["argan"],
        )

    # For the argan project: 4 h used in July (counted), 1 h cancelled (not counted), and 2 h
    # at 00:30 on 1 Jan 2027 in Casablanca — 00:30 UTC, UTC+0 since September — (not 2026).
    book(at(2026, 7, 7, 8), 4, BookingStatus.COMPLETED, "600.00")
    book(at(2026, 7, 8, 8), 1, BookingStatus.CANCELLED, "150.00")
    book(at(2027, 1, 1, 0, 30), 2, BookingStatus.CONFIRMED, "300.00")

    report = cluster_report(year=2026)
    lab = report["figures"]["lab"]
    assert lab["bookings"] == 3 + 1  # the three of the year's data set and the project's
    assert lab["hours_booked"] == Decimal("10.50")  # 6.5 + 4
    assert lab["hours_used"] == Decimal("7.00")  # 3 + 4
    assert lab["revenue_mad"] == Decimal("1050.00")  # 450 + 600
    assert lab["hours_booked_for_projects"] == Decimal("4.00")
    assert [
        (r["machine"], r["hours"], r["project"])
        for r in report["details"]["lab_bookings"]
        if r["project"]
    ] == [("Lyophilisateur", Decimal("4.00"), "Huile d'argan stabilisée")]


def test_the_workbook_names_the_project_of_a_booking(client_for, staff, projects_2026):
    machine = EquipmentFactory(name="Lyophilisateur")
    start = at(2026, 7, 7, 8)
    Booking.objects.create(
        equipment=machine,
        organisation=projects_2026["argan"].lead,
        booked_by=staff,
        start=start,
        end=start + datetime.timedelta(hours=4),
        blocked_until=start + datetime.timedelta(hours=4),
        status=BookingStatus.COMPLETED,
        price=Decimal("600.00"),
        project=projects_2026["argan"],
    )
    with translation.override("fr"):
        response = client_for(staff).get("/api/v1/reports/cluster.xlsx", {"year": 2026})
    book = load_workbook(io.BytesIO(response.content))
    summary = {row[0]: row[1] for row in book.worksheets[0].iter_rows(values_only=True)}
    assert summary["Heures de laboratoire réservées pour des projets R&D"] == pytest.approx(4)
    lab_sheet = book.worksheets[5]
    header = [cell.value for cell in lab_sheet[1]]
    project_column = header.index("Projet de R&D")
    titles = [row[project_column] for row in lab_sheet.iter_rows(min_row=2, values_only=True)]
    assert titles.count("Huile d'argan stabilisée") == 1
