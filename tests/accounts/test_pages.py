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
