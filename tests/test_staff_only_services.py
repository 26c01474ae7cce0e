"""Every staff-only write refuses anyone else first thing, with the one code ``staff_only``.

Whatever calls the service (the API, a page, the admin, a task), a member, a trainer or a juror is
refused before anything is read or validated: here the services are called with nothing but the
acting person, and must answer 403 ``staff_only`` rather than trip over the missing data.
"""

import inspect

import pytest

import billing.services as billing
import booking.services as booking
import caiac.accounts.services as accounts
import caiac.notifications.services as notifications
import caiac.projects.services as projects
import incubation.services as incubation
import trainings.services as trainings
from caiac.errors import NotAllowed
from tests.factories import TrainerFactory, UserFactory

STAFF_ONLY = [
    booking.equipment_create,
    booking.equipment_update,
    booking.opening_hours_create,
    booking.opening_hours_update,
    booking.opening_hours_delete,
    booking.closure_create,
    booking.closure_update,
    booking.closure_delete,
    booking.booking_approve,
    booking.booking_reject,
    booking.booking_check_in,
    booking.booking_no_show,
    trainings.course_create,
    trainings.course_update,
    trainings.certification_grant,
    trainings.certification_revoke,
    incubation.programme_create,
    incubation.programme_update,
    incubation.call_create,
    incubation.call_update,
    incubation.jurors_assign,
    incubation.application_admit,
    incubation.application_decline,
    incubation.cohort_create,
    incubation.cohort_update,
    incubation.incubatee_create,
    incubation.incubatee_move_stage,
    incubation.milestone_create,
    incubation.milestone_delete,
    incubation.mentoring_session_create,
    incubation.mentoring_session_update,
    incubation.kpi_report_amend,
    accounts.organisation_create,
    accounts.organisation_update,
    notifications.message_resend,
    notifications.announcement_send,
    projects.funding_source_create,
    projects.funding_source_update,
    billing.charge_add,
    billing.charge_waive,
    billing.charge_delete,
    billing.invoices_draft_month_now,
    billing.invoice_issue,
    billing.credit_note_create,
    billing.payment_record,
    billing.price_item_create,
    billing.price_item_update,
]

ACTING = ("by", "user", "author")


def call_as(service, person):
    """The service with the acting person and every other required argument left empty."""
    params = inspect.signature(service).parameters
    acting = next(name for name in ACTING if name in params)
    kwargs = {
        name: None
        for name, p in params.items()
        if p.kind is p.KEYWORD_ONLY and p.default is p.empty and name != acting
    }
    return service(**{acting: person}, **kwargs)


@pytest.fixture(params=["member", "trainer", "juror"])
def not_staff(request, member):
    if request.param == "member":
        return member
    if request.param == "trainer":
        return TrainerFactory()
    return UserFactory(username="jury-member")


@pytest.mark.parametrize("service", STAFF_ONLY, ids=lambda s: s.__name__)
def test_a_staff_only_write_refuses_anyone_else_before_anything_else(db, service, not_staff):
    with pytest.raises(NotAllowed) as refused:
        call_as(service, not_staff)
    assert refused.value.code == "staff_only"
    assert refused.value.status_code == 403


def test_a_deactivated_staff_account_is_refused_too(db):
    from tests.factories import StaffFactory

    former = StaffFactory(is_active=False)
    with pytest.raises(NotAllowed):
        call_as(booking.equipment_create, former)
