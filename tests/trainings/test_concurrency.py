"""Races, with real threads, each on its own PostgreSQL connection."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from caiac.errors import DomainError
from tests.factories import StaffFactory, TrainerFactory, UserFactory
from tests.trainings.factories import CourseFactory, SessionFactory
from trainings.models import Enrolment, EnrolmentStatus, Session
from trainings.selectors import session_enrolments
from trainings.services import session_create, session_enrol

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def run_at_once(calls):
    """Start every call behind one barrier; collect results or domain errors."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(i, call):
        try:
            barrier.wait()
            results[i] = call()
        except DomainError as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_many_enrolling_at_once_never_exceed_capacity():
    capacity, crowd = 4, 14
    session = SessionFactory(capacity=capacity)
    people = [UserFactory() for _ in range(crowd)]

    results = run_at_once(
        [lambda p=p: session_enrol(by=p, session=Session(pk=session.pk)) for p in people]
    )

    assert not [r for r in results if isinstance(r, Exception)]
    statuses = [r.status for r in results]
    assert statuses.count(EnrolmentStatus.ENROLLED) == capacity
    positions = sorted(r.position for r in results if r.status == EnrolmentStatus.WAITLISTED)
    assert positions == list(range(1, crowd - capacity + 1))
    lists = session_enrolments(session)
    assert len(lists["enrolled"]) == capacity
    assert len(lists["waitlisted"]) == crowd - capacity
    assert Enrolment.objects.count() == crowd


def test_one_person_enrolling_twice_at_once_gets_one_seat():
    session = SessionFactory(capacity=5)
    person = UserFactory()
    results = run_at_once(
        [lambda: session_enrol(by=person, session=Session(pk=session.pk)) for _ in range(4)]
    )
    assert sum(isinstance(r, Enrolment) for r in results) == 1
    assert {r.code for r in results if isinstance(r, DomainError)} == {"already_enrolled"}


def test_two_overlapping_sessions_for_one_trainer_at_once_one_is_refused():
    staff, trainer, course = StaffFactory(), TrainerFactory(), CourseFactory()
    start = timezone.now() + datetime.timedelta(days=5)

    def create(offset_minutes):
        def call():
            begin = start + datetime.timedelta(minutes=offset_minutes)
            return session_create(
                by=staff,
                course=course,
                trainer=trainer,
                place="Salle 1",
                start=begin,
                end=begin + datetime.timedelta(hours=2),
                capacity=6,
            )

        return call

    results = run_at_once([create(0), create(30), create(60), create(90)])

    created = [r for r in results if isinstance(r, Session)]
    refused = [r for r in results if isinstance(r, DomainError)]
    assert len(created) == 1
    assert {r.code for r in refused} == {"trainer_unavailable"}
    assert Session.objects.filter(trainer=trainer).count() == 1


def test_the_database_itself_refuses_overlapping_sessions_of_a_trainer():
    from django.db import IntegrityError

    first = SessionFactory()
    with pytest.raises(IntegrityError, match="session_trainer_no_overlap"):
        SessionFactory(
            trainer=first.trainer,
            start=first.start + datetime.timedelta(minutes=30),
            end=first.end + datetime.timedelta(minutes=30),
        )
