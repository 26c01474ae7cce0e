"""The projects API: partners' people and staff see a project, owners change it, nobody else
learns it exists; funding by source and year; documents only through a checked download."""

import datetime

from django.core.files.uploadedfile import SimpleUploadedFile

from caiac.projects import services
from caiac.projects.models import Project

PROJECTS = "/api/v1/projects/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def test_an_owner_creates_a_project_led_by_their_organisation(client_for, owner, organisation):
    response = client_for(owner).post(
        PROJECTS,
        {
            "lead": organisation.pk,
            "title": "Figue de barbarie : huile de pépins",
            "theme": "both",
            "tags": ["cactus", "extraction CO2"],
            "starts_on": "2026-01-01",
            "ends_on": "2027-06-30",
            "budget_mad": "1200000.00",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "idea"
    assert body["lead_name"] == organisation.name
    assert body["next_statuses"] == ["submitted", "abandoned"]
    assert [p["role"] for p in body["partners"]] == ["lead"]


def test_a_project_cannot_be_led_by_someone_elses_organisation(
    client_for, owner, other_organisation
):
    response = client_for(owner).post(
        PROJECTS,
        {"lead": other_organisation.pk, "title": "Rose", "theme": "cosmetics"},
        format="json",
    )
    assert response.status_code == 400
    assert "lead" in response.json()["fields"]


def test_the_list_shows_only_the_projects_of_ones_organisations(
    client_for, project, researcher, other_member, staff
):
    assert [p["id"] for p in client_for(researcher).get(PROJECTS).json()["results"]] == [project.pk]
    assert client_for(other_member).get(PROJECTS).json()["results"] == []
    assert client_for(staff).get(PROJECTS).json()["count"] == 1


def test_budget_and_funding_stay_with_the_partners(client_for, project, owner, other_member, giz):
    client_for(owner).post(
        f"{PROJECTS}{project.pk}/funding/",
        {"source": giz.pk, "year": 2026, "committed_mad": "300000", "received_mad": "100000"},
        format="json",
    )
    assert client_for(other_member).get(f"{PROJECTS}{project.pk}/").status_code == 404
    assert client_for(other_member).get(f"{PROJECTS}{project.pk}/funding/").status_code == 404
    body = client_for(owner).get(f"{PROJECTS}{project.pk}/").json()
    assert (body["budget_mad"], body["committed_mad"], body["received_mad"]) == (
        "850000.00",
        "300000.00",
        "100000.00",
    )


def test_the_status_moves_through_the_api_with_its_reason(client_for, project, owner):
    url = f"{PROJECTS}{project.pk}/status/"
    wrong = client_for(owner).post(url, {"status": "closed", "reason": "?"}, format="json")
    assert wrong.status_code == 400
    assert wrong.json()["code"] == "invalid_status_transition"
    moved = client_for(owner).post(
        url, {"status": "submitted", "reason": "Dépôt MESRSI"}, format="json"
    )
    assert moved.status_code == 200
    assert [c["to_status"] for c in moved.json()["status_changes"]] == ["idea", "submitted"]


def test_negative_funding_is_a_400_on_its_field(client_for, project, owner, giz):
    response = client_for(owner).post(
        f"{PROJECTS}{project.pk}/funding/",
        {"source": giz.pk, "year": 2026, "committed_mad": "-10"},
        format="json",
    )
    assert response.status_code == 400
    assert "committed_mad" in response.json()["fields"]


def test_a_second_amount_for_the_same_source_and_year_is_a_409(client_for, project, owner, giz):
    body = {"source": giz.pk, "year": 2027, "committed_mad": "10"}
    client = client_for(owner)
    assert client.post(f"{PROJECTS}{project.pk}/funding/", body, format="json").status_code == 201
    again = client.post(f"{PROJECTS}{project.pk}/funding/", body, format="json")
    assert again.status_code == 409
    assert again.json()["code"] == "funding_exists"


def test_a_document_downloads_for_partners_only(
    client_for, project, owner, researcher, other_member, private_media
):
    document = services.document_add(
        by=owner, project=project, title="Convention", file=SimpleUploadedFile("c.pdf", PDF)
    )
    url = f"{PROJECTS}{project.pk}/documents/{document.pk}/download/"
    download = client_for(researcher).get(url)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    assert client_for(other_member).get(url).status_code == 404


def test_deliverables_are_listed_with_their_evidence_link(client_for, project, owner):
    services.deliverable_create(
        by=owner,
        project=project,
        title="Fiche technique",
        due_date=datetime.date(2026, 12, 15),
        evidence_link="https://example.ma/fiche",
    )
    rows = client_for(owner).get(f"{PROJECTS}{project.pk}/deliverables/").json()
    assert [(d["title"], d["status"], d["evidence_file"]) for d in rows] == [
        ("Fiche technique", "planned", None)
    ]


def test_staff_keep_the_funding_sources(client_for, staff, member):
    body = {"name": "Innov'Invest (CCG)", "kind": "state"}
    assert (
        client_for(member).post("/api/v1/funding-sources/", body, format="json").status_code == 403
    )
    created = client_for(staff).post("/api/v1/funding-sources/", body, format="json")
    assert created.status_code == 201
    assert client_for(member).get("/api/v1/funding-sources/").json()["count"] == 1


def test_a_project_is_not_deleted_through_the_api(client_for, project, staff):
    assert client_for(staff).delete(f"{PROJECTS}{project.pk}/").status_code == 405
    assert Project.objects.filter(pk=project.pk).exists()
