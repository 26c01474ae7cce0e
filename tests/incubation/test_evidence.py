"""Milestone evidence: uploaded files checked by what they are, downloaded only by the people who
may see them (the incubatee's organisation, its mentors, staff), never from a public URL."""

import datetime
import io
import zipfile
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from caiac import files
from caiac.errors import Invalid
from incubation import services
from incubation.models import Milestone
from tests.factories import TrainerFactory, UserFactory

MILESTONES = "/api/v1/incubation/milestones/"
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
HTML = b"<!DOCTYPE html><html><body><script>fetch('/api/v1/me/')</script></body></html>"


def office(parts: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


DOCX = office({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w:document/>"})
ODS = office({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b""})


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type)


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def milestone(staff, incubatee):
    return services.milestone_create(
        by=staff,
        incubatee=incubatee,
        title="Analyse microbiologique",
        due_date=datetime.date(2027, 1, 10),
        evidence_file=upload("Résultats labo (ONSSA).pdf", PDF, "application/pdf"),
    )


@pytest.fixture
def mentor(staff, incubatee):
    person = UserFactory(username="mentor")
    services.mentoring_session_create(
        by=staff,
        incubatee=incubatee,
        mentor=person,
        date=datetime.date(2026, 11, 2),
        hours=Decimal("2"),
        topic="Mise sur le marché",
    )
    return person


def stored_files(root):
    return sorted(p.name for p in root.rglob("*") if p.is_file())


# --- Who downloads -------------------------------------------------------------------------------
def test_a_member_of_the_incubatee_downloads_the_evidence_as_an_attachment(
    client_for, member, milestone
):
    response = client_for(member).get(f"{MILESTONES}{milestone.pk}/evidence/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Resultats-labo-ONSSA.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


def test_the_incubatee_page_links_to_the_checked_download(client, member, milestone, incubatee):
    client.force_login(member)
    page = client.get(f"/incubation/incubatees/{incubatee.pk}/")
    link = f"/incubation/milestones/{milestone.pk}/evidence/"
    assert link in page.content.decode()
    assert "/media/" not in page.content.decode()
    download = client.get(link)
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment;")


def test_the_api_names_the_download_url_not_the_stored_file(client_for, member, milestone):
    body = client_for(member).get(f"{MILESTONES}{milestone.pk}/").json()
    assert body["evidence_file"].endswith(f"{MILESTONES}{milestone.pk}/evidence/")


def test_staff_and_the_incubatees_mentor_download_it(client_for, staff, mentor, milestone):
    assert client_for(staff).get(f"{MILESTONES}{milestone.pk}/evidence/").status_code == 200
    assert client_for(mentor).get(f"{MILESTONES}{milestone.pk}/evidence/").status_code == 200


def test_a_mentor_of_another_incubatee_does_not(client_for, staff, other_incubatee, milestone):
    other_mentor = UserFactory(username="other-mentor")
    services.mentoring_session_create(
        by=staff,
        incubatee=other_incubatee,
        mentor=other_mentor,
        date=datetime.date(2026, 11, 2),
        hours=Decimal("1"),
        topic="Export",
    )
    response = client_for(other_mentor).get(f"{MILESTONES}{milestone.pk}/evidence/")
    assert response.status_code == 404


@pytest.mark.parametrize("who", ["other_member", "trainer", "juror"])
def test_anyone_else_is_told_it_does_not_exist(client_for, request, milestone, who):
    person = {
        "other_member": lambda: request.getfixturevalue("other_member"),
        "trainer": TrainerFactory,
        "juror": lambda: request.getfixturevalue("juror"),
    }[who]()
    api = client_for(person).get(f"{MILESTONES}{milestone.pk}/evidence/")
    assert api.status_code == 404
    assert api.json()["code"] == "not_found"


def test_another_organisation_gets_the_404_page(client, other_member, milestone):
    client.force_login(other_member)
    assert client.get(f"/incubation/milestones/{milestone.pk}/evidence/").status_code == 404


def test_anonymous_visitors_get_nothing(api_client, client, milestone):
    assert api_client.get(f"{MILESTONES}{milestone.pk}/evidence/").status_code == 401
    page = client.get(f"/incubation/milestones/{milestone.pk}/evidence/")
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_no_public_media_url_serves_the_file_in_any_mode(client, settings, milestone, member):
    for debug in (True, False):
        settings.DEBUG = debug
        assert client.get(f"/media/{milestone.evidence_file.name}").status_code == 404
        client.force_login(member)
        assert client.get(f"/media/{milestone.evidence_file.name}").status_code == 404


def test_a_milestone_without_a_file_has_nothing_to_download(client_for, staff, incubatee):
    bare = services.milestone_create(
        by=staff, incubatee=incubatee, title="Étiquetage", due_date=datetime.date(2027, 2, 1)
    )
    assert client_for(staff).get(f"{MILESTONES}{bare.pk}/evidence/").status_code == 404


# --- What is accepted ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "name, content",
    [
        ("rapport.pdf", HTML),  # HTML renamed .pdf
        ("evil.html.pdf", HTML),
        ("photo.png", HTML),  # HTML saved as .png
        ("run.sh", b"#!/bin/sh\nrm -rf /\n"),
        ("archive.docx", office({"payload.exe": b"MZ"})),  # a ZIP, not a Word document
        ("page.svg", b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'),
    ],
)
def test_a_file_that_is_not_really_a_document_is_refused_at_upload(
    client_for, member, milestone, private_media, name, content
):
    before = stored_files(private_media)
    response = client_for(member).patch(
        f"{MILESTONES}{milestone.pk}/",
        {"evidence_file": upload(name, content, "application/pdf")},
        format="multipart",
    )
    assert response.status_code == 400
    assert response.json()["code"] == "file_type_not_allowed"
    assert "evidence_file" in response.json()["fields"]
    assert stored_files(private_media) == before


@pytest.mark.parametrize(
    "name, content, stored_as",
    [
        ("scan.pdf", PDF, "scan.pdf"),
        ("photo.PNG", PNG, "photo.png"),
        ("photo.pdf", PNG, "photo.png"),  # named wrongly, stored as what it is
        ("compte rendu.docx", DOCX, "compte-rendu.docx"),
        ("chiffres.ods", ODS, "chiffres.ods"),
    ],
)
def test_real_documents_are_stored_under_a_safe_name_of_their_real_type(
    member, milestone, name, content, stored_as
):
    updated = services.milestone_update(
        by=member, milestone=milestone, evidence_file=upload(name, content)
    )
    assert updated.evidence_file.name.rsplit("/", 1)[-1] == stored_as


def test_a_file_over_ten_megabytes_is_refused(member, milestone):
    big = upload("scan.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with pytest.raises(Invalid) as refused:
        services.milestone_update(by=member, milestone=milestone, evidence_file=big)
    assert refused.value.code == "file_too_large"


# --- What leaves the disk ------------------------------------------------------------------------
def test_a_replaced_file_leaves_the_disk(
    member, milestone, private_media, django_capture_on_commit_callbacks
):
    assert stored_files(private_media) == ["Resultats-labo-ONSSA.pdf"]
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_update(
            by=member, milestone=milestone, evidence_file=upload("v2.pdf", PDF)
        )
    assert stored_files(private_media) == ["v2.pdf"]


def test_a_deleted_milestone_takes_its_file_with_it(
    staff, milestone, private_media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.milestone_delete(by=staff, milestone=milestone)
    assert stored_files(private_media) == []


def test_files_go_when_the_organisation_is_deleted(
    organisation, milestone, private_media, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        organisation.delete()  # cascades to the incubatee and its milestones
    assert not Milestone.objects.exists()
    assert stored_files(private_media) == []


def test_a_refused_replacement_keeps_the_current_file(member, milestone, private_media):
    with pytest.raises(Invalid):
        services.milestone_update(
            by=member, milestone=milestone, evidence_file=upload("x.pdf", HTML)
        )
    milestone.refresh_from_db()
    assert milestone.evidence_file.name.endswith("Resultats-labo-ONSSA.pdf")
    assert stored_files(private_media) == ["Resultats-labo-ONSSA.pdf"]


def test_safe_names_drop_paths_and_anything_a_header_could_choke_on():
    assert files.safe_name("../../etc/passwd", "pdf") == "passwd.pdf"
    assert files.safe_name('a"b;c\r\nd.pdf', "pdf") == "a-b-c-d.pdf"
    assert files.safe_name("تقرير.pdf", "pdf") == "document.pdf"
    assert files.safe_name("C:\\Users\\fatima\\Été 2026.docx", "docx") == "Ete-2026.docx"
