"""The API documentation works offline: Swagger UI and ReDoc from the project's static files."""

import re

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/api/docs/", "/api/redoc/"])
def test_the_api_docs_load_nothing_from_another_site_and_run_no_inline_script(client, url):
    page = client.get(url).content.decode()
    assert "drf_spectacular_sidecar" in page
    assert not re.search(r'(src|href)="(https?:)?//', page), "a request would leave the site"
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", page)
    assert "<style" not in page


def test_swagger_ui_starts_from_a_separate_script(client):
    response = client.get("/api/docs/?script=")
    assert response.status_code == 200
    assert "/api/schema/" in response.content.decode()
