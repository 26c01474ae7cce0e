"""Which organisation an application is for: a rule of the service, the same from the API and the
apply page (neither re-derives it)."""

import pytest

from caiac.errors import Invalid, NotAllowed
from incubation import services
from incubation.models import Application
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory

APPLICATIONS = "/api/v1/incubation/applications/"


def test_a_person_with_one_organisation_applies_for_it_without_naming_it(
    client_for, member, organisation, call
):
    response = client_for(member).post(APPLICATIONS, {"call": call.pk}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["organisation"] == organisation.pk


def test_a_person_with_several_organisations_must_name_one(member, call):
    MembershipFactory(user=member, organisation=OrganisationFactory(name="Argan Bio"))
    with pytest.raises(Invalid) as refused:
        services.application_create(by=member, call=call)
    assert refused.value.code == "organisation_required"
    assert "organisation" in refused.value.fields


def test_a_person_without_an_organisation_cannot_apply(call):
    with pytest.raises(NotAllowed) as refused:
        services.application_create(by=UserFactory(username="alone"), call=call)
    assert refused.value.code == "not_a_member"


def test_staff_do_not_apply_on_an_organisations_behalf(staff, organisation, call):
    with pytest.raises(NotAllowed) as refused:
        services.application_create(by=staff, call=call, organisation=organisation)
    assert refused.value.code == "not_a_member"


def test_the_apply_page_applies_for_the_persons_only_organisation(
    client, member, organisation, call, question
):
    client.force_login(member)
    response = client.post(
        f"/incubation/calls/{call.pk}/apply/", {f"q{question.pk}": "Huile d'argan bio"}
    )
    assert response.status_code == 302
    application = Application.objects.get(call=call, organisation=organisation)
    assert application.answers == {str(question.pk): "Huile d'argan bio"}
