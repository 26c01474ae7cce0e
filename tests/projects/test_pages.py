"""The project pages: the list, a project with its partners, funding, deliverables, documents
and lab use, the changes owners make there, and the staff page of funding sources."""

import datetime
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from caiac.projects import services
from caiac.projects.models import Deliverable, FundingSource, ProjectPartner

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_list_shows_ones_projects_and_nobody_elses(project, researcher, other_member):
    page = signed_in(researcher).get("/projects/").content.decode()
    assert "Huile d&#x27;argan cosmétique stabilisée" in page
    assert "Huile d" not in signed_in(other_member).get("/projects/").content.decode()


def test_an_owner_creates_a_project_from_the_list(owner, organisation):
    response = signed_in(owner).post(
        "/projects/",
        {
            "lead": organisation.pk,
            "title": "Rose de Kelaat M'Gouna : eau florale",
            "theme": "cosmetics",
            "tags": "rose, distillation",
            "budget_mad": "300000",
        },
    )
    assert response.status_code == 302
    page = signed_in(owner).get(response["Location"]).content.decode()
    assert "Rose de Kelaat M&#x27;Gouna : eau florale" in page
    assert "distillation" in page


def test_the_project_page_shows_funding_and_lab_use_to_partners_only(
    project, owner, researcher, other_member, giz
):
    services.funding_create(
        by=owner, project=project, source=giz, year=2026,
        committed_mad=Decimal("400000"), received_mad=Decimal("150000"),
    )  # fmt: skip
    page = signed_in(researcher).get(f"/projects/{project.pk}/").content.decode()
    assert giz.name.replace("'", "&#x27;") in page
    assert 'id="lab-use"' in page
    assert signed_in(other_member).get(f"/projects/{project.pk}/").status_code == 404


def test_an_owner_moves_the_status_with_a_reason_and_a_member_cannot(project, owner, member):
    url = f"/projects/{project.pk}/"
    refused = signed_in(member).post(
        url, {"change_status": "", "status": "submitted", "reason": "Dépôt"}
    )
    assert refused.status_code == 200
    assert 'class="alert alert-danger" role="alert"' in refused.content.decode()
    project.refresh_from_db()
    assert project.status == "idea"
    done = signed_in(owner).post(
        url, {"change_status": "", "status": "submitted", "reason": "Dépôt"}
    )
    assert done.status_code == 302
    project.refresh_from_db()
    assert project.status == "submitted"


def test_an_owner_adds_an_outside_partner_and_funding_on_the_page(project, owner, giz):
    client = signed_in(owner)
    url = f"/projects/{project.pk}/"
    client.post(
        url,
        {
            "add_partner": "",
            "organisation_name": "Verrerie de l'Atlas",
            "organisation_kind": "company",
            "organisation_sector": "both",
            "role": "subcontractor",
        },
    )
    partner = ProjectPartner.objects.get(organisation__name="Verrerie de l'Atlas")
    assert partner.organisation.is_cluster_member is False
    response = client.post(
        url,
        {"add_funding": "", "source": giz.pk, "year": 2026, "committed_mad": "-5",
         "received_mad": "0"},
    )  # fmt: skip
    assert response.status_code == 200  # the form says what is wrong
    assert not project.funding.exists()


def test_a_document_uploaded_on_the_page_downloads_for_partners_only(
    project, owner, researcher, other_member, private_media
):
    signed_in(owner).post(
        f"/projects/{project.pk}/",
        {"add_document": "", "title": "Convention GIZ", "file": SimpleUploadedFile("c.pdf", PDF)},
    )
    document = project.documents.get()
    url = f"/projects/{project.pk}/documents/{document.pk}/"
    assert signed_in(researcher).get(url).status_code == 200
    assert signed_in(other_member).get(url).status_code == 404


def test_the_deliverable_owner_reports_it_delivered_on_the_page(project, owner, researcher):
    deliverable = services.deliverable_create(
        by=owner,
        project=project,
        title="Analyse HPLC des tocophérols",
        due_date=datetime.date(2026, 10, 31),
        owner=researcher,
    )
    response = signed_in(researcher).post(
        f"/projects/{project.pk}/", {"deliverable_update": deliverable.pk, "status": "delivered"}
    )
    assert response.status_code == 302
    assert Deliverable.objects.get(pk=deliverable.pk).status == "delivered"


def test_a_partners_plain_member_cannot_open_the_edit_page(project, member, owner):
    assert signed_in(member).get(f"/projects/{project.pk}/edit/").status_code == 403
    assert signed_in(owner).get(f"/projects/{project.pk}/edit/").status_code == 200


@pytest.mark.parametrize("who", ["member", "staff"])
def test_funding_sources_page_is_for_staff(who, member, staff):
    user = {"member": member, "staff": staff}[who]
    response = signed_in(user).post(
        "/projects/funding-sources/", {"create": "", "name": "Région Souss Massa", "kind": "region"}
    )
    if who == "member":
        assert response.status_code == 403
        assert not FundingSource.objects.exists()
    else:
        assert response.status_code == 302
        assert FundingSource.objects.get().kind == "region"


def test_a_member_books_a_machine_for_their_project_from_the_machine_page(project, owner):
    import time_machine

    from booking.models import Booking
    from tests.booking.conftest import local
    from tests.booking.factories import EquipmentFactory, lab_open_weekdays

    lab_open_weekdays()
    machine = EquipmentFactory(name="Distillateur d'huiles essentielles")
    with time_machine.travel(local(2026, 11, 23, 7, 0), tick=False):
        page = signed_in(owner).get(f"/lab/machines/{machine.pk}/").content.decode()
        assert "Huile d&#x27;argan cosmétique stabilisée" in page  # offered in the form
        response = signed_in(owner).post(
            f"/lab/machines/{machine.pk}/",
            {"date": "2026-11-24", "start": "09:00", "end": "11:00", "project": project.pk},
        )
    assert response.status_code == 302, response.content.decode()[:500]
    assert Booking.objects.get(equipment=machine).project == project
