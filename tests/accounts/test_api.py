import pytest
from django.urls import reverse
from rest_framework.authtoken.models import Token

from tests.conftest import set_throttle_rates
from tests.factories import PASSWORD, OrganisationFactory

pytestmark = pytest.mark.django_db

ORGANISATIONS = "/api/v1/organisations/"


def test_token_is_issued_for_right_credentials_and_opens_me(api_client, member):
    response = api_client.post("/api/v1/auth/token/", {"username": "fatima", "password": PASSWORD})
    assert response.status_code == 200
    token = response.json()["token"]
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api_client.get("/api/v1/me/")
    assert me.status_code == 200
    assert me.json()["username"] == "fatima"


def test_wrong_password_is_a_400_in_the_error_format(api_client, member):
    response = api_client.post("/api/v1/auth/token/", {"username": "fatima", "password": "nope"})
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_credentials"
    assert set(response.json()) == {"code", "detail", "fields"}
    assert not Token.objects.exists()


def test_missing_password_names_the_field(api_client):
    response = api_client.post("/api/v1/auth/token/", {"username": "fatima"}, format="json")
    body = response.json()
    assert response.status_code == 400
    assert body["code"] == "invalid"
    assert "password" in body["fields"]


def test_malformed_json_is_a_400_parse_error(api_client):
    response = api_client.post(
        "/api/v1/auth/token/", data="{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_anonymous_request_is_401_not_authenticated(api_client):
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Token")


@pytest.mark.parametrize("header", ["Token deadbeef", "Token", "Token a b", "Bearer x"])
def test_bad_token_is_401_never_500(api_client, member, header):
    api_client.credentials(HTTP_AUTHORIZATION=header)
    response = api_client.get("/api/v1/me/")
    assert response.status_code == 401
    assert response.json()["code"] in {"authentication_failed", "not_authenticated"}


def test_me_lists_organisations_with_roles(client_for, member, organisation):
    body = client_for(member).get("/api/v1/me/").json()
    assert body["organisations"] == [
        {"id": organisation.pk, "name": organisation.name, "role": "member"}
    ]
    assert body["role"] == "member"
    assert body["is_cluster_staff"] is False
    assert body["certifications"] == []


def test_error_detail_follows_the_request_language(api_client):
    fr = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="fr")
    ar = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="ar")
    en = api_client.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="en")
    assert en.json()["detail"] == "Authentication credentials were not provided."
    assert fr.json()["detail"] != en.json()["detail"]
    assert ar.json()["detail"] not in (en.json()["detail"], fr.json()["detail"])
    assert {fr.json()["code"], ar.json()["code"]} == {"not_authenticated"}


def test_own_error_messages_are_translated(api_client, member):
    fr = api_client.post(
        "/api/v1/auth/token/",
        {"username": "fatima", "password": "x"},
        HTTP_ACCEPT_LANGUAGE="fr",
    )
    en = api_client.post(
        "/api/v1/auth/token/",
        {"username": "fatima", "password": "x"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert en.json()["detail"] == "Unable to sign in with this username and password."
    assert (
        fr.json()["detail"] == "Impossible de se connecter avec cet identifiant et ce mot de passe."
    )


def test_token_endpoint_is_throttled(api_client, monkeypatch, member):
    set_throttle_rates(monkeypatch, auth="3/minute", write="100/minute")
    for _ in range(3):
        api_client.post("/api/v1/auth/token/", {"username": "fatima", "password": "x"})
    response = api_client.post("/api/v1/auth/token/", {"username": "fatima", "password": "x"})
    assert response.status_code == 429
    assert response.json()["code"] == "throttled"


class TestOrganisationScoping:
    def test_member_lists_only_their_own_organisation(self, client_for, member, other_member):
        body = client_for(member).get(ORGANISATIONS).json()
        assert body["count"] == 1
        assert [o["name"] for o in body["results"]] == ["Coopérative Amalou"]

    def test_other_organisation_by_id_is_404_like_an_unknown_id(
        self, client_for, member, other_organisation
    ):
        client = client_for(member)
        other = client.get(f"{ORGANISATIONS}{other_organisation.pk}/")
        unknown = client.get(f"{ORGANISATIONS}999999/")
        assert other.status_code == unknown.status_code == 404
        assert other.json() == unknown.json()
        assert other.json()["code"] == "not_found"

    def test_non_numeric_id_is_404_not_500(self, client_for, member):
        assert client_for(member).get(f"{ORGANISATIONS}abc/").status_code == 404

    def test_member_cannot_create_or_edit(self, client_for, member, organisation):
        client = client_for(member)
        created = client.post(
            ORGANISATIONS, {"name": "X", "kind": "startup", "sector": "cosmetics"}
        )
        edited = client.patch(f"{ORGANISATIONS}{organisation.pk}/", {"city": "Tiznit"})
        assert created.status_code == edited.status_code == 403
        assert created.json()["code"] == "staff_only"
        organisation.refresh_from_db()
        assert organisation.city == "Agadir"

    def test_member_cannot_see_members_of_another_organisation(
        self, client_for, member, other_organisation
    ):
        response = client_for(member).get(f"{ORGANISATIONS}{other_organisation.pk}/members/")
        assert response.status_code == 404

    def test_staff_sees_and_edits_all(self, client_for, staff, organisation, other_organisation):
        client = client_for(staff)
        assert client.get(ORGANISATIONS).json()["count"] == 2
        response = client.patch(
            f"{ORGANISATIONS}{other_organisation.pk}/", {"city": "Tiznit"}, format="json"
        )
        assert response.status_code == 200
        assert response.json()["city"] == "Tiznit"

    def test_staff_creates_an_organisation_and_adds_a_member(self, client_for, staff, member):
        client = client_for(staff)
        response = client.post(
            ORGANISATIONS,
            {
                "name": "Souss Bio Snacks",
                "kind": "startup",
                "sector": "agrifood",
                "city": "Inezgane",
            },
            format="json",
        )
        assert response.status_code == 201
        org_id = response.json()["id"]
        added = client.post(
            f"{ORGANISATIONS}{org_id}/members/", {"user": member.pk, "role": "owner"}, format="json"
        )
        assert added.status_code == 201
        assert client_for(member).get(f"{ORGANISATIONS}{org_id}/").status_code == 200

    def test_duplicate_name_is_a_409(self, client_for, staff, organisation):
        response = client_for(staff).post(
            ORGANISATIONS,
            {"name": organisation.name.upper(), "kind": "startup", "sector": "cosmetics"},
            format="json",
        )
        assert response.status_code == 409
        assert response.json()["code"] == "organisation_exists"

    def test_bad_choice_is_a_400_naming_the_field(self, client_for, staff):
        response = client_for(staff).post(
            ORGANISATIONS, {"name": "Y", "kind": "spaceship", "sector": "cosmetics"}, format="json"
        )
        assert response.status_code == 400
        assert "kind" in response.json()["fields"]

    def test_expiry_needs_cluster_membership(self, client_for, staff):
        response = client_for(staff).post(
            ORGANISATIONS,
            {
                "name": "Z",
                "kind": "startup",
                "sector": "cosmetics",
                "is_cluster_member": False,
                "membership_expires_on": "2027-01-01",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "membership_expires_on" in response.json()["fields"]

    def test_a_new_cluster_member_is_a_member_from_today_unless_told(self, client_for, staff):
        import time_machine

        with time_machine.travel("2026-06-15 10:00Z", tick=False):
            response = client_for(staff).post(
                ORGANISATIONS,
                {"name": "M", "kind": "startup", "sector": "cosmetics", "is_cluster_member": True},
                format="json",
            )
        assert response.status_code == 201, response.json()
        assert response.json()["member_since"] == "2026-06-15"

    def test_a_membership_cannot_end_before_it_starts(self, client_for, staff):
        response = client_for(staff).post(
            ORGANISATIONS,
            {
                "name": "N",
                "kind": "startup",
                "sector": "cosmetics",
                "is_cluster_member": True,
                "member_since": "2026-06-01",
                "membership_expires_on": "2026-05-31",
            },
            format="json",
        )
        assert response.status_code == 400
        assert "membership_expires_on" in response.json()["fields"]


def test_membership_expiry_decides_member_rates(db):
    organisation = OrganisationFactory(is_cluster_member=True, membership_expires_on="2026-12-31")
    organisation.refresh_from_db()
    import datetime

    assert organisation.is_member_on(datetime.date(2026, 12, 31))
    assert not organisation.is_member_on(datetime.date(2027, 1, 1))


def test_schema_and_docs_are_served(api_client):
    schema = api_client.get(reverse("schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/v1/organisations/" in schema.json()["paths"]
    assert api_client.get(reverse("swagger-ui")).status_code == 200
