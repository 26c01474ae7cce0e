"""The design foundation: one base template, the right stylesheet per direction, styled error
pages, and no inline script or style anywhere (a Content-Security-Policy is coming)."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from tests.factories import PASSWORD

TEMPLATES = [
    path
    for root in ("frontend/templates", "caiac", "booking", "trainings", "incubation")
    for path in (Path(settings.BASE_DIR) / root).rglob("*.html")
    if "templates" in path.parts
]


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(settings.BASE_DIR)))
def test_no_template_carries_inline_script_style_or_event_handler(path):
    text = path.read_text()
    assert not re.search(r"\sstyle=", text), "style attribute"
    assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text), "inline <script>"
    assert not re.search(r"<style[\s>]", text), "<style> element"
    assert not re.search(r"\son[a-z]+=", text), "inline event handler"


@pytest.fixture
def signed_in(client, member):
    client.login(username=member.username, password=PASSWORD)
    return client


@pytest.mark.parametrize(
    ("language", "sheet", "direction"),
    [
        ("fr", "bootstrap.min.css", "ltr"),
        ("ar", "bootstrap.rtl.min.css", "rtl"),
        ("en", "bootstrap.min.css", "ltr"),
    ],
)
def test_the_page_takes_the_stylesheet_of_its_direction(
    signed_in, member, language, sheet, direction
):
    member.language = language
    member.save()
    page = signed_in.get("/").content.decode()
    assert f'<html lang="{language}" dir="{direction}"' in page
    assert f"vendor/bootstrap-5.3.8/css/{sheet}" in page
    assert "bootstrap.rtl.min.css" not in page or direction == "rtl"


def test_a_missing_page_is_a_styled_404_in_the_persons_language(signed_in):
    response = signed_in.get("/lab/machines/999999/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page introuvable" in page and 'class="error-page' in page and "navbar" in page


def test_a_forbidden_page_is_a_styled_403(signed_in):
    response = signed_in.get("/lab/approvals/")
    assert response.status_code == 403
    assert "Cette page ne vous est pas accessible" in response.content.decode()


def test_the_500_page_renders_without_a_request(db):
    from django.test import RequestFactory
    from django.views.defaults import server_error

    response = server_error(RequestFactory().get("/"))
    assert response.status_code == 500
    assert "Un problème est survenu de notre côté" in response.content.decode()


def test_the_navigation_folds_behind_a_menu_button_and_marks_the_current_page(signed_in):
    page = signed_in.get("/lab/my-bookings/").content.decode()
    assert 'class="navbar-toggler"' in page and 'aria-controls="site-menu"' in page
    assert re.search(
        r'<a class="nav-link active" href="/lab/my-bookings/" aria-current="page">', page
    )
