"""A charge's description is written once, in the language of the organisation's invoices, and
read on pages, PDFs and journals: a machine's French name inside an Arabic description is
isolated (FSI ... PDI) so its brackets stay with it and the description keeps its direction."""

import pytest

from billing import services
from billing.models import Charge, ChargeKind, CustomerProfile
from tests.billing.conftest import travel

pytestmark = pytest.mark.django_db

FSI, PDI = "\u2068", "\u2069"


@pytest.fixture
def in_arabic(organisation):
    CustomerProfile.objects.update_or_create(organisation=organisation, defaults={"language": "ar"})


def test_an_arabic_booking_charge_isolates_the_french_machine_name(in_arabic, november):
    with travel(2026, 12, 1, 1, 30):
        services.charges_collect()
    charge = Charge.objects.get(booking=november["used"], kind=ChargeKind.BOOKING)
    assert charge.description.startswith(f"{FSI}Émulsionneur sous vide{PDI}")
    assert "09:00-11:00" in charge.description
    assert "\u0633" in charge.description  # "(2 س)": the rest is in Arabic


def test_a_french_description_carries_no_invisible_characters(november):
    """The accountant's journal, the API and the PDF read the stored text as it is."""
    with travel(2026, 12, 1, 1, 30):
        services.charges_collect()
    charge = Charge.objects.get(booking=november["used"], kind=ChargeKind.BOOKING)
    assert charge.description.startswith("Émulsionneur sous vide, ")
    assert FSI not in charge.description and PDI not in charge.description
