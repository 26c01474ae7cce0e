import pytest

from caiac.notifications.models import Message
from incubation import services
from incubation.models import Application, ApplicationStatus

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def open_call(staff):
    import datetime
    from decimal import Decimal

    from django.utils import timezone

    from incubation.models import Programme

    programme = Programme.objects.create(name="Pépinière cosmétique Souss Massa")
    return services.call_create(
        by=staff,
        programme=programme,
        title="Appel à candidatures 2027",
        opens_at=timezone.now() - datetime.timedelta(days=1),
        closes_at=timezone.now() + datetime.timedelta(days=30),
        questions=[{"text": "What product do you want to bring to market?", "required": True}],
        criteria=[{"name": "Innovation", "weight": Decimal(1), "max_score": 10}],
    )


def test_member_drafts_and_submits_an_application_from_the_page(
    page, sign_in, member, staff, open_call
):
    sign_in(member)
    page.click("#more-menu-toggle")  # incubation sits under "More" for members
    page.click("nav a[href='/incubation/']")
    page.click("text=Appel à candidatures 2027")
    question = open_call.questions.get()
    page.fill(f"#id_q{question.pk}", "Argan")
    page.click("button[name=save]")
    # The attribute, not the label: the page is in French once translations land.
    assert page.locator("#application-status").get_attribute("data-status") == "draft"
    assert Application.objects.get().status == ApplicationStatus.DRAFT

    # Submitting with the answer erased is refused inline, and the draft stays a draft.
    page.fill(f"#id_q{question.pk}", "")
    page.click("button[name=submit]")
    assert page.locator("[role=alert]").is_visible()

    page.fill(f"#id_q{question.pk}", "Cold-pressed argan oil serum")
    page.click("button[name=submit]")
    assert page.locator("#application-status").get_attribute("data-status") == "submitted"
    assert page.locator("button[name=submit]").count() == 0
    application = Application.objects.get()
    assert application.status == ApplicationStatus.SUBMITTED
    assert application.answers[str(question.pk)] == "Cold-pressed argan oil serum"
    assert not Message.objects.exists()  # applicants are told on the decision, not before
