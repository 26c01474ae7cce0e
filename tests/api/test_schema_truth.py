"""Answers that once disagreed with the API's own schema (found by `make fuzz`) now match it:
each response goes through the checks schemathesis runs in CI (status code, content type and
body against what the operation documents)."""

import datetime
from urllib.parse import urlencode

import pytest
import requests
import schemathesis
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from drf_spectacular.generators import SchemaGenerator
from schemathesis.checks import not_a_server_error
from schemathesis.core.transport import Response
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from booking import services as booking
from booking.models import Closure
from incubation import services as incubation
from tests.booking.conftest import local
from tests.booking.factories import EquipmentFactory, lab_open_weekdays
from tests.incubation.factories import CohortFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db

CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00"
    b"\x00\x00IEND\xaeB`\x82"
)
MONDAY = local(2027, 1, 4, 10)


@pytest.fixture(scope="module")
def api_schema():
    return schemathesis.openapi.from_dict(SchemaGenerator().get_schema(request=None, public=True))


@pytest.fixture(autouse=True)
def a_week_before():
    with time_machine.travel(MONDAY - datetime.timedelta(days=7), tick=False):
        yield


@pytest.fixture
def world(settings, tmp_path, organisation, member, staff):
    settings.MEDIA_ROOT = tmp_path
    lab_open_weekdays()
    machine = EquipmentFactory(name="Émulsionneur sous vide", lead_time_minutes=0)
    booked = booking.booking_create(
        user=member, equipment=machine, start=MONDAY, end=MONDAY + datetime.timedelta(hours=1)
    )
    closure = Closure.objects.create(
        equipment=machine,
        start=MONDAY + datetime.timedelta(days=7),
        end=MONDAY + datetime.timedelta(days=8),
        reason="Révision",
    )
    cohort = CohortFactory(programme=ProgrammeFactory(name="Pépinière cosmétique"))
    incubatee = incubation.incubatee_create(by=staff, cohort=cohort, organisation=organisation)

    def milestone(name: str, content: bytes) -> int:
        return incubation.milestone_create(
            by=staff,
            incubatee=incubatee,
            title="Analyse microbiologique",
            due_date=datetime.date(2027, 1, 10),
            evidence_file=SimpleUploadedFile(name, content),
        ).pk

    return {
        "machine": machine.pk,
        "closure": closure.pk,
        "booked": booked.pk,
        "pdf_milestone": milestone("Résultats labo.pdf", PDF),
        "png_milestone": milestone("Étiquette.png", PNG),
    }


# (who, method, documented path, the object in its {id}, query, body)
CASES = {
    "evidence served as the PDF it is": (
        "member", "get", "incubation/milestones/{id}/evidence/", "pdf_milestone", {}, None,
    ),
    "evidence served as the image it is": (
        "staff", "get", "incubation/milestones/{id}/evidence/", "png_milestone", {}, None,
    ),
    "machine status change, dry run (PUT)": (
        "staff", "put", "equipment/{id}/", "machine", {"dry_run": "true"},
        {"name": "Émulsionneur sous vide", "category": "prototyping", "status": "maintenance"},
    ),
    "machine status change, dry run (PATCH)": (
        "staff", "patch", "equipment/{id}/", "machine", {"dry_run": "true"},
        {"status": "retired"},
    ),
    "machine status change, for real (PATCH)": (
        "staff", "patch", "equipment/{id}/", "machine", {},
        {"status": "maintenance"},
    ),
    "closure moved over a booking, dry run (PUT)": (
        "staff", "put", "closures/{id}/", "closure", {},
        {"equipment": "{machine}", "start": "2027-01-04T00:00:00+01:00",
         "end": "2027-01-05T00:00:00+01:00", "reason": "Panne", "dry_run": True},
    ),
    "closure moved, dry run in the query (PATCH)": (
        "staff", "patch", "closures/{id}/", "closure", {"dry_run": "true"},
        {"start": "2027-01-04T00:00:00+01:00"},
    ),
}  # fmt: skip


def _fill(value, ids):
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if value.startswith("{") and filled.isdigit() else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def as_schemathesis(response, url: str, method: str) -> Response:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return Response(
        status_code=response.status_code,
        headers={name: [value] for name, value in response.headers.items()},
        content=content,
        request=requests.Request(method=method.upper(), url=url).prepare(),
        elapsed=0.0,
        verify=False,
    )


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_an_answer_that_once_broke_its_schema_now_matches_it(
    case, world, api_schema, member, staff, client_for
):
    who, method, path, target, query, body = CASES[case]
    url = "http://testserver/api/v1/" + path.format(id=world[target])
    if query:
        url += "?" + urlencode(query)
    client = client_for(staff if who == "staff" else member)
    response = getattr(client, method)(url, _fill(body, world), format="json")
    assert response.status_code < 300, response.content
    operation = api_schema["/api/v1/" + path][method.upper()]
    sent = {"body": _fill(body, world), "media_type": "application/json"} if body else {}
    schemathesis_case = operation.Case(path_parameters={"id": world[target]}, query=query, **sent)
    schemathesis_case.validate_response(as_schemathesis(response, url, method), checks=CHECKS)
