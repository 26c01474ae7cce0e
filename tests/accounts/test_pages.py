import pytest

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_home_redirects_anonymous_visitors_to_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_home_lists_only_the_members_organisations(client, member, other_member):
    client.login(username=member.username, password=PASSWORD)
    page = client.get("/").content.decode()
    assert "Coopérative Amalou" in page
    assert "Atlas Essences" not in page


def test_language_switch_changes_the_page_language(client, member):
    client.login(username=member.username, password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "ar", "next": "/"})
    page = client.get("/").content.decode()
    assert 'lang="ar"' in page
    assert 'dir="rtl"' in page


def test_pages_speak_the_saved_language_of_the_signed_in_person(client, member):
    member.language = "ar"
    member.save()
    client.login(username=member.username, password=PASSWORD)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert 'lang="ar"' in page


def test_switching_language_on_the_site_saves_it_for_emails_too(client, member):
    client.login(username=member.username, password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    member.refresh_from_db()
    assert member.language == "en"


def test_a_language_chosen_in_this_browser_wins_over_the_saved_one(client, member):
    member.language = "ar"
    member.save()
    client.login(username=member.username, password=PASSWORD)
    client.cookies["django_language"] = "en"
    assert 'lang="en"' in client.get("/").content.decode()


def test_an_unknown_language_changes_nothing(client, member):
    client.login(username=member.username, password=PASSWORD)
    client.post("/i18n/setlang/", {"language": "xx", "next": "/"})
    member.refresh_from_db()
    assert member.language == "fr"
