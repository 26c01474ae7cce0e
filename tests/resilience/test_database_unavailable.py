"""A database that drops out is a clean, retryable 503 (JSON under /api/, a page elsewhere)."""

import contextlib

import pytest
from django.db import OperationalError, connection
from django.test import Client
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


@contextlib.contextmanager
def database_gone():
    """Every query fails the way a cut connection does."""

    def cut(execute, sql, params, many, context):
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(cut):
        yield


def token_client(user) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    return client


def test_an_api_request_that_loses_the_database_is_a_503_in_the_error_shape(member):
    client = token_client(member)
    with database_gone():
        response = client.post(
            "/api/v1/notifications/read-all/", HTTP_ACCEPT_LANGUAGE="en", format="json"
        )
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    body = response.json()
    assert body["code"] == "service_unavailable"
    assert body["fields"] == {}
    assert "try again in a few seconds" in body["detail"]


def test_the_api_error_speaks_the_clients_language(member):
    client = token_client(member)
    with database_gone():
        response = client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 503
    assert response.json()["code"] == "service_unavailable"
    assert "quelques secondes" in response.json()["detail"]


def test_a_page_whose_session_cannot_be_read_is_a_503_page_not_a_server_error(member):
    # The session and the signed-in user are read by middleware, before any view runs.
    client = Client(raise_request_exception=False)
    client.force_login(member)
    with database_gone():
        response = client.get("/notifications/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Briefly unavailable" in page
    assert "Nothing was saved halfway" in page


def test_the_next_request_after_the_blip_is_served_normally(member):
    client = token_client(member)
    with database_gone():
        assert client.get("/api/v1/me/").status_code == 503
    assert client.get("/api/v1/me/").status_code == 200


def test_an_error_that_is_not_a_lost_database_stays_a_500(member, monkeypatch):
    from caiac import api

    def broken(*args, **kwargs):
        raise ValueError("a bug")

    monkeypatch.setattr(api.MeView, "get", broken)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(member)
    assert client.get("/api/v1/me/").status_code == 500
