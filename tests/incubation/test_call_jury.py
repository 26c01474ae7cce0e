"""A jury named on a call: every submitted application gets those jurors, except where a juror
belongs to the applicant; only staff may name it."""

import pytest

from caiac.errors import NotAllowed
from incubation import services
from incubation.models import JurorAssignment

pytestmark = pytest.mark.django_db


def test_jurors_named_on_a_call_judge_each_submitted_application_not_drafts(
    staff, call, submitted, juror, juror2, other_member, other_organisation
):
    draft = services.application_create(
        by=other_member, call=call, organisation=other_organisation, answers={}
    )
    result = services.call_jurors_assign(by=staff, call=call, jurors=[juror, juror2])
    assert {(a.pk, j.pk) for a, j in result["assigned"]} == {
        (submitted.pk, juror.pk),
        (submitted.pk, juror2.pk),
    }
    assert not JurorAssignment.objects.filter(application=draft).exists()


def test_a_juror_of_the_applicant_organisation_is_skipped_for_that_application_only(
    staff, call, submitted, member, juror
):
    result = services.call_jurors_assign(by=staff, call=call, jurors=[member, juror])
    assert [(a.pk, j.pk) for a, j in result["skipped"]] == [(submitted.pk, member.pk)]
    assert set(JurorAssignment.objects.values_list("juror_id", flat=True)) == {juror.pk}


def test_naming_the_jury_again_keeps_existing_assignments_once(staff, call, submitted, juror):
    services.call_jurors_assign(by=staff, call=call, jurors=[juror])
    again = services.call_jurors_assign(by=staff, call=call, jurors=[juror])
    assert again["assigned"] == [] and JurorAssignment.objects.count() == 1


def test_only_staff_name_a_jury(member, call, juror):
    with pytest.raises(NotAllowed):
        services.call_jurors_assign(by=member, call=call, jurors=[juror])


def test_a_mentoring_session_edited_to_a_mentor_account_takes_the_mentors_name(staff, incubatee):
    import datetime
    from decimal import Decimal

    session = services.mentoring_session_create(
        by=staff, incubatee=incubatee, date=datetime.date(2026, 11, 2), hours=Decimal("1"),
        topic="Prix", mentor_name="M. Alaoui",
    )  # fmt: skip
    services.mentoring_session_update(by=staff, session=session, mentor=staff, mentor_name="")
    session.refresh_from_db()
    assert session.mentor_name == staff.display_name
