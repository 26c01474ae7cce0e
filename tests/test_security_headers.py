"""Every page carries the Content-Security-Policy (own scripts and styles only, nothing inline)
and a Permissions-Policy; the API docs work under it (their script is a separate file)."""

import re

import pytest


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in policy.split(";")) if part
    }


@pytest.mark.django_db
def test_pages_allow_only_the_sites_own_scripts_and_styles(client):
    response = client.get("/login/")
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


@pytest.mark.django_db
def test_pages_turn_off_browser_features_the_site_never_uses(client):
    policy = client.get("/login/")["Permissions-Policy"]
    for feature in ("camera", "microphone", "geolocation", "payment"):
        assert f"{feature}=()" in policy


@pytest.mark.django_db
def test_pages_have_no_inline_script_or_style(client, member):
    from tests.factories import PASSWORD

    client.login(username=member.username, password=PASSWORD)
    for path in ("/login/", "/", "/lab/", "/lab/my-bookings/", "/notifications/"):
        body = client.get(path, follow=True).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)(?![^>]*application/(ld\+)?json)", body), path
        assert "<style" not in body, path
        assert not re.search(r"\sstyle=\"", body), path
        assert not re.search(r"\son[a-z]+=\"", body), path


@pytest.mark.django_db
def test_the_api_docs_load_their_script_as_a_file(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "<style" not in body
    assert re.search(r'<script src="[^"]*\?script=', body)
    script = client.get("/api/docs/?script=")
    assert script.status_code == 200
    assert "SwaggerUIBundle" in script.content.decode()
