import datetime
from decimal import Decimal

import pytest
import time_machine

from caiac.accounts.models import MembershipRole, OrganisationKind
from caiac.projects import services
from caiac.projects.models import FundingSource, FundingSourceKind, PartnerRole
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def owner(organisation):
    user = UserFactory(username="aicha")
    MembershipFactory(user=user, organisation=organisation, role=MembershipRole.OWNER)
    return user


@pytest.fixture
def university(db):
    return OrganisationFactory(
        name="Université Ibn Zohr", kind=OrganisationKind.RESEARCH_LAB, is_cluster_member=False
    )


@pytest.fixture
def researcher(university):
    user = UserFactory(username="pr.idrissi")
    MembershipFactory(user=user, organisation=university, role=MembershipRole.MEMBER)
    return user


@pytest.fixture
def giz(db):
    return FundingSource.objects.create(
        name="GIZ — Partenariat pour l'emploi", kind=FundingSourceKind.INTERNATIONAL
    )


@pytest.fixture
def region(db):
    return FundingSource.objects.create(name="Région Souss Massa", kind=FundingSourceKind.REGION)


@pytest.fixture
def project(owner, organisation, university):
    """An argan project led by the cooperative, with the university as research partner."""
    project = services.project_create(
        by=owner,
        lead=organisation,
        title="Huile d'argan cosmétique stabilisée",
        theme="cosmetics",
        summary="Stabiliser l'huile d'argan sans conservateurs de synthèse.",
        tags=["argan", "antioxydants"],
        starts_on=datetime.date(2026, 3, 1),
        ends_on=datetime.date(2027, 12, 31),
        budget_mad=Decimal("850000"),
    )
    services.partner_add(
        by=owner, project=project, organisation=university, role=PartnerRole.RESEARCH
    )
    return project


@pytest.fixture
def frozen():
    """Monday 23 November 2026, 07:00 in Casablanca."""
    from tests.booking.conftest import local

    with time_machine.travel(local(2026, 11, 23, 7, 0), tick=False) as traveller:
        yield traveller
