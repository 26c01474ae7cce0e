"""Milestones and their reminders, mentoring sessions, quarterly KPI reports and amendments."""

import datetime
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from caiac.notifications.models import Message, MessageStatus
from incubation import services
from incubation.models import KpiReport, MilestoneStatus
from tests.factories import member_of

pytestmark = pytest.mark.django_db

MILESTONES = "/api/v1/incubation/milestones/"
KPIS = "/api/v1/incubation/kpi-reports/"
AUGUST = datetime.datetime(2026, 8, 1, 12, 0, tzinfo=datetime.UTC)


def _reminder(milestone):
    return Message.objects.get(dedup_key=f"milestone:{milestone.pk}:due-soon")


# --- Milestones --------------------------------------------------------------------------------
def test_a_milestone_schedules_its_owner_a_reminder_three_days_before_at_nine(
    staff, member, incubatee
):
    with time_machine.travel(AUGUST):
        milestone = services.milestone_create(
            by=staff,
            incubatee=incubatee,
            title="ONSSA registration",
            due_date=datetime.date(2026, 9, 10),
            owner=member,
        )
    message = _reminder(milestone)
    assert message.recipient == member
    assert message.kind == "incubation.milestone_due_soon"
    # 7 Sep 09:00 in Casablanca, still UTC+1 then (permanent UTC+0 only from 20 Sep 2026).
    assert message.due_at == datetime.datetime(2026, 9, 7, 8, 0, tzinfo=datetime.UTC)


def test_moving_the_due_date_moves_the_reminder(staff, member, incubatee):
    with time_machine.travel(AUGUST):
        milestone = services.milestone_create(
            by=staff,
            incubatee=incubatee,
            title="Stability tests",
            due_date=datetime.date(2026, 9, 10),
            owner=member,
        )
        services.milestone_update(
            by=staff, milestone=milestone, due_date=datetime.date(2026, 12, 10)
        )
    # 7 Dec 09:00 in Casablanca is 09:00 UTC (permanent UTC+0).
    assert _reminder(milestone).due_at == datetime.datetime(2026, 12, 7, 9, 0, tzinfo=datetime.UTC)
    assert Message.objects.filter(kind="incubation.milestone_due_soon").count() == 1


def test_a_done_milestone_drops_its_reminder(client_for, staff, member, incubatee):
    with time_machine.travel(AUGUST):
        milestone = services.milestone_create(
            by=staff,
            incubatee=incubatee,
            title="Packaging design",
            due_date=datetime.date(2026, 9, 10),
            owner=member,
        )
        response = client_for(member).patch(
            f"{MILESTONES}{milestone.pk}/",
            {"status": "done", "evidence_link": "https://example.ma/design.pdf"},
            format="json",
        )
    assert response.status_code == 200, response.data
    assert response.data["completed_at"]
    assert _reminder(milestone).status == MessageStatus.CANCELLED


def test_overdue_milestones_are_flagged_and_filtered(client_for, staff, member, incubatee):
    with time_machine.travel(AUGUST):
        late = services.milestone_create(
            by=staff, incubatee=incubatee, title="Late", due_date=datetime.date(2026, 7, 1)
        )
        services.milestone_create(
            by=staff, incubatee=incubatee, title="Future", due_date=datetime.date(2026, 10, 1)
        )
        services.milestone_create(
            by=staff,
            incubatee=incubatee,
            title="Done late",
            due_date=datetime.date(2026, 7, 1),
            status=MilestoneStatus.DONE,
        )
        client = client_for(member)
        rows = client.get(MILESTONES).data["results"]
        assert {r["title"]: r["is_overdue"] for r in rows} == {
            "Late": True,
            "Done late": False,
            "Future": False,
        }
        overdue = client.get(MILESTONES, {"overdue": "1"}).data["results"]
    assert [r["id"] for r in overdue] == [late.pk]


def test_a_past_due_milestone_gets_no_reminder(staff, member, incubatee):
    with time_machine.travel(AUGUST):
        milestone = services.milestone_create(
            by=staff,
            incubatee=incubatee,
            title="Late",
            due_date=datetime.date(2026, 7, 1),
            owner=member,
        )
    assert not Message.objects.filter(dedup_key=f"milestone:{milestone.pk}:due-soon").exists()


def test_members_upload_evidence_but_cannot_change_the_due_date(
    client_for, staff, member, incubatee, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    milestone = services.milestone_create(
        by=staff, incubatee=incubatee, title="Lab analysis", due_date=datetime.date(2027, 1, 10)
    )
    client = client_for(member)
    response = client.patch(
        f"{MILESTONES}{milestone.pk}/",
        {"evidence_file": SimpleUploadedFile("analysis.pdf", b"%PDF-1.4", "application/pdf")},
        format="multipart",
    )
    assert response.status_code == 200, response.data
    assert response.data["evidence_file"].endswith(f"{MILESTONES}{milestone.pk}/evidence/")
    assert list(tmp_path.rglob("analysis*.pdf"))
    response = client.patch(
        f"{MILESTONES}{milestone.pk}/", {"due_date": "2027-06-01"}, format="json"
    )
    assert response.status_code == 403


def test_milestone_owner_must_belong_to_the_organisation(
    client_for, staff, incubatee, other_member
):
    response = client_for(staff).post(
        MILESTONES,
        {
            "incubatee": incubatee.pk,
            "title": "x",
            "due_date": "2027-01-10",
            "owner": other_member.pk,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "owner" in response.data["fields"]


def test_members_cannot_create_milestones(client_for, member, incubatee):
    response = client_for(member).post(
        MILESTONES, {"incubatee": incubatee.pk, "title": "x", "due_date": "2027-01-10"}
    )
    assert response.status_code == 403


def test_other_organisations_milestones_are_404(client_for, staff, other_member, incubatee):
    milestone = services.milestone_create(
        by=staff, incubatee=incubatee, title="Secret", due_date=datetime.date(2027, 1, 10)
    )
    client = client_for(other_member)
    assert client.get(f"{MILESTONES}{milestone.pk}/").status_code == 404
    assert (
        client.patch(f"{MILESTONES}{milestone.pk}/", {"status": "done"}, format="json").status_code
        == 404
    )
    assert client.get(MILESTONES).data["count"] == 0


# --- Mentoring ---------------------------------------------------------------------------------
def test_staff_log_mentoring_and_members_read_their_own(
    client_for, staff, member, other_member, incubatee
):
    response = client_for(staff).post(
        "/api/v1/incubation/mentoring-sessions/",
        {
            "incubatee": incubatee.pk,
            "mentor_name": "Dr. Amina Berrada",
            "date": "2026-11-10",
            "hours": "2.5",
            "topic": "Cosmetic regulation (EU 1223/2009)",
        },
        format="json",
    )
    assert response.status_code == 201, response.data
    assert client_for(member).get("/api/v1/incubation/mentoring-sessions/").data["count"] == 1
    assert client_for(other_member).get("/api/v1/incubation/mentoring-sessions/").data["count"] == 0
    response = client_for(member).post(
        "/api/v1/incubation/mentoring-sessions/",
        {
            "incubatee": incubatee.pk,
            "mentor_name": "Me",
            "date": "2026-11-10",
            "hours": "1",
            "topic": "x",
        },
        format="json",
    )
    assert response.status_code == 403


# --- KPI reports -------------------------------------------------------------------------------
KPI = {
    "period": "2026-Q3",
    "revenue_mad": "120000.00",
    "jobs_women": 3,
    "jobs_men": 1,
    "funding_raised_mad": "50000.00",
    "products_launched": 2,
    "certifications": ["Organic (Ecocert)", "ISO 22716"],
    "exports_mad": "15000.00",
}


def test_members_submit_their_quarter_once_and_a_second_is_a_409(client_for, member, incubatee):
    client = client_for(member)
    response = client.post(KPIS, {"incubatee": incubatee.pk, **KPI}, format="json")
    assert response.status_code == 201, response.data
    assert response.data["exports"] is True
    assert response.data["certifications"] == ["Organic (Ecocert)", "ISO 22716"]
    response = client.post(
        KPIS, {"incubatee": incubatee.pk, **KPI, "revenue_mad": "1"}, format="json"
    )
    assert response.status_code == 409
    assert response.data["code"] == "kpi_report_exists"
    assert KpiReport.objects.get().revenue_mad == Decimal("120000.00")


def test_the_database_refuses_a_second_report_for_a_quarter(staff, incubatee):
    from django.db import IntegrityError, transaction

    services.kpi_report_submit(by=staff, incubatee=incubatee, period="2026-Q3", revenue_mad=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        KpiReport.objects.create(
            incubatee=incubatee,
            period="2026-Q3",
            revenue_mad=2,
            submitted_by=staff,
            submitted_at=datetime.datetime.now(tz=datetime.UTC),
        )


def test_a_malformed_or_future_period_is_refused_naming_the_field(client_for, member, incubatee):
    client = client_for(member)
    response = client.post(
        KPIS, {"incubatee": incubatee.pk, **KPI, "period": "2026-Q5"}, format="json"
    )
    assert response.status_code == 400
    assert "period" in response.data["fields"]
    with time_machine.travel(AUGUST):
        response = client.post(
            KPIS, {"incubatee": incubatee.pk, **KPI, "period": "2026-Q4"}, format="json"
        )
    assert response.status_code == 400
    assert response.data["code"] == "invalid_period"


def test_members_cannot_report_for_another_organisation(client_for, member, other_incubatee):
    response = client_for(member).post(
        KPIS, {"incubatee": other_incubatee.pk, **KPI}, format="json"
    )
    assert response.status_code == 404


def test_staff_amend_with_history_of_previous_values(client_for, staff, member, incubatee):
    report = services.kpi_report_submit(
        by=member, incubatee=incubatee, period="2026-Q3", revenue_mad=Decimal(120000), jobs_women=3
    )
    client = client_for(staff)
    response = client.post(
        f"{KPIS}{report.pk}/amend/",
        {"revenue_mad": "98000.00", "reason": "Invoice counted twice"},
        format="json",
    )
    assert response.status_code == 200, response.data
    assert response.data["revenue_mad"] == "98000.00"
    [amendment] = response.data["amendments"]
    assert amendment["previous"]["revenue_mad"] == "120000.00"
    assert amendment["previous"]["jobs_women"] == 3
    assert amendment["changed_by"] == staff.pk
    assert amendment["reason"] == "Invoice counted twice"
    assert amendment["changed_at"]

    response = client.post(f"{KPIS}{report.pk}/amend/", {"jobs_men": 2}, format="json")
    assert response.status_code == 400
    assert "reason" in response.data["fields"]


def test_members_cannot_amend(client_for, member, incubatee):
    report = services.kpi_report_submit(
        by=member, incubatee=incubatee, period="2026-Q3", revenue_mad=Decimal(1)
    )
    response = client_for(member).post(
        f"{KPIS}{report.pk}/amend/", {"revenue_mad": "2", "reason": "typo"}, format="json"
    )
    assert response.status_code == 403


def test_kpi_lists_are_scoped_to_the_organisation(
    client_for, member, other_member, incubatee, other_incubatee
):
    mine = services.kpi_report_submit(
        by=member, incubatee=incubatee, period="2026-Q3", revenue_mad=1
    )
    theirs = services.kpi_report_submit(
        by=other_member, incubatee=other_incubatee, period="2026-Q3", revenue_mad=1
    )
    client = client_for(member)
    assert [r["id"] for r in client.get(KPIS).data["results"]] == [mine.pk]
    assert client.get(f"{KPIS}{theirs.pk}/").status_code == 404


def test_a_second_member_of_the_organisation_sees_the_report(
    client_for, member, organisation, incubatee
):
    services.kpi_report_submit(by=member, incubatee=incubatee, period="2026-Q3", revenue_mad=1)
    colleague = member_of(organisation, username="colleague")
    assert client_for(colleague).get(KPIS).data["count"] == 1


def test_evidence_must_be_a_document_or_an_image(client_for, staff, member, incubatee):
    milestone = services.milestone_create(
        by=staff, incubatee=incubatee, title="Lab analysis", due_date=datetime.date(2027, 1, 10)
    )
    response = client_for(member).patch(
        f"{MILESTONES}{milestone.pk}/",
        {"evidence_file": SimpleUploadedFile("run.sh", b"rm -rf /", "text/x-sh")},
        format="multipart",
    )
    assert response.status_code == 400
    assert "evidence_file" in response.data["fields"]


def test_milestone_and_kpi_lists_use_a_fixed_number_of_queries(
    client_for, staff, member, incubatee, django_assert_max_num_queries
):
    for n in range(6):
        services.milestone_create(
            by=staff,
            incubatee=incubatee,
            title=f"Milestone {n}",
            due_date=datetime.date(2027, 1, 1 + n),
            owner=member,
        )
        report = services.kpi_report_submit(
            by=member, incubatee=incubatee, period=f"202{n}-Q1", revenue_mad=Decimal(n)
        )
        services.kpi_report_amend(by=staff, report=report, reason="typo", jobs_men=n + 1)
    client = client_for(member)
    # auth, count, rows (+ amendments with their authors, and the funding split by source with
    # its sources, for KPIs)
    with django_assert_max_num_queries(4):
        assert client.get(MILESTONES).data["count"] == 6
    with django_assert_max_num_queries(5):
        assert client.get(KPIS).data["count"] == 6


def test_the_database_refuses_a_done_milestone_without_completion_date(staff, incubatee):
    from django.db import IntegrityError, transaction

    milestone = services.milestone_create(
        by=staff, incubatee=incubatee, title="x", due_date=datetime.date(2027, 1, 1)
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        type(milestone).objects.filter(pk=milestone.pk).update(status=MilestoneStatus.DONE)
