"""Factories shared by every app's tests. App-specific ones live in tests/<app>/factories.py."""

import factory
from factory.django import DjangoModelFactory

from caiac.accounts.models import (
    Membership,
    MembershipRole,
    Organisation,
    OrganisationKind,
    Role,
    Sector,
    User,
)

PASSWORD = "correct horse battery staple"


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.ma")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    role = Role.MEMBER
    language = "fr"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    role = Role.STAFF
    is_staff = True


class TrainerFactory(UserFactory):
    role = Role.TRAINER


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Coopérative {n}")
    kind = OrganisationKind.COOPERATIVE
    sector = Sector.COSMETICS
    city = "Agadir"
    is_cluster_member = True


class MembershipFactory(DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)
    role = MembershipRole.MEMBER


def member_of(organisation: Organisation, **user_fields) -> User:
    """A new member user of ``organisation``."""
    user = UserFactory(**user_fields)
    MembershipFactory(user=user, organisation=organisation)
    return user
