import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from tests.factories import TrainerFactory
from trainings.models import Course, Enrolment, EnrolmentStatus, Session


class CourseFactory(DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    description = "Hands-on training."
    duration_hours = 3
    validity_months = 24


class SessionFactory(DjangoModelFactory):
    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    trainer = factory.SubFactory(TrainerFactory)
    place = "Halle Technologique, salle 1"
    start = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=7))
    end = factory.LazyAttribute(lambda s: s.start + datetime.timedelta(hours=3))
    capacity = 2
    language = "fr"


class EnrolmentFactory(DjangoModelFactory):
    class Meta:
        model = Enrolment

    session = factory.SubFactory(SessionFactory)
    status = EnrolmentStatus.ENROLLED
    queued_at = factory.LazyFunction(timezone.now)
