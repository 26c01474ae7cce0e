"""Which projects count in a year: the year is the Casablanca wall clock's, whatever the
database's own copy of the time-zone rules says."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from caiac.projects import services
from caiac.projects.models import ProjectStatus
from caiac.projects.selectors import projects_active_in_year

pytestmark = pytest.mark.django_db

UTC = datetime.UTC


def undated_project(*, by, lead, title: str, created: datetime.datetime):
    """A project with no dates: it counts in the years of its status changes."""
    with time_machine.travel(created, tick=False):
        return services.project_create(by=by, lead=lead, title=title, theme="cosmetics")


def test_an_undated_project_counts_in_the_year_of_its_status_change_on_the_casablanca_clock(
    staff, organisation
):
    # 31 Dec 2025 23:30 UTC is 00:30 on 1 Jan 2026 in Casablanca (UTC+1 then).
    new_year = undated_project(
        by=staff,
        lead=organisation,
        title="Créé à minuit et demie",
        created=datetime.datetime(2025, 12, 31, 23, 30, tzinfo=UTC),
    )
    # 31 Dec 2026 23:30 UTC is still 31 Dec in Casablanca (UTC+0 since 20 Sep 2026, tzdata
    # 2026c); a stale copy of the rules (UTC+1) would call it 00:30 on 1 Jan 2027.
    last_hour = undated_project(
        by=staff,
        lead=organisation,
        title="Soumis à la dernière heure",
        created=datetime.datetime(2026, 12, 31, 23, 30, tzinfo=UTC),
    )
    # 1 Jan 2027 00:30 UTC: 2027 in Casablanca.
    next_year = undated_project(
        by=staff,
        lead=organisation,
        title="Créé en 2027",
        created=datetime.datetime(2027, 1, 1, 0, 30, tzinfo=UTC),
    )

    assert set(projects_active_in_year(2025)) == set()
    assert set(projects_active_in_year(2026)) == {new_year, last_hour}
    assert set(projects_active_in_year(2027)) == {next_year}
    # The same answer whatever time zone happens to be active (a task, a request).
    with timezone.override("UTC"):
        assert set(projects_active_in_year(2026)) == {new_year, last_hour}


def test_a_later_status_change_brings_an_undated_project_into_that_year_too(staff, organisation):
    project = undated_project(
        by=staff,
        lead=organisation,
        title="Idée de 2025",
        created=datetime.datetime(2025, 6, 1, 9, tzinfo=UTC),
    )
    assert list(projects_active_in_year(2026)) == []
    with time_machine.travel(datetime.datetime(2026, 12, 31, 23, 59, tzinfo=UTC), tick=False):
        services.project_change_status(
            by=staff, project=project, status=ProjectStatus.SUBMITTED, reason="Appel régional"
        )
    assert list(projects_active_in_year(2026)) == [project]
    assert list(projects_active_in_year(2027)) == []
