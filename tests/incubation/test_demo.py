"""The nursery's demo follows the day it is loaded: its milestones are due relative to that day."""

import datetime

import pytest
import time_machine

from caiac.accounts import demo as accounts_demo
from incubation import demo
from incubation.models import Milestone

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("day", [datetime.date(2026, 11, 20), datetime.date(2028, 3, 6)])
def test_whatever_the_day_one_milestone_is_overdue_and_one_is_due_within_two_weeks(day):
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(12)), tick=False):
        ctx, _lines = accounts_demo.seed()
        demo.seed(ctx)
    open_ones = Milestone.objects.exclude(status="done")
    overdue = [m.title for m in open_ones if m.due_date < day]
    soon = [m.title for m in open_ones if day <= m.due_date <= day + datetime.timedelta(days=14)]
    assert overdue == ["Test de stabilité de la formulation (3 mois)"]
    assert soon == ["Emballage export (étiquetage UE)"]
    assert all(m.due_date < day for m in Milestone.objects.filter(status="done"))
