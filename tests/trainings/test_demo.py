import pytest

from caiac.accounts import demo as accounts_demo
from trainings import demo
from trainings.models import Certification, Enrolment, Session
from trainings.selectors import session_enrolments, user_is_certified

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_has_a_full_session_with_a_waiting_list():
    ctx, _lines = accounts_demo.seed()
    demo.seed(ctx)
    counts = (Session.objects.count(), Enrolment.objects.count(), Certification.objects.count())
    demo.seed(ctx)
    assert (Session.objects.count(), Enrolment.objects.count(), Certification.objects.count()) == (
        counts
    )
    # The coming induction (the demo also has one that has just ended, attendance to take).
    induction = Session.objects.filter(course__title="Lab safety induction").latest("start")
    lists = session_enrolments(induction)
    assert len(lists["enrolled"]) == induction.capacity
    assert len(lists["waitlisted"]) >= 1
    emulsifier = Session.objects.get(course__title="Safe use of the vacuum emulsifier").course
    assert user_is_certified(user=ctx.users["youssef"], course=emulsifier)
