"""KPI campaigns: after a quarter ends, incubatees that owe its report are reminded weekly."""

import datetime

import pytest
import time_machine
from django.core import mail

from caiac.notifications import delivery
from caiac.notifications.models import Message, MessageStatus
from incubation import services, tasks
from incubation.models import Stage
from tests.factories import OrganisationFactory, member_of

pytestmark = pytest.mark.django_db

KIND = "incubation.kpi_report_due"
UTC = datetime.UTC
# Q3 2026 ends at midnight on 1 October in Casablanca: 00:00 UTC (permanent UTC+0 since 20 Sep).
JULY = datetime.datetime(2026, 7, 15, 10, 0, tzinfo=UTC)
OCT_2 = datetime.datetime(2026, 10, 2, 9, 30, tzinfo=UTC)  # week 0 of the Q3 campaign
OCT_5 = datetime.datetime(2026, 10, 5, 9, 30, tzinfo=UTC)  # still week 0
OCT_9 = datetime.datetime(2026, 10, 9, 9, 30, tzinfo=UTC)  # week 1
OCT_16 = datetime.datetime(2026, 10, 16, 9, 30, tzinfo=UTC)  # week 2


def _scan(at: datetime.datetime) -> int:
    with time_machine.travel(at, tick=False):
        written = tasks.remind_missing_kpi_reports()
        delivery.send_due()
    return written


def _reminders(**filters):
    return Message.objects.filter(kind=KIND, **filters).order_by("due_at", "pk")


@pytest.fixture
def q3_incubatee(staff, cohort, organisation, member):
    with time_machine.travel(JULY, tick=False):
        return services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)


def test_two_weekly_scans_send_one_reminder_each_and_none_after_the_report(q3_incubatee, member):
    assert _scan(OCT_2) == 1
    assert _scan(OCT_9) == 1
    sent = _reminders(recipient=member, status=MessageStatus.SENT)
    assert [m.dedup_key for m in sent] == [
        f"kpi-campaign:2026-Q3:incubatee:{q3_incubatee.pk}:week:0:user:{member.pk}",
        f"kpi-campaign:2026-Q3:incubatee:{q3_incubatee.pk}:week:1:user:{member.pk}",
    ]
    assert len(mail.outbox) == 2
    assert mail.outbox[0].to == [member.email]

    with time_machine.travel(OCT_9 + datetime.timedelta(hours=2), tick=False):
        services.kpi_report_submit(
            by=member, incubatee=q3_incubatee, period="2026-Q3", revenue_mad=12000
        )
    assert _scan(OCT_16) == 0
    assert _reminders().count() == 2
    assert len(mail.outbox) == 2


def test_a_second_scan_in_the_same_week_writes_nothing(q3_incubatee, member):
    with time_machine.travel(OCT_2, tick=False):
        assert services.kpi_campaign_remind() == 1
        assert services.kpi_campaign_remind() == 0  # the same instant: beat and a hand-run task
    assert _scan(OCT_5) == 0
    assert _reminders().count() == 1
    assert len(mail.outbox) == 1


def test_a_pending_reminder_is_dropped_when_the_report_arrives(q3_incubatee, member):
    with time_machine.travel(OCT_2, tick=False):
        services.kpi_campaign_remind()  # written, not yet sent
        services.kpi_report_submit(
            by=member, incubatee=q3_incubatee, period="2026-Q3", revenue_mad=0
        )
        delivery.send_due()
    assert _reminders().get().status == MessageStatus.CANCELLED
    assert mail.outbox == []


def test_each_member_is_reminded_in_their_own_language(q3_incubatee, organisation, member):
    arabic = member_of(organisation, language="ar")
    _scan(OCT_2)
    by_address = {m.to[0]: m for m in mail.outbox}
    assert set(by_address) == {member.email, arabic.email}
    assert "2026-Q3" in by_address[member.email].subject
    assert by_address[member.email].subject.startswith("Rapport d\u2019indicateurs attendu")
    assert by_address[arabic.email].subject.startswith("تقرير المؤشرات مطلوب")
    assert organisation.name in by_address[arabic.email].body


def test_only_incubatees_that_owe_the_quarter_are_reminded(staff, cohort, q3_incubatee):
    late = OrganisationFactory(name="Joined after the quarter")
    gone = OrganisationFactory(name="Exited in September")
    outsider = OrganisationFactory(name="Not incubated")
    for organisation in (late, gone, outsider):
        member_of(organisation)
    with time_machine.travel(JULY, tick=False):
        exited = services.incubatee_create(by=staff, cohort=cohort, organisation=gone)
    with time_machine.travel(datetime.datetime(2026, 9, 1, tzinfo=UTC), tick=False):
        services.incubatee_move_stage(
            by=staff, incubatee=exited, stage=Stage.EXITED, reason="Closed down"
        )
    with time_machine.travel(OCT_2 - datetime.timedelta(hours=1), tick=False):
        services.incubatee_create(by=staff, cohort=cohort, organisation=late)
    _scan(OCT_2)
    assert {m.about.organisation.name for m in _reminders()} == {q3_incubatee.organisation.name}


def test_the_quarter_ends_at_midnight_in_casablanca_not_in_utc(staff, cohort, member):
    """Q2 2026 ends at 00:00 on 1 July in Casablanca, UTC+1 then: 23:00 UTC on 30 June."""
    organisation = member.organisations.get()
    with time_machine.travel(datetime.datetime(2026, 4, 10, 9, 0, tzinfo=UTC), tick=False):
        incubatee = services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)
    # 30 June, 23:30 local on the 30th: Q2 is still running, Q1 was before the incubatee.
    assert _scan(datetime.datetime(2026, 6, 30, 22, 30, tzinfo=UTC)) == 0
    # 30 June 23:30 UTC is 00:30 on 1 July in Casablanca: Q2 is over.
    assert _scan(datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC)) == 1
    assert (
        _reminders()
        .get()
        .dedup_key.startswith(f"kpi-campaign:2026-Q2:incubatee:{incubatee.pk}:week:0:")
    )


def test_joining_just_after_local_midnight_owes_nothing_for_the_quarter_before(
    staff, cohort, member
):
    organisation = member.organisations.get()
    # 23:30 UTC on 30 June is already 1 July (Q3) on the Casablanca wall clock.
    with time_machine.travel(datetime.datetime(2026, 6, 30, 23, 30, tzinfo=UTC), tick=False):
        services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)
    assert _scan(datetime.datetime(2026, 7, 2, 9, 0, tzinfo=UTC)) == 0


def test_staff_see_who_is_missing_on_the_cohort_page(
    client, staff, cohort, q3_incubatee, other_organisation
):
    with time_machine.travel(JULY, tick=False):
        reported = services.incubatee_create(
            by=staff, cohort=cohort, organisation=other_organisation
        )
    _scan(OCT_2)
    with time_machine.travel(OCT_5, tick=False):
        services.kpi_report_submit(by=staff, incubatee=reported, period="2026-Q3", revenue_mad=1)
        client.force_login(staff)
        response = client.get(f"/incubation/cohorts/{cohort.pk}/")
    assert response.status_code == 200
    section = response.content.decode().split('id="kpi-missing"')[1]
    assert "2026-Q3" in section
    assert q3_incubatee.organisation.name in section
    assert other_organisation.name not in section
    assert "dernier rappel : ven 2 oct. 2026" in section
