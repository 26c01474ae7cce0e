import datetime
from decimal import Decimal

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from incubation.models import (
    Call,
    Cohort,
    Criterion,
    Programme,
    ProgrammeStage,
    Question,
    Stage,
)


class ProgrammeFactory(DjangoModelFactory):
    class Meta:
        model = Programme
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Pépinière {n}")


class ProgrammeStageFactory(DjangoModelFactory):
    class Meta:
        model = ProgrammeStage

    programme = factory.SubFactory(ProgrammeFactory)
    stage = Stage.PRE_INCUBATION
    lab_hours_per_month = Decimal("10")


class CohortFactory(DjangoModelFactory):
    class Meta:
        model = Cohort

    programme = factory.SubFactory(ProgrammeFactory)
    name = factory.Sequence(lambda n: f"Cohorte {n}")
    year = 2026
    starts_on = datetime.date(2026, 1, 1)
    ends_on = datetime.date(2026, 12, 31)


class CallFactory(DjangoModelFactory):
    class Meta:
        model = Call

    programme = factory.SubFactory(ProgrammeFactory)
    title = factory.Sequence(lambda n: f"Appel {n}")
    opens_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=10))
    closes_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=10))


class QuestionFactory(DjangoModelFactory):
    class Meta:
        model = Question

    call = factory.SubFactory(CallFactory)
    text = "Describe your product."
    required = True


class CriterionFactory(DjangoModelFactory):
    class Meta:
        model = Criterion

    call = factory.SubFactory(CallFactory)
    name = factory.Sequence(lambda n: f"Criterion {n}")
    weight = Decimal("1")
    max_score = 10
