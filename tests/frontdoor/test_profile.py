"""The profile page: details, a confirmed email change, password, API token, calendar links."""

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from booking.models import FeedKind
from booking.services import feed_token_create
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(member):
    client = Client()
    client.force_login(member)
    return client


def test_the_profile_saves_name_and_language(browser, member):
    response = browser.post(
        "/profile/",
        {"section": "details", "first_name": "Fatima", "last_name": "Zahra", "language": "ar"},
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.first_name, member.last_name, member.language) == ("Fatima", "Zahra", "ar")
    assert 'lang="ar"' in browser.get("/profile/").content.decode()


def test_a_new_address_is_used_only_once_confirmed_from_that_mailbox(mailbox, browser, member):
    old = member.email
    browser.post("/profile/", {"section": "email", "email": "fatima@amalou.ma"})
    member.refresh_from_db()
    assert member.email == old  # not yet
    assert mailbox.messages_to(old)  # the old address is told, without the link
    old_body = mailbox.messages_to(old)[-1].get_body(preferencelist=("plain",)).get_content()
    assert "/profile/email/" not in old_body
    link = mailbox.last_link_to("fatima@amalou.ma")
    assert Client().get(link).status_code == 200  # a mail scanner opening it changes nothing
    member.refresh_from_db()
    assert member.email == old
    assert browser.post(link).status_code == 302
    member.refresh_from_db()
    assert member.email == "fatima@amalou.ma"
    assert browser.post(link).status_code == 410  # once


def test_a_password_change_needs_the_current_one(browser, member):
    wrong = browser.post(
        "/profile/",
        {
            "section": "password",
            "old_password": "nope",
            "new_password1": "argan-oil-press-2026",
            "new_password2": "argan-oil-press-2026",
        },
    )
    assert wrong.status_code == 200
    right = browser.post(
        "/profile/",
        {
            "section": "password",
            "old_password": PASSWORD,
            "new_password1": "argan-oil-press-2026",
            "new_password2": "argan-oil-press-2026",
        },
    )
    assert right.status_code == 302
    assert browser.get("/profile/").status_code == 200  # still signed in here
    member.refresh_from_db()
    assert member.check_password("argan-oil-press-2026")


def test_a_password_change_revokes_the_api_token_calendar_links_and_other_browsers_not_this_one(
    browser, member
):
    token = Token.objects.create(user=member).key
    feed = feed_token_create(user=member, kind=FeedKind.USER).token
    assert Client().get(f"/api/v1/calendar/{feed}.ics").status_code == 200
    elsewhere = Client()
    elsewhere.force_login(member)
    assert elsewhere.get("/profile/").status_code == 200
    changed = browser.post(
        "/profile/",
        {
            "section": "password",
            "old_password": PASSWORD,
            "new_password1": "argan-oil-press-2026",
            "new_password2": "argan-oil-press-2026",
        },
    )
    assert changed.status_code == 302
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 401
    assert elsewhere.get("/profile/").status_code == 302  # signed out there
    assert Client().get(f"/api/v1/calendar/{feed}.ics").status_code == 404
    assert browser.get("/profile/").status_code == 200  # still signed in here


def test_an_api_token_is_shown_once_then_revoked(browser, member):
    browser.post("/profile/api-token/")
    key = Token.objects.get(user=member).key
    assert key in browser.get("/profile/").content.decode()
    assert key not in browser.get("/profile/").content.decode()
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert api.get("/api/v1/me/").status_code == 200
    browser.post("/profile/api-token/revoke/")
    assert api.get("/api/v1/me/").status_code == 401


def test_an_api_client_revokes_its_own_token(client_for, member):
    client = client_for(member)
    assert client.delete("/api/v1/auth/token/").status_code == 204
    assert client.get("/api/v1/me/").status_code == 401


def test_the_profile_shows_organisations_and_calendar_links(browser, member, organisation):
    page = browser.get("/profile/").content.decode()
    assert organisation.name in page
    assert "/notifications/preferences/" in page
    assert "/lab/my-bookings/" in page


def test_the_profile_needs_a_signed_in_person():
    assert Client().get("/profile/").status_code == 302


def held_by_the_old_password(member) -> tuple[str, str, Client]:
    """What the old password gave: an API token, a calendar link, a browser signed in."""
    token = Token.objects.create(user=member).key
    feed = feed_token_create(user=member, kind=FeedKind.USER).token
    elsewhere = Client()
    elsewhere.force_login(member)
    return token, feed, elsewhere


def assert_shut_out(token: str, feed: str, elsewhere: Client) -> None:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 401
    assert Client().get(f"/api/v1/calendar/{feed}.ics").status_code == 404
    assert elsewhere.get("/profile/").status_code == 302  # signed out there


def test_a_password_set_by_staff_in_the_back_office_shuts_out_the_old_holder(member):
    held = held_by_the_old_password(member)
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))

    changed = admin.post(
        f"/admin/accounts/user/{member.pk}/password/",
        {
            "password1": "argan-oil-press-2026",
            "password2": "argan-oil-press-2026",
            "usable_password": "true",
        },
    )

    assert changed.status_code == 302
    member.refresh_from_db()
    assert member.check_password("argan-oil-press-2026")
    assert_shut_out(*held)


def test_a_password_changed_with_manage_py_changepassword_shuts_out_the_old_holder(
    member, monkeypatch
):
    from django.contrib.auth.management.commands import changepassword
    from django.core.management import call_command

    held = held_by_the_old_password(member)
    monkeypatch.setattr(changepassword.getpass, "getpass", lambda prompt: "argan-oil-press-2026")

    call_command("changepassword", member.username, stdout=None)

    member.refresh_from_db()
    assert member.check_password("argan-oil-press-2026")
    assert_shut_out(*held)


def test_switching_password_sign_in_off_in_the_back_office_shuts_out_the_old_holder(member):
    held = held_by_the_old_password(member)
    admin = Client()
    admin.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    changed = admin.post(
        f"/admin/accounts/user/{member.pk}/password/",
        {"usable_password": "false", "unset-password": "1"},
    )
    assert changed.status_code == 302
    member.refresh_from_db()
    assert not member.has_usable_password()
    assert_shut_out(*held)
