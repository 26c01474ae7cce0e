"""Brute force on every sign-in path: counted per account and per client address, in the
database, whatever X-Forwarded-For says; the right password is refused until the lock lifts."""

import datetime
import os
import subprocess
import sys

import pytest
import time_machine
from axes.models import AccessAttempt
from django.conf import settings as django_settings
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from tests.factories import PASSWORD, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

TOKEN = "/api/v1/auth/token/"


def forged(i: int) -> dict:
    return {"HTTP_X_FORWARDED_FOR": f"10.0.0.{i}", "REMOTE_ADDR": "203.0.113.7"}


def test_thirty_wrong_passwords_with_a_rotating_forwarded_for_lock_the_account_and_address():
    UserFactory(username="fatima")
    client = APIClient()
    statuses = [
        client.post(TOKEN, {"username": "fatima", "password": f"guess{i}"}, **forged(i)).status_code
        for i in range(30)
    ]
    limit = django_settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [400] * (limit - 1)
    assert set(statuses[limit - 1 :]) == {429}

    # The right password, from the same address: refused, with when to come back.
    right = client.post(TOKEN, {"username": "fatima", "password": PASSWORD}, **forged(99))
    assert right.status_code == 429
    assert right.json()["code"] == "locked_out"
    assert set(right.json()) == {"code", "detail", "fields"}
    assert 0 < int(right["Retry-After"]) <= 15 * 60
    # The account is locked from anywhere, the address for any account.
    elsewhere = client.post(
        TOKEN, {"username": "fatima", "password": PASSWORD}, REMOTE_ADDR="198.51.100.1"
    )
    assert elsewhere.status_code == 429
    UserFactory(username="aicha")
    other_account = client.post(
        TOKEN, {"username": "aicha", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert other_account.status_code == 429
    # Every attempt was counted against the real address, none against the forged ones.
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.7"}


def test_the_right_password_works_again_once_the_lock_has_lifted():
    UserFactory(username="fatima")
    client = APIClient()
    for i in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN, {"username": "fatima", "password": "nope"}, **forged(i))
    right = {"username": "fatima", "password": PASSWORD}
    assert client.post(TOKEN, right, REMOTE_ADDR="203.0.113.7").status_code == 429
    later = timezone.now() + django_settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        response = client.post(TOKEN, right, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    assert response.json()["token"]


def test_attempts_during_a_lock_do_not_push_its_end_back():
    UserFactory(username="fatima")
    client = APIClient()
    for i in range(django_settings.AXES_FAILURE_LIMIT):
        client.post(TOKEN, {"username": "fatima", "password": "nope"}, **forged(i))
    first = int(client.post(TOKEN, {"username": "fatima", "password": "x"})["Retry-After"])
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=5), tick=False):
        again = client.post(TOKEN, {"username": "fatima", "password": "x"})
    assert int(again["Retry-After"]) <= first - 5 * 60 + 1


def _web_login_attempts(path: str, username: str) -> list[int]:
    client = Client()
    return [
        client.post(path, {"username": username, "password": f"guess{i}"}, **forged(i)).status_code
        for i in range(30)
    ]


def test_the_sign_in_page_locks_after_repeated_failures_and_says_so_clearly():
    UserFactory(username="fatima")
    statuses = _web_login_attempts("/login/", "fatima")
    limit = django_settings.AXES_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again, with its error
    assert set(statuses[limit - 1 :]) == {429}

    response = Client().post(
        "/login/", {"username": "fatima", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 429
    assert response["Retry-After"]
    assert "_auth_user_id" not in response.client.session
    page = response.content.decode()
    assert "Connexion bloquée" in page
    assert 'href="/password-reset/"' in page


def test_the_back_office_sign_in_locks_the_same_way():
    StaffFactory(username="nadia")
    statuses = _web_login_attempts("/admin/login/", "nadia")
    assert set(statuses[django_settings.AXES_FAILURE_LIMIT - 1 :]) == {429}
    response = Client().post(
        "/admin/login/?next=/admin/",
        {"username": "nadia", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.9",
    )
    assert response.status_code == 429  # the account is locked from any address


def test_failures_on_the_three_paths_add_up_to_one_count():
    UserFactory(username="fatima")
    per_path = django_settings.AXES_FAILURE_LIMIT // 3 + 1
    for i in range(per_path):
        APIClient().post(TOKEN, {"username": "fatima", "password": "x"}, REMOTE_ADDR=f"10.1.0.{i}")
        Client().post("/login/", {"username": "fatima", "password": "x"}, REMOTE_ADDR=f"10.2.0.{i}")
        Client().post(
            "/admin/login/", {"username": "fatima", "password": "x"}, REMOTE_ADDR=f"10.3.0.{i}"
        )
    response = APIClient().post(TOKEN, {"username": "fatima", "password": PASSWORD})
    assert response.status_code == 429


def test_staff_lift_a_lock_in_the_back_office(admin_client):
    UserFactory(username="fatima")
    for i in range(django_settings.AXES_FAILURE_LIMIT):
        APIClient().post(TOKEN, {"username": "fatima", "password": "x"}, **forged(i))
    attempt = AccessAttempt.objects.get(username="fatima")
    page = admin_client.get("/admin/axes/accessattempt/")
    assert page.status_code == 200
    assert "fatima" in page.content.decode()
    admin_client.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )
    assert not AccessAttempt.objects.exists()
    response = APIClient().post(TOKEN, {"username": "fatima", "password": PASSWORD})
    assert response.status_code == 200


def test_with_one_trusted_proxy_the_address_it_saw_is_counted(settings):
    settings.TRUSTED_PROXIES = 1
    UserFactory(username="fatima")
    APIClient().post(
        TOKEN,
        {"username": "fatima", "password": "x"},
        HTTP_X_FORWARDED_FOR="1.2.3.4, 192.0.2.50",  # forged by the client, then our proxy's
        REMOTE_ADDR="127.0.0.1",
    )
    assert AccessAttempt.objects.get().ip_address == "192.0.2.50"


def test_without_a_trusted_proxy_forwarded_for_is_ignored():
    UserFactory(username="fatima")
    APIClient().post(
        TOKEN,
        {"username": "fatima", "password": "x"},
        HTTP_X_FORWARDED_FOR="192.0.2.50",
        REMOTE_ADDR="127.0.0.1",
    )
    assert AccessAttempt.objects.get().ip_address == "127.0.0.1"


def test_the_lockout_is_documented_in_the_openapi_schema(api_client):
    schema = api_client.get("/api/schema/?format=json").json()
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "429" in token
    assert "locked_out" in token["429"]["description"]
    assert "Retry-After" in token["429"]["description"]


# --- Two processes, one count (PostgreSQL) -----------------------------------------------------

_ATTEMPTS = """
import django, os, sys
django.setup()
from rest_framework.test import APIClient
client = APIClient()
codes = [
    client.post("/api/v1/auth/token/", {"username": "fatima", "password": "nope"},
                REMOTE_ADDR="203.0.113.7").status_code
    for _ in range(int(sys.argv[1]))
]
print(" ".join(map(str, codes)))
"""


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_processes_see_one_count_of_failures():
    """Two separate worker processes (as under gunicorn) each try half the limit: together they
    reach it, because the count lives in the database, not in either process."""
    UserFactory(username="fatima")
    database = django_settings.DATABASES["default"]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "caiac.settings",
        "DATABASE_URL": (
            f"postgres://{database['USER']}:{database['PASSWORD'] or ''}@{database['HOST']}:"
            f"{database['PORT'] or 5432}/{database['NAME']}"
        ),
    }
    limit = django_settings.AXES_FAILURE_LIMIT
    first, second = limit // 2, limit - limit // 2

    def attempts(count: int) -> list[str]:
        done = subprocess.run(
            [sys.executable, "-c", _ATTEMPTS, str(count)],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        return done.stdout.split()

    assert attempts(first) == ["400"] * first
    # The second process's last failure is the limit-th in all: it locks.
    assert attempts(second) == ["400"] * (second - 1) + ["429"]
    response = APIClient().post(
        TOKEN, {"username": "fatima", "password": PASSWORD}, REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"
