"""Races the database must settle: real threads, each with its own PostgreSQL connection."""

import threading

import pytest
from django.db import connection

from caiac.errors import DomainError
from incubation import services
from incubation.models import Application, Evaluation, KpiReport
from tests.factories import member_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def race(*calls):
    """Run the calls at the same instant; each outcome is "ok" or the DomainError code."""
    barrier = threading.Barrier(len(calls))
    outcomes = [None] * len(calls)

    def run(index, call):
        try:
            barrier.wait()
            call()
            outcomes[index] = "ok"
        except DomainError as error:
            outcomes[index] = error.code
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sorted(outcomes)


def test_two_members_applying_at_once_make_one_application(call, organisation, member):
    colleague = member_of(organisation, username="colleague")
    outcomes = race(
        lambda: services.application_create(by=member, call=call, organisation=organisation),
        lambda: services.application_create(by=colleague, call=call, organisation=organisation),
    )
    assert outcomes == ["application_exists", "ok"]
    assert Application.objects.count() == 1


def test_a_double_clicked_score_is_recorded_once(juror, assigned, criteria):
    def score():
        services.evaluation_create(
            juror=juror, application=assigned, criterion=criteria[0], score=7
        )

    assert race(score, score) == ["already_scored", "ok"]
    assert Evaluation.objects.count() == 1


def test_one_kpi_report_per_quarter_even_when_two_arrive_together(member, incubatee):
    def submit():
        services.kpi_report_submit(
            by=member, incubatee=incubatee, period="2026-Q3", revenue_mad=1000
        )

    assert race(submit, submit) == ["kpi_report_exists", "ok"]
    assert KpiReport.objects.count() == 1
