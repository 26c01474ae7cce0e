"""Password reset by email, on the site and over the API: the same answer for any address."""

import re

import pytest
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from booking.models import FeedKind
from booking.services import feed_token_create
from caiac.notifications.models import Message
from tests.conftest import set_throttle_rates
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "argan-oil-press-2026"


def without_csrf(page: bytes) -> bytes:
    """The page as a person reads it (the anti-forgery token differs on every page)."""
    return re.sub(rb'("X-CSRFToken": "|name="csrfmiddlewaretoken" value=")[^"]+', rb"\1", page)


def test_a_forgotten_password_is_reset_end_to_end_through_the_emailed_link(mailbox):
    UserFactory(username="fatima", email="fatima@amalou.ma", language="ar")
    browser = Client()
    login_page = browser.get("/login/").content.decode()
    assert 'href="/password-reset/"' in login_page

    response = browser.post("/password-reset/", {"email": "Fatima@Amalou.ma"}, follow=True)
    assert response.redirect_chain[-1][0] == "/password-reset/sent/"

    email = mailbox.messages_to("fatima@amalou.ma")[-1]
    assert email["Content-Language"] == "ar"  # in the person's own language
    link = mailbox.last_link_to("fatima@amalou.ma")
    form = browser.get(link, follow=True)
    assert form.status_code == 200
    assert b"new_password1" in form.content
    assert "déconnecte vos autres navigateurs" in form.content.decode()  # what it will do
    done = browser.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert done.redirect_chain[-1][0] == "/password-reset/done/"
    assert Client().login(username="fatima", password=NEW_PASSWORD)
    assert not Client().login(username="fatima", password=PASSWORD)

    # The link worked once.
    again = Client().get(link, follow=True)
    assert b"new_password1" not in again.content


def test_an_unknown_address_gets_exactly_the_same_answer_and_no_email(mailbox):
    UserFactory(username="fatima", email="fatima@amalou.ma")
    known = Client().post("/password-reset/", {"email": "fatima@amalou.ma"}, follow=True)
    unknown = Client().post("/password-reset/", {"email": "nobody@nowhere.ma"}, follow=True)
    assert known.redirect_chain == unknown.redirect_chain
    assert without_csrf(known.content) == without_csrf(unknown.content)
    assert mailbox.messages_to("nobody@nowhere.ma") == []
    assert len(mailbox.messages_to("fatima@amalou.ma")) == 1


def test_the_api_answers_202_whether_or_not_the_address_exists(mailbox):
    UserFactory(username="fatima", email="fatima@amalou.ma")
    client = APIClient()
    known = client.post("/api/v1/auth/password-reset/", {"email": "fatima@amalou.ma"})
    unknown = client.post("/api/v1/auth/password-reset/", {"email": "nobody@nowhere.ma"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()
    assert len(mailbox.messages_to("fatima@amalou.ma")) == 1


def test_asking_again_and_again_sends_one_email_per_quarter_hour(mailbox):
    UserFactory(username="fatima", email="fatima@amalou.ma")
    for _ in range(5):
        APIClient().post("/api/v1/auth/password-reset/", {"email": "fatima@amalou.ma"})
    assert len(mailbox.messages_to("fatima@amalou.ma")) == 1


def test_no_reset_link_is_stored_in_the_outbox(mailbox):
    UserFactory(username="fatima", email="fatima@amalou.ma")
    APIClient().post("/api/v1/auth/password-reset/", {"email": "fatima@amalou.ma"})
    link = mailbox.last_link_to("fatima@amalou.ma")
    token = link.rstrip("/").rsplit("/", 1)[-1]
    message = Message.objects.get(kind="frontdoor.password_reset")
    assert token not in str(message.context)
    assert message.recipient is None  # to the address: never shown in the app


def test_an_invalid_address_is_a_400_in_the_error_format():
    response = APIClient().post("/api/v1/auth/password-reset/", {"email": "not an address"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "email" in response.json()["fields"]


def test_a_locked_out_address_cannot_use_password_reset_either(settings):
    UserFactory(username="fatima", email="fatima@amalou.ma")
    for i in range(settings.AXES_FAILURE_LIMIT):
        APIClient().post(
            "/api/v1/auth/token/",
            {"username": f"someone{i}", "password": "x"},
            REMOTE_ADDR="203.0.113.7",
        )
    api = APIClient().post(
        "/api/v1/auth/password-reset/", {"email": "fatima@amalou.ma"}, REMOTE_ADDR="203.0.113.7"
    )
    assert api.status_code == 429
    assert api.json()["code"] == "locked_out"
    assert int(api["Retry-After"]) > 0
    page = Client().post(
        "/password-reset/", {"email": "fatima@amalou.ma"}, REMOTE_ADDR="203.0.113.7"
    )
    assert page.status_code == 429
    assert not Message.objects.filter(kind="frontdoor.password_reset").exists()


def test_resetting_the_password_lifts_the_lock_on_the_account(mailbox, settings):
    UserFactory(username="fatima", email="fatima@amalou.ma")
    for i in range(settings.AXES_FAILURE_LIMIT):
        APIClient().post(
            "/api/v1/auth/token/",
            {"username": "fatima", "password": "x"},
            REMOTE_ADDR=f"198.51.100.{i}",
        )
    browser = Client()
    browser.post("/password-reset/", {"email": "fatima@amalou.ma"})
    form = browser.get(mailbox.last_link_to("fatima@amalou.ma"), follow=True)
    browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "fatima", "password": NEW_PASSWORD}
    )
    assert response.status_code == 200


@pytest.mark.parametrize("where", ["api", "page"])
def test_each_reset_request_counts_once_against_the_address_limit(monkeypatch, where):
    set_throttle_rates(monkeypatch, auth="3/minute", write="100/minute")
    UserFactory(username="fatima", email="fatima@amalou.ma")

    def ask():
        if where == "api":
            return APIClient().post("/api/v1/auth/password-reset/", {"email": "fatima@amalou.ma"})
        return Client().post("/password-reset/", {"email": "fatima@amalou.ma"})

    allowed = 202 if where == "api" else 302
    assert [ask().status_code for _ in range(3)] == [allowed] * 3
    refused = ask()
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0


def test_a_reset_revokes_the_api_token_and_calendar_links_and_signs_out_other_browsers(mailbox):
    fatima = UserFactory(username="fatima", email="fatima@amalou.ma")
    token = Token.objects.create(user=fatima).key
    feed = feed_token_create(user=fatima, kind=FeedKind.USER).token
    elsewhere = Client()
    elsewhere.force_login(fatima)
    assert elsewhere.get("/profile/").status_code == 200

    browser = Client()
    browser.post("/password-reset/", {"email": "fatima@amalou.ma"})
    form = browser.get(mailbox.last_link_to("fatima@amalou.ma"), follow=True)
    browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )

    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api.get("/api/v1/me/").status_code == 401
    assert not Token.objects.filter(user=fatima).exists()
    assert Client().get(f"/api/v1/calendar/{feed}.ics").status_code == 404
    assert elsewhere.get("/profile/").status_code == 302  # back to the sign-in page
