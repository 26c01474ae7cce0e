import pytest

from tests.trainings.factories import CourseFactory, SessionFactory
from trainings.models import Enrolment

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_enrols_in_a_session_from_the_page_and_sees_themselves_enrolled(
    page, sign_in, member, trainer
):
    course = CourseFactory(title="Safe use of the vacuum emulsifier")
    session = SessionFactory(course=course, trainer=trainer, capacity=3)
    sign_in(member)

    page.goto("/trainings/")
    row = page.locator(f"#session-{session.pk}")
    assert row.get_attribute("data-enrolment-status") == "none"
    row.locator("button[type=submit]").click()

    enrolled = page.locator(f'#session-{session.pk}[data-enrolment-status="enrolled"]')
    enrolled.wait_for()
    assert "2 / 3" in enrolled.inner_text()
    assert Enrolment.objects.get(user=member, session=session).status == "enrolled"

    page.goto("/trainings/mine/")
    assert page.locator('[data-enrolment-status="enrolled"]').count() == 1
    assert "Safe use of the vacuum emulsifier" in page.locator("main").inner_text()
