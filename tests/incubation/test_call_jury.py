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


@pytest.fixture
def two_submitted(call, submitted, other_member, other_organisation, question):
    """The cooperative's application and Atlas Essences', both awaiting a decision."""
    other = services.application_create(
        by=other_member, call=call, organisation=other_organisation,
        answers={str(question.pk): "Eau de rose"},
    )  # fmt: skip
    return submitted, services.application_submit(by=other_member, application=other)


def test_a_juror_taken_off_a_call_stays_only_where_they_have_started_scoring(
    staff, two_submitted, juror, juror2, criteria
):
    cooperative, atlas = two_submitted
    services.call_jurors_assign(by=staff, call=cooperative.call, jurors=[juror, juror2])
    services.evaluation_create(
        juror=juror, application=atlas, criterion=criteria[0], score=7
    )  # half-way through Atlas's
    result = services.call_juror_remove(by=staff, call=cooperative.call, juror=juror)
    assert (result["removed"], result["kept"]) == ([cooperative], [atlas])
    assert set(JurorAssignment.objects.values_list("application_id", "juror_id")) == {
        (atlas.pk, juror.pk),
        (cooperative.pk, juror2.pk),
        (atlas.pk, juror2.pk),
    }
    assert [a.pk for a in services.call_juror_remove(
        by=staff, call=cooperative.call, juror=juror
    )["removed"]] == []  # fmt: skip


def test_a_juror_taken_off_can_no_longer_score(staff, assigned, juror, criteria):
    services.call_juror_remove(by=staff, call=assigned.call, juror=juror)
    with pytest.raises(NotAllowed) as refused:
        services.evaluation_create(
            juror=juror, application=assigned, criterion=criteria[0], score=5
        )
    assert refused.value.code == "not_assigned"


def test_a_decided_application_keeps_the_jury_that_decided_it(staff, assigned, juror):
    services.application_decline(by=staff, application=assigned, reason="Hors champ")
    result = services.call_juror_remove(by=staff, call=assigned.call, juror=juror)
    assert result == {"removed": [], "kept": []}
    assert JurorAssignment.objects.filter(application=assigned, juror=juror).exists()


def test_only_staff_take_a_juror_off(member, assigned, juror):
    with pytest.raises(NotAllowed):
        services.call_juror_remove(by=member, call=assigned.call, juror=juror)
    assert JurorAssignment.objects.filter(juror=juror).exists()


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
