"""A paid course is charged once per person present, to the organisation that pays for them."""

import datetime
from decimal import Decimal

import pytest

from billing import services
from billing.models import Charge, ChargeKind
from caiac.accounts.models import MembershipRole
from tests.billing.conftest import travel
from tests.booking.conftest import local
from tests.factories import MembershipFactory, OrganisationFactory, TrainerFactory, UserFactory
from tests.trainings.factories import CourseFactory, SessionFactory
from trainings.services import enrolment as enrolments

pytestmark = pytest.mark.django_db


@pytest.fixture
def paid_session(db):
    course = CourseFactory(title="Émulsions à froid", price=Decimal("450.00"))
    return SessionFactory(
        course=course,
        trainer=TrainerFactory(),
        start=local(2026, 11, 10, 9),
        end=local(2026, 11, 10, 12),
        capacity=4,
    )


def attend(session, people, present=True):
    with travel(2026, 11, 1, 9, 0):
        for person in people:
            enrolments.session_enrol(by=person, session=session)
    with travel(2026, 11, 10, 12, 30):
        enrolments.attendance_record(
            by=session.trainer,
            session=session,
            marks=[{"user": p.pk, "present": present} for p in people],
        )


def test_attending_a_paid_course_charges_the_organisation_the_person_owns(paid_session):
    person = UserFactory()
    joined_first, owned = OrganisationFactory(), OrganisationFactory()
    MembershipFactory(user=person, organisation=joined_first, role=MembershipRole.MEMBER)
    MembershipFactory(user=person, organisation=owned, role=MembershipRole.OWNER)
    attend(paid_session, [person])

    with travel(2026, 12, 1, 1, 30):
        services.charges_collect()
        services.charges_collect()  # the nightly run again: nothing new

    charge = Charge.objects.get(kind=ChargeKind.COURSE_FEE)
    assert charge.organisation_id == owned.pk
    assert charge.amount == Decimal("450.00")
    assert charge.service_date == datetime.date(2026, 11, 10)
    assert "Émulsions à froid" in charge.description


def test_a_course_fee_does_not_stop_the_month_being_drafted(paid_session, organisation):
    person = UserFactory()
    MembershipFactory(user=person, organisation=organisation, role=MembershipRole.MEMBER)
    attend(paid_session, [person])

    with travel(2026, 12, 1, 1, 30):
        drafts = services.invoices_draft_month(year=2026, month=11)

    assert [d.organisation_id for d in drafts] == [organisation.pk]
    assert drafts[0].lines.get().amount_ht == Decimal("450.00")


def test_absent_people_and_free_courses_are_not_charged(paid_session):
    person = UserFactory()
    MembershipFactory(user=person, organisation=OrganisationFactory())
    attend(paid_session, [person], present=False)
    with travel(2026, 12, 1, 1, 30):
        services.charges_collect()
    assert not Charge.objects.filter(kind=ChargeKind.COURSE_FEE).exists()
