import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from caiac.projects.models import PartnerRole, Project, ProjectPartner
from tests.factories import OrganisationFactory, UserFactory


class ProjectFactory(DjangoModelFactory):
    """A project with its lead's partner row, as ``project_create`` writes it."""

    class Meta:
        model = Project
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Projet argan {n}")
    theme = "cosmetics"
    lead = factory.SubFactory(OrganisationFactory)
    status_changed_at = factory.LazyFunction(timezone.now)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def lead_partner(obj, create, extracted, **kwargs):
        if create:
            ProjectPartner.objects.create(project=obj, organisation=obj.lead, role=PartnerRole.LEAD)
