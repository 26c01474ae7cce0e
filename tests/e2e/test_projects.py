"""R&D projects in the browser: an owner opens a project for their cooperative, adds an outside
research lab as partner, records funding from a source, submits the project, and sees the lab
hours booked for it; a person of another organisation cannot find it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone, translation

from booking.models import Booking, BookingStatus
from caiac import formatting
from caiac.accounts.models import MembershipRole
from caiac.projects.models import FundingSource, Project, ProjectStatus
from tests.booking.factories import EquipmentFactory
from tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def owner(organisation):
    user = UserFactory(username="aicha.owner")
    MembershipFactory(user=user, organisation=organisation, role=MembershipRole.OWNER)
    return user


@pytest.fixture
def region(db):
    return FundingSource.objects.create(name="Région Souss Massa", kind="region")


def french_money(amount: str) -> str:
    with translation.override("fr"):
        return formatting.money(Decimal(amount))


def test_an_owner_runs_a_project_from_its_pages_and_others_cannot_find_it(
    page, sign_in, owner, organisation, other_member, region, browser, live_server
):
    sign_in(owner)
    page.click("#more-menu-toggle")  # projects sit under "More"
    page.click("#more-menu a[href='/projects/']")
    page.select_option("#id_lead", str(organisation.pk))
    page.fill("#id_title", "Huile d'argan stabilisée")
    page.select_option("#id_theme", "cosmetics")
    page.fill("#id_tags", "argan, antioxydants")
    page.fill("#id_budget_mad", "850000")
    page.click("section[aria-labelledby=new-project] button[type=submit]")
    page.wait_for_url("**/projects/*/")
    project = Project.objects.get(title="Huile d'argan stabilisée")
    assert project.lead == organisation
    assert page.locator("#budget").inner_text() == french_money("850000")

    # An outside research lab joins as partner (a new organisation, not a cluster member).
    page.click("details:has(button[name=add_partner]) > summary")
    page.fill("#id_organisation_name", "Université Ibn Zohr")
    page.select_option("#id_organisation_kind", "research_lab")
    page.select_option("#id_role", "research")
    page.click("button[name=add_partner]")
    assert page.locator("#partners tbody tr").count() == 2  # the lead and the university
    assert "Université Ibn Zohr" in page.locator("#partners").inner_text()

    # Funding from the region for this year: committed and partly received.
    page.click("details:has(button[name=add_funding]) > summary")
    page.select_option("#id_source", str(region.pk))
    page.fill("#id_year", str(timezone.localdate().year))
    page.fill("#id_committed_mad", "300000")
    page.fill("#id_received_mad", "120000")
    page.click("button[name=add_funding]")
    assert page.locator("#committed").inner_text() == french_money("300000")
    assert page.locator("#received").inner_text() == french_money("120000")
    assert "Région Souss Massa" in page.locator("#funding").inner_text()

    # Submitted to a funder, with the reason kept in the history.
    page.select_option("#id_status", ProjectStatus.SUBMITTED)
    page.fill("#id_reason", "Appel régional 2027")
    page.click("button[name=change_status]")
    with translation.override("fr"):
        assert page.locator("#status").inner_text().strip() == str(ProjectStatus.SUBMITTED.label)
    project.refresh_from_db()
    assert project.status == ProjectStatus.SUBMITTED
    assert "Appel régional 2027" in page.content()

    # A booking named for the project shows in its lab use.
    start = timezone.now().replace(microsecond=0) + datetime.timedelta(days=3)
    Booking.objects.create(
        equipment=EquipmentFactory(name="Émulsionneur sous vide"),
        organisation=organisation,
        booked_by=owner,
        start=start,
        end=start + datetime.timedelta(hours=2),
        blocked_until=start + datetime.timedelta(hours=2),
        status=BookingStatus.CONFIRMED,
        price=Decimal("300.00"),
        project=project,
    )
    page.reload()
    with translation.override("fr"):
        assert page.locator("#lab-hours-booked").inner_text() == formatting.hours(Decimal(2))
    assert page.locator("#lab-cost").inner_text() == french_money("300")
    assert "Émulsionneur sous vide" in page.locator("#lab-use + .table-card").inner_text()

    # Someone of another organisation: not in their list, and its page is not found.
    other = browser.new_context(base_url=live_server.url, locale="fr-FR")
    try:
        stranger = other.new_page()
        stranger.set_default_timeout(10_000)
        sign_in_as(stranger, other_member)
        stranger.goto("/projects/")
        assert "Huile d'argan stabilisée" not in stranger.content()
        response = stranger.goto(f"/projects/{project.pk}/")
        assert response.status == 404
    finally:
        other.close()


def sign_in_as(page, user) -> None:
    from tests.factories import PASSWORD

    page.goto("/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/")
