import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from incubation import services
from incubation.models import Stage
from tests.factories import UserFactory
from tests.incubation.factories import (
    CallFactory,
    CohortFactory,
    CriterionFactory,
    ProgrammeFactory,
    ProgrammeStageFactory,
    QuestionFactory,
)


@pytest.fixture
def programme(db):
    programme = ProgrammeFactory(name="Pépinière cosmétique Souss Massa")
    ProgrammeStageFactory(
        programme=programme, stage=Stage.PRE_INCUBATION, lab_hours_per_month=Decimal("4")
    )
    ProgrammeStageFactory(
        programme=programme, stage=Stage.INCUBATION, lab_hours_per_month=Decimal("10")
    )
    ProgrammeStageFactory(
        programme=programme, stage=Stage.ACCELERATION, lab_hours_per_month=Decimal("20")
    )
    return programme


@pytest.fixture
def cohort(programme):
    return CohortFactory(programme=programme, name="Cohorte 2026")


@pytest.fixture
def call(programme, cohort):
    """Open since 10 days, closes in 10 days; two criteria (weights 3 and 1, out of 10 and 5)."""
    call = CallFactory(
        programme=programme,
        cohort=cohort,
        title="Appel 2026",
        opens_at=timezone.now() - datetime.timedelta(days=10),
        closes_at=timezone.now() + datetime.timedelta(days=10),
    )
    QuestionFactory(call=call, text="Describe your product.", required=True)
    CriterionFactory(call=call, name="Innovation", weight=Decimal("3"), max_score=10, position=0)
    CriterionFactory(call=call, name="Team", weight=Decimal("1"), max_score=5, position=1)
    return call


@pytest.fixture
def question(call):
    return call.questions.get()


@pytest.fixture
def criteria(call):
    return list(call.criteria.order_by("position"))


@pytest.fixture
def juror(db):
    return UserFactory(username="juror1")


@pytest.fixture
def juror2(db):
    return UserFactory(username="juror2")


@pytest.fixture
def draft(call, member, organisation, question):
    return services.application_create(
        by=member, call=call, organisation=organisation, answers={str(question.pk): "Argan oil"}
    )


@pytest.fixture
def submitted(draft, member):
    return services.application_submit(by=member, application=draft)


@pytest.fixture
def assigned(submitted, staff, juror, juror2):
    services.jurors_assign(by=staff, application=submitted, jurors=[juror, juror2])
    return submitted


@pytest.fixture
def incubatee(cohort, organisation, staff):
    return services.incubatee_create(by=staff, cohort=cohort, organisation=organisation)


@pytest.fixture
def other_incubatee(cohort, other_organisation, staff):
    return services.incubatee_create(by=staff, cohort=cohort, organisation=other_organisation)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Users are created by the dozen here; PBKDF2's deliberate slowness only costs test time.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
