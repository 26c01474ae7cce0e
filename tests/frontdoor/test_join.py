"""A new organisation asks to join the cluster; staff approve or decline with a reason."""

import pytest
from django.contrib.auth.hashers import check_password
from django.test import Client

from caiac.accounts.models import Membership, Organisation, User
from caiac.frontdoor.models import JoinRequest, JoinRequestStatus
from caiac.notifications.models import Message

pytestmark = pytest.mark.django_db

REQUEST = {
    "organisation_name": "Tifawt Cosmétiques",
    "kind": "startup",
    "sector": "cosmetics",
    "city": "Tiznit",
    "contact_phone": "+212 600 000 000",
    "description": "Formuler des crèmes à l'huile d'argan.",
    "first_name": "Salma",
    "last_name": "Idrissi",
    "email": "salma@tifawt.ma",
    "username": "salma",
    "password": "tifawt-argan-2026",
}


def page_data() -> dict:
    data = {f"org-{k}": REQUEST[k] for k in ("organisation_name", "kind", "sector", "city")}
    data |= {
        "first_name": REQUEST["first_name"],
        "last_name": REQUEST["last_name"],
        "email": REQUEST["email"],
        "username": REQUEST["username"],
        "password1": REQUEST["password"],
        "password2": REQUEST["password"],
    }
    return data


def test_the_sign_up_page_asks_and_nothing_exists_to_book_with_before_approval(mailbox, staff):
    browser = Client()
    assert 'href="/join/"' in browser.get("/login/").content.decode()
    response = browser.post("/join/", page_data())
    assert response.status_code == 302
    assert response["Location"] == "/join/thanks/"
    join_request = JoinRequest.objects.get()
    assert join_request.status == JoinRequestStatus.PENDING
    assert REQUEST["password"] not in join_request.password  # only its hash is kept
    assert check_password(REQUEST["password"], join_request.password)
    # No organisation and no account yet: nothing can be booked, nobody can sign in.
    assert not Organisation.objects.filter(name="Tifawt Cosmétiques").exists()
    assert not User.objects.filter(username="salma").exists()
    assert not Client().login(username="salma", password=REQUEST["password"])
    # The person hears we got it; staff see it in their notifications.
    assert mailbox.messages_to("salma@tifawt.ma")
    assert Message.objects.filter(recipient=staff, kind="frontdoor.join_requested").exists()


def test_staff_approve_and_the_organisation_its_owner_and_a_welcome_exist(
    mailbox, client_for, staff
):
    Client().post("/join/", page_data())
    join_request = JoinRequest.objects.get()
    response = client_for(staff).post(
        f"/api/v1/join-requests/{join_request.pk}/approve/", {"is_cluster_member": True}
    )
    assert response.status_code == 200
    organisation = Organisation.objects.get(pk=response.json()["organisation"])
    assert organisation.name == "Tifawt Cosmétiques"
    assert organisation.is_cluster_member
    salma = User.objects.get(username="salma")
    assert Membership.objects.get(user=salma).role == "owner"
    assert Client().login(username="salma", password=REQUEST["password"])
    welcome = mailbox.messages_to("salma@tifawt.ma")[-1]
    assert "Tifawt" in welcome["Subject"]
    join_request.refresh_from_db()
    assert join_request.password == ""  # the account holds it now


def test_staff_decline_with_a_reason_that_the_person_reads(mailbox, client_for, staff):
    response = Client().post("/api/v1/join-requests/", REQUEST, content_type="application/json")
    assert response.status_code == 201
    pk = response.json()["id"]
    assert "password" not in response.json()
    no_reason = client_for(staff).post(f"/api/v1/join-requests/{pk}/decline/", {"reason": " "})
    assert no_reason.status_code == 400
    declined = client_for(staff).post(
        f"/api/v1/join-requests/{pk}/decline/",
        {"reason": "Votre activité ne relève pas de la cosmétique ni de l'agro-alimentaire."},
    )
    assert declined.status_code == 200
    assert declined.json()["status"] == "declined"
    email = mailbox.messages_to("salma@tifawt.ma")[-1]
    body = email.get_body(preferencelist=("plain",)).get_content()
    assert "ne relève pas de la cosmétique" in body
    assert not Organisation.objects.filter(name="Tifawt Cosmétiques").exists()
    assert not User.objects.filter(username="salma").exists()
    again = client_for(staff).post(f"/api/v1/join-requests/{pk}/approve/")
    assert again.status_code == 409


@pytest.mark.parametrize(("who", "expected"), [("member", 403), ("anonymous", 401)])
def test_only_staff_see_and_decide_requests(request, client_for, api_client, who, expected):
    Client().post("/join/", page_data())
    pk = JoinRequest.objects.get().pk
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    assert client.get("/api/v1/join-requests/").status_code == expected
    assert client.post(f"/api/v1/join-requests/{pk}/approve/").status_code in (expected, 404)
    assert JoinRequest.objects.get().status == JoinRequestStatus.PENDING


def test_a_name_already_registered_or_asked_for_is_refused(member, organisation):
    taken = Client().post("/join/", page_data() | {"org-organisation_name": organisation.name})
    assert taken.status_code == 200
    assert "Existe déjà." in taken.content.decode()
    Client().post("/join/", page_data())
    twice = Client().post("/join/", page_data() | {"username": "salma2"})
    assert twice.status_code == 200
    assert JoinRequest.objects.count() == 1


def test_a_signed_in_person_asks_for_a_new_organisation_and_becomes_its_owner(
    client_for, member, staff
):
    browser = Client()
    browser.force_login(member)
    data = {k: v for k, v in page_data().items() if k.startswith("org-")}
    assert browser.post("/join/", data).status_code == 302
    join_request = JoinRequest.objects.get()
    assert join_request.user == member
    client_for(staff).post(f"/api/v1/join-requests/{join_request.pk}/approve/")
    assert Membership.objects.get(user=member, organisation__name="Tifawt Cosmétiques").role == (
        "owner"
    )


def test_staff_decide_from_the_requests_page(staff):
    Client().post("/join/", page_data())
    join_request = JoinRequest.objects.get()
    browser = Client()
    browser.force_login(staff)
    page = browser.get("/staff/join-requests/")
    assert "Tifawt Cosmétiques" in page.content.decode()
    browser.post(f"/staff/join-requests/{join_request.pk}/approve/", {})
    join_request.refresh_from_db()
    assert join_request.status == JoinRequestStatus.APPROVED


def test_the_requests_page_is_hidden_from_members(member):
    browser = Client()
    browser.force_login(member)
    assert browser.get("/staff/join-requests/").status_code == 404
