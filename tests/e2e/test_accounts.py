import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def test_member_signs_in_and_sees_their_organisation(page, sign_in, member, other_member):
    sign_in(member)
    assert page.locator("h1").inner_text().startswith("Bienvenue")
    body = page.locator("main").inner_text()
    assert "Coopérative Amalou" in body
    assert "Atlas Essences" not in body


def test_wrong_password_shows_an_error_on_the_form(page, member):
    page.goto("/login/")
    page.fill("#id_username", member.username)
    page.fill("#id_password", "wrong")
    page.click("button[type=submit]")
    assert page.locator("[role=alert]").is_visible()
    assert "/login/" in page.url


def test_pages_need_a_sign_in(page):
    page.goto("/")
    assert "/login/" in page.url
