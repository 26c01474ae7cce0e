import datetime

import pytest
from django.utils import timezone

from tests.trainings.factories import CourseFactory, SessionFactory


@pytest.fixture
def course(db):
    return CourseFactory(title="Safe use of the vacuum emulsifier", validity_months=12)


@pytest.fixture
def session(course, trainer):
    """Next week, 2 seats, run by ``trainer``."""
    return SessionFactory(course=course, trainer=trainer, capacity=2)


@pytest.fixture
def past_session(course, trainer):
    """Ran yesterday morning; attendance can be taken."""
    start = timezone.now() - datetime.timedelta(days=1)
    return SessionFactory(
        course=course, trainer=trainer, start=start, end=start + datetime.timedelta(hours=3)
    )
