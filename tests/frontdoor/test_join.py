"""A new organisation asks to join the cluster; staff approve or decline with a reason."""

import datetime

import pytest
import time_machine
from django.contrib.auth.hashers import check_password
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from caiac.accounts.models import Membership, Organisation, User
from caiac.errors import Conflict
from caiac.frontdoor import selectors, services, tokens
from caiac.frontdoor.models import JoinRequest, JoinRequestStatus
from caiac.frontdoor.tasks import purge_unconfirmed_join_requests
from caiac.notifications.models import Message
from tests.conftest import set_throttle_rates

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


def confirmed(join_request: JoinRequest) -> JoinRequest:
    """What the person does with the emailed link (the tests that are about staff's side)."""
    return services.join_request_confirm_email(token=tokens.join_confirm_token(join_request))


def asked_and_confirmed() -> JoinRequest:
    assert Client().post("/join/", page_data()).status_code == 302
    return confirmed(JoinRequest.objects.get())


def test_the_sign_up_page_asks_and_nothing_exists_to_book_with_before_approval(mailbox, staff):
    browser = Client()
    assert 'href="/join/"' in browser.get("/login/").content.decode()
    response = browser.post("/join/", page_data())
    assert response.status_code == 302
    assert response["Location"] == "/join/check-email/"
    assert browser.get("/join/check-email/").status_code == 200
    # Nobody hears of it until the address is confirmed through the emailed link.
    assert not Message.objects.filter(recipient=staff).exists()
    assert list(selectors.join_requests_for_staff(by=staff)) == []
    link = mailbox.last_link_to("salma@tifawt.ma")
    assert link.startswith("/join/confirm/")
    assert Client().get(link).status_code == 200  # a mail scanner opening it changes nothing
    assert not Message.objects.filter(recipient=staff).exists()
    confirm = Client().post(link)
    assert confirm.status_code == 302
    assert confirm["Location"] == "/join/thanks/"
    assert Client().post(link).status_code == 410  # once
    join_request = JoinRequest.objects.get()
    assert join_request.email_confirmed_at is not None
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
    join_request = asked_and_confirmed()
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
    confirmed(JoinRequest.objects.get(pk=pk))
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
    pk = asked_and_confirmed().pk
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    assert client.get("/api/v1/join-requests/").status_code == expected
    assert client.post(f"/api/v1/join-requests/{pk}/approve/").status_code in (expected, 404)
    assert JoinRequest.objects.get().status == JoinRequestStatus.PENDING


def test_a_name_already_registered_or_asked_for_is_refused(member, organisation):
    taken = Client().post("/join/", page_data() | {"org-organisation_name": organisation.name})
    assert taken.status_code == 200
    assert "Existe déjà." in taken.content.decode()
    asked_and_confirmed()
    twice = Client().post("/join/", page_data() | {"username": "salma2"})
    assert twice.status_code == 200
    assert JoinRequest.objects.count() == 1


def test_a_request_never_confirmed_holds_no_name_and_reaches_no_one(client_for, staff):
    assert Client().post("/join/", page_data()).status_code == 302
    squatter = JoinRequest.objects.get()
    # The real cooperative, with its own address, can still ask under its name.
    real = page_data() | {"email": "contact@tifawt.ma", "username": "tifawt"}
    assert Client().post("/join/", real).status_code == 302
    staff_api = client_for(staff)
    assert staff_api.get("/api/v1/join-requests/").json()["count"] == 0
    assert staff_api.post(f"/api/v1/join-requests/{squatter.pk}/approve/").status_code == 404
    with pytest.raises(Conflict) as refused:
        services.join_request_approve(by=staff, join_request=squatter)
    assert refused.value.code == "email_unconfirmed"
    squatter.refresh_from_db()
    assert squatter.status == JoinRequestStatus.PENDING
    assert not User.objects.filter(username="salma").exists()


def test_an_expired_or_forged_confirmation_link_is_refused(mailbox, staff):
    Client().post("/join/", page_data())
    link = mailbox.last_link_to("salma@tifawt.ma")
    with time_machine.travel(timezone.now() + datetime.timedelta(days=2, minutes=1)):
        late = Client().post(link)
    assert late.status_code == 410
    assert 'data-code="join_link_invalid"' in late.content.decode()
    assert Client().post(link[:-6] + "XXXXX/").status_code == 410
    assert not Message.objects.filter(recipient=staff).exists()


def test_a_request_never_confirmed_is_deleted_once_no_link_can_confirm_it(mailbox, member):
    asked_at = timezone.now()
    Client().post("/join/", page_data())  # never confirmed
    link = mailbox.last_link_to("salma@tifawt.ma")
    other = page_data() | {"email": "contact@argan.ma", "username": "argan"}
    other["org-organisation_name"] = "Argan Bio Souss"
    Client().post("/join/", other)
    confirmed(JoinRequest.objects.get(email="contact@argan.ma"))
    browser = Client()
    browser.force_login(member)  # a signed-in person's address is known: confirmed at once
    browser.post(
        "/join/",
        {k: v for k, v in page_data().items() if k.startswith("org-")}
        | {"org-organisation_name": "Amalou Export"},
    )
    assert JoinRequest.objects.count() == 3

    # An email the outbox sent late carries a link signed late, still good for two days.
    with time_machine.travel(asked_at + datetime.timedelta(days=3)):
        assert purge_unconfirmed_join_requests() == 0
    with time_machine.travel(asked_at + datetime.timedelta(days=4, minutes=1)):
        assert purge_unconfirmed_join_requests() == 1
        assert purge_unconfirmed_join_requests() == 0  # nothing left to do the next day
        late = Client().post(link)

    assert sorted(JoinRequest.objects.values_list("organisation_name", flat=True)) == [
        "Amalou Export",
        "Argan Bio Souss",
    ]
    assert late.status_code == 410
    assert 'data-code="join_link_invalid"' in late.content.decode()


def test_the_purge_of_unconfirmed_requests_is_on_the_beat_schedule():
    from caiac.celery import app

    entry = app.conf.beat_schedule["frontdoor-purge-unconfirmed-join-requests"]
    assert entry["task"] == purge_unconfirmed_join_requests.name


@pytest.mark.parametrize("where", ["page", "api"])
def test_sign_up_is_rate_limited_per_client_address(monkeypatch, where):
    set_throttle_rates(monkeypatch, auth="3/minute", write="100/minute")

    def ask(n):
        if where == "page":
            data = page_data() | {"email": f"p{n}@tifawt.ma", "username": f"p{n}"}
            return Client().post("/join/", data, REMOTE_ADDR="203.0.113.9")
        data = REQUEST | {"email": f"p{n}@tifawt.ma", "username": f"p{n}"}
        data["organisation_name"] = f"Tifawt {n}"
        return APIClient().post("/api/v1/join-requests/", data, REMOTE_ADDR="203.0.113.9")

    statuses = [ask(n).status_code for n in range(4)]
    # Three asks go through (the page answers the same name with its form again, 200).
    assert 429 not in statuses[:3]
    assert statuses[3] == 429
    # Another client address is not held back; a forged X-Forwarded-For changes nothing.
    forged = Client().post(
        "/join/", page_data(), REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1"
    )
    assert forged.status_code == 429
    assert Client().post("/join/", page_data(), REMOTE_ADDR="198.51.100.2").status_code != 429


def test_sign_up_is_rate_limited_per_email_address(monkeypatch, mailbox):
    set_throttle_rates(monkeypatch, auth="3/minute", write="100/minute")
    statuses = [
        Client()
        .post(
            "/join/",
            page_data() | {"email": "Victim@Tifawt.ma", "username": f"v{n}"},
            REMOTE_ADDR=f"198.51.100.{n}",
        )
        .status_code
        for n in range(5)
    ]
    assert statuses[3:] == [429, 429]
    assert len(mailbox.messages_to("victim@tifawt.ma")) == 3


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
    join_request = asked_and_confirmed()
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
