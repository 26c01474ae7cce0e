"""R&D projects: the workflow with its history, partners, funding by source, deliverables,
and who may do what."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from caiac.accounts.models import Organisation
from caiac.errors import Conflict, Invalid, NotAllowed, NotFound
from caiac.projects import selectors, services
from caiac.projects.models import (
    DeliverableStatus,
    PartnerRole,
    ProjectFunding,
    ProjectStatus,
)

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_a_new_project_is_an_idea_led_by_its_organisation_with_its_first_history_row(
    project, owner, organisation
):
    assert project.status == ProjectStatus.IDEA
    [lead] = [p for p in project.partners.all() if p.role == PartnerRole.LEAD]
    assert lead.organisation == organisation
    [change] = project.status_changes.all()
    assert (change.from_status, change.to_status, change.changed_by) == ("", "idea", owner)


def test_only_an_owner_of_the_lead_or_staff_creates_a_project(member, organisation, staff):
    with pytest.raises(NotAllowed) as refused:
        services.project_create(by=member, lead=organisation, title="Cactus", theme="agrifood")
    assert refused.value.code == "not_organisation_owner"
    created = services.project_create(by=staff, lead=organisation, title="Cactus", theme="agrifood")
    assert created.lead == organisation


def test_the_workflow_goes_forward_and_keeps_every_change_with_its_reason(project, owner):
    for status, reason in [
        ("submitted", "Déposé à l'appel Innov'Invest"),
        ("funded", "Convention signée"),
        ("running", "Démarrage"),
        ("closed", "Rapport final remis"),
    ]:
        project = services.project_change_status(
            by=owner, project=project, status=status, reason=reason
        )
    assert project.status == ProjectStatus.CLOSED
    history = [(c.from_status, c.to_status, c.reason) for c in project.status_changes.all()]
    assert history[1:] == [
        ("idea", "submitted", "Déposé à l'appel Innov'Invest"),
        ("submitted", "funded", "Convention signée"),
        ("funded", "running", "Démarrage"),
        ("running", "closed", "Rapport final remis"),
    ]


def test_a_step_the_workflow_does_not_have_is_refused(project, owner):
    with pytest.raises(Invalid) as refused:
        services.project_change_status(by=owner, project=project, status="running", reason="x")
    assert refused.value.code == "invalid_status_transition"
    project.refresh_from_db()
    assert project.status == ProjectStatus.IDEA


def test_a_status_change_needs_a_reason(project, owner):
    with pytest.raises(Invalid) as refused:
        services.project_change_status(by=owner, project=project, status="submitted", reason=" ")
    assert refused.value.code == "reason_required"


def test_a_rejected_project_may_become_an_idea_again_but_an_abandoned_one_stays(project, owner):
    services.project_change_status(by=owner, project=project, status="submitted", reason="Dépôt")
    services.project_change_status(by=owner, project=project, status="rejected", reason="Refus")
    services.project_change_status(by=owner, project=project, status="idea", reason="Retravailler")
    services.project_change_status(by=owner, project=project, status="abandoned", reason="Stop")
    with pytest.raises(Invalid):
        services.project_change_status(by=owner, project=project, status="idea", reason="Encore")


def test_a_partners_plain_member_reads_but_cannot_change_the_project(project, researcher, member):
    assert selectors.project_get_for_user(user=researcher, project_id=project.pk) == project
    assert selectors.project_get_for_user(user=member, project_id=project.pk) == project
    for person in (researcher, member):
        with pytest.raises(NotAllowed) as refused:
            services.project_update(by=person, project=project, title="Autre")
        assert refused.value.code == "not_organisation_owner"


def test_another_organisation_does_not_even_learn_the_project_exists(project, other_member):
    with pytest.raises(NotFound):
        selectors.project_get_for_user(user=other_member, project_id=project.pk)
    with pytest.raises(NotFound):
        services.project_update(by=other_member, project=project, title="Autre")
    assert list(selectors.projects_visible_to(other_member)) == []


def test_an_owner_of_any_partner_organisation_edits_the_project(project, university):
    from tests.factories import MembershipFactory, UserFactory

    dean = UserFactory(username="doyen")
    MembershipFactory(user=dean, organisation=university, role="owner")
    updated = services.project_update(by=dean, project=project, budget_mad=Decimal("900000"))
    assert updated.budget_mad == Decimal("900000")


def test_an_outside_company_is_recorded_as_a_non_member_partner(project, owner):
    partner = services.partner_add(
        by=owner,
        project=project,
        role=PartnerRole.INDUSTRIAL,
        organisation_name="Emballages du Sud SARL",
        organisation_kind="company",
        organisation_city="Agadir",
        contribution="Flacons en verre ambré",
    )
    assert partner.organisation.is_cluster_member is False
    assert Organisation.objects.get(name="Emballages du Sud SARL").kind == "company"


def test_a_partner_is_added_once_and_the_lead_never_leaves(project, owner, university):
    with pytest.raises(Conflict) as twice:
        services.partner_add(
            by=owner, project=project, organisation=university, role=PartnerRole.FUNDER
        )
    assert twice.value.code == "already_partner"
    lead = project.partners.get(role=PartnerRole.LEAD)
    with pytest.raises(Invalid) as refused:
        services.partner_remove(by=owner, partner=lead)
    assert refused.value.code == "lead_cannot_leave"


def test_funding_is_kept_per_source_and_year_once(project, owner, giz, region):
    services.funding_create(
        by=owner, project=project, source=giz, year=2026,
        committed_mad=Decimal("400000"), received_mad=Decimal("150000"),
    )  # fmt: skip
    services.funding_create(
        by=owner, project=project, source=region, year=2026, committed_mad=Decimal("200000")
    )
    with pytest.raises(Conflict) as twice:
        services.funding_create(by=owner, project=project, source=giz, year=2026)
    assert twice.value.code == "funding_exists"
    assert selectors.funding_totals(project) == {
        "committed": Decimal("600000"),
        "received": Decimal("150000"),
    }
    assert selectors.funding_by_source(year=2026) == [
        {
            "source_id": giz.pk,
            "source": giz.name,
            "kind": "international",
            "committed_mad": Decimal("400000"),
            "received_mad": Decimal("150000"),
        },
        {
            "source_id": region.pk,
            "source": region.name,
            "kind": "region",
            "committed_mad": Decimal("200000"),
            "received_mad": Decimal("0"),
        },
    ]


def test_negative_amounts_are_refused_by_the_service_and_the_database(project, owner, giz):
    with pytest.raises(Invalid):
        services.funding_create(
            by=owner, project=project, source=giz, year=2026, committed_mad=Decimal("-1")
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ProjectFunding.objects.create(
            project=project, source=giz, year=2026, received_mad=Decimal("-5"), updated_by=owner
        )


def test_an_inactive_source_takes_no_new_amounts(project, owner, giz):
    giz.is_active = False
    giz.save()
    with pytest.raises(Invalid) as refused:
        services.funding_create(by=owner, project=project, source=giz, year=2026)
    assert refused.value.code == "funding_source_inactive"


def test_a_plain_member_cannot_record_funding(project, member, giz):
    with pytest.raises(NotAllowed):
        services.funding_create(by=member, project=project, source=giz, year=2026)


def test_funding_sources_are_kept_by_staff_only(member, staff):
    with pytest.raises(NotAllowed) as refused:
        services.funding_source_create(by=member, name="Banque Populaire", kind="bank")
    assert refused.value.code == "staff_only"
    source = services.funding_source_create(by=staff, name="Banque Populaire", kind="bank")
    with pytest.raises(Conflict):
        services.funding_source_create(by=staff, name="banque populaire", kind="bank")
    assert source.is_active


def test_the_owner_of_a_deliverable_reports_its_progress_with_evidence(
    project, owner, researcher, private_media
):
    deliverable = services.deliverable_create(
        by=owner,
        project=project,
        title="Protocole de stabilité accélérée",
        due_date=datetime.date(2026, 9, 30),
        owner=researcher,
    )
    done = services.deliverable_update(
        by=researcher,
        deliverable=deliverable,
        status=DeliverableStatus.DELIVERED,
        evidence_file=SimpleUploadedFile("protocole.pdf", PDF),
    )
    assert done.delivered_at is not None
    assert done.evidence_file.name.endswith(".pdf")
    with pytest.raises(NotAllowed):  # the title is the owners' business
        services.deliverable_update(by=researcher, deliverable=deliverable, title="Autre")


def test_a_deliverable_owner_must_belong_to_a_partner(project, owner, other_member):
    with pytest.raises(Invalid):
        services.deliverable_create(
            by=owner,
            project=project,
            title="Étude de marché",
            due_date=datetime.date(2026, 6, 30),
            owner=other_member,
        )


def test_a_document_is_checked_by_its_content(project, owner, private_media):
    with pytest.raises(Invalid) as refused:
        services.document_add(
            by=owner,
            project=project,
            title="Convention",
            file=SimpleUploadedFile("convention.pdf", b"<html><script></script></html>"),
        )
    assert refused.value.code == "file_type_not_allowed"
    document = services.document_add(
        by=owner, project=project, title="Convention", file=SimpleUploadedFile("c.pdf", PDF)
    )
    assert document.file.name.startswith("projects/documents/")


def test_lab_use_may_name_only_an_open_project_the_organisation_takes_part_in(
    project, owner, organisation, other_organisation, university
):
    assert services.project_for_organisation(project=project, organisation=university) == project
    with pytest.raises(Invalid) as refused:
        services.project_for_organisation(project=project, organisation=other_organisation)
    assert refused.value.code == "project_not_partner"
    with pytest.raises(Invalid) as missing:
        services.project_for_organisation(project=987654, organisation=organisation)
    assert missing.value.code == "project_not_partner"
    services.project_change_status(by=owner, project=project, status="abandoned", reason="Stop")
    with pytest.raises(Invalid) as closed:
        services.project_for_organisation(project=project, organisation=organisation)
    assert closed.value.code == "project_not_open"
