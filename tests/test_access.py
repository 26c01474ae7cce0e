"""caiac.access: the one module that answers "may this person ...". Every service relies on it."""

import pytest
from django.contrib.auth.models import AnonymousUser

from caiac import access
from caiac.accounts.models import Membership, MembershipRole, Organisation, Role
from caiac.errors import NotAllowed, NotFound
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory, member_of


@pytest.fixture
def owner(organisation):
    user = UserFactory(username="aicha")
    MembershipFactory(user=user, organisation=organisation, role=MembershipRole.OWNER)
    return user


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_superuser=True)


def test_staff_are_people_with_the_staff_role_or_superusers(staff, superuser, member, trainer):
    assert access.is_staff(staff)
    assert access.is_staff(superuser)
    assert not access.is_staff(member)
    assert not access.is_staff(trainer)


def test_a_deactivated_staff_account_is_no_longer_staff(staff):
    staff.is_active = False
    assert not access.is_staff(staff)
    assert not access.is_staff(AnonymousUser())
    assert not access.is_staff(None)


def test_djangos_back_office_flag_alone_does_not_make_cluster_staff(member):
    member.is_staff = True  # opens /admin/ only
    assert not access.is_staff(member)


def test_the_user_model_property_used_by_templates_follows_the_same_rule(staff, member):
    assert staff.is_cluster_staff and not member.is_cluster_staff
    staff.role = Role.MEMBER
    assert not staff.is_cluster_staff


def test_trainers_and_staff_teach_members_do_not(trainer, staff, member):
    assert access.is_trainer(trainer) and access.teaches(trainer)
    assert not access.is_trainer(staff) and access.teaches(staff)
    assert not access.teaches(member)


def test_a_person_acts_for_their_own_organisations_only(member, organisation, other_organisation):
    assert list(access.organisation_ids_of(member)) == [organisation.pk]
    assert list(access.organisations_of(member)) == [organisation]
    assert access.acts_for(member, organisation)
    assert access.acts_for(member, organisation.pk)
    assert not access.acts_for(member, other_organisation)


def test_staff_act_for_every_organisation_but_belong_to_none(staff, organisation):
    assert access.acts_for(staff, organisation)
    assert not access.is_member_of(staff, organisation)
    assert list(access.organisations_of(staff)) == []
    assert organisation in access.organisations_visible_to(staff)


def test_anonymous_visitors_act_for_nobody(organisation):
    anonymous = AnonymousUser()
    assert list(access.organisation_ids_of(anonymous)) == []
    assert not access.acts_for(anonymous, organisation)
    assert not access.is_owner(anonymous, organisation)
    assert access.default_organisation_of(anonymous) is None


def test_owners_are_told_apart_from_members(owner, member, staff, organisation):
    assert access.is_owner(owner, organisation)
    assert not access.is_owner(member, organisation)
    assert not access.is_owner(staff, organisation)
    assert access.manages(staff, organisation) and access.manages(owner, organisation)
    assert not access.manages(member, organisation)


def test_the_default_organisation_is_the_only_one_a_person_has(member, organisation, staff):
    assert access.default_organisation_of(member) == organisation
    MembershipFactory(user=member, organisation=OrganisationFactory())
    assert access.default_organisation_of(member) is None
    assert access.default_organisation_of(staff) is None


def test_organisation_ids_of_is_one_subquery_not_an_extra_query(
    member, organisation, other_organisation, django_assert_num_queries
):
    with django_assert_num_queries(1):
        names = list(
            Organisation.objects.filter(pk__in=access.organisation_ids_of(member)).values_list(
                "name", flat=True
            )
        )
    assert names == [organisation.name]


def test_require_staff_refuses_everyone_else_with_one_code(member, trainer, staff):
    access.require_staff(staff)
    for person in (member, trainer, AnonymousUser()):
        with pytest.raises(NotAllowed) as refused:
            access.require_staff(person)
        assert refused.value.code == "staff_only"
        assert refused.value.status_code == 403


def test_require_member_of_lets_members_and_staff_act(member, staff, organisation, other_member):
    access.require_member_of(member, organisation)
    access.require_member_of(staff, organisation)
    with pytest.raises(NotAllowed) as refused:
        access.require_member_of(other_member, organisation)
    assert refused.value.code == "not_a_member"


def test_some_acts_belong_to_members_only_not_staff(staff, organisation):
    with pytest.raises(NotAllowed) as refused:
        access.require_member_of(staff, organisation, staff_too=False)
    assert refused.value.code == "not_a_member"


def test_require_owner_of_refuses_plain_members(owner, member, staff, organisation):
    access.require_owner_of(owner, organisation)
    access.require_owner_of(staff, organisation)
    with pytest.raises(NotAllowed) as refused:
        access.require_owner_of(member, organisation)
    assert refused.value.code == "not_organisation_owner"


def test_an_organisation_reached_by_id_is_run_by_its_owners_and_staff_only(
    owner, member, staff, other_member, organisation
):
    access.require_manages(owner, organisation)
    access.require_manages(staff, organisation)
    with pytest.raises(NotAllowed) as refused:
        access.require_manages(member, organisation)
    assert refused.value.code == "not_organisation_owner"
    # Outside the organisation, nobody learns that it exists.
    for outsider in (other_member, AnonymousUser()):
        with pytest.raises(NotFound):
            access.require_manages(outsider, organisation)


def test_acting_for_an_organisation_reached_by_id_hides_it_from_outsiders(
    member, staff, other_member, organisation
):
    access.require_acts_for(member, organisation)
    access.require_acts_for(staff, organisation.pk)
    with pytest.raises(NotFound) as hidden:
        access.require_acts_for(other_member, organisation)
    assert hidden.value.status_code == 404


def test_require_teaches_refuses_members(member, trainer, staff):
    access.require_teaches(trainer)
    access.require_teaches(staff)
    with pytest.raises(NotAllowed) as refused:
        access.require_teaches(member)
    assert refused.value.code == "trainer_only"


def test_an_object_of_another_organisation_is_not_found_as_if_it_did_not_exist(
    member, organisation, other_organisation
):
    memberships = Membership.objects.all()
    other = Membership.objects.create(
        user=UserFactory(), organisation=other_organisation, role=MembershipRole.MEMBER
    )
    with pytest.raises(NotFound) as hidden:
        access.get_for_person_or_404(memberships, member, other.pk)
    with pytest.raises(NotFound) as missing:
        access.get_for_person_or_404(memberships, member, 999_999)
    assert (hidden.value.code, str(hidden.value)) == (missing.value.code, str(missing.value))
    assert hidden.value.status_code == 404


def test_own_objects_and_staff_reach_through_get_for_person_or_404(
    member, staff, organisation, other_organisation
):
    mine = Membership.objects.get(user=member)
    assert access.get_for_person_or_404(Membership.objects.all(), member, mine.pk) == mine
    assert access.get_for_person_or_404(Membership.objects.all(), member, str(mine.pk)) == mine
    assert access.get_for_person_or_404(Organisation.objects.all(), staff, other_organisation.pk)
    assert (
        access.get_for_person_or_404(Organisation.objects.all(), member, organisation.pk, via="pk")
        == organisation
    )


@pytest.mark.parametrize(
    "bad_id",
    ["abc", "1.0", "1e3", " 1", "-1", "0", 0, -3, True, None, 1.0, "9" * 30, "\u0661", [1]],
)
def test_only_integer_ids_are_accepted_anything_else_is_not_found(staff, organisation, bad_id):
    with pytest.raises(NotFound):
        access.get_for_person_or_404(Organisation.objects.all(), staff, bad_id, via="pk")


def test_a_queryset_scoped_by_its_selector_is_used_as_is(member, other_organisation):
    # e.g. a juror's applications: the selector already decided; no organisation filter on top
    other = member_of(other_organisation)
    membership = Membership.objects.get(user=other)
    found = access.get_for_person_or_404(Membership.objects.all(), member, membership.pk, via=None)
    assert found == membership


def test_scope_reaches_the_organisation_through_a_relation(
    member, organisation, other_organisation
):
    member_of(other_organisation)
    visible = access.scope(Membership.objects.all(), member, via="organisation")
    assert {m.organisation_id for m in visible} == {organisation.pk}
    deep = access.scope(Membership.objects.all(), member, via="user__memberships__organisation")
    assert {m.user_id for m in deep} == {member.pk}
