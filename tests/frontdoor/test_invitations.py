"""Owners invite colleagues by email; the link works once, for seven days, unless withdrawn."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from caiac.accounts.models import Membership, MembershipRole, User
from caiac.frontdoor.models import Invitation, InvitationStatus
from tests.factories import PASSWORD, MembershipFactory, OrganisationFactory, UserFactory, member_of

pytestmark = pytest.mark.django_db


def invitations_url(organisation) -> str:
    return f"/api/v1/organisations/{organisation.pk}/invitations/"


@pytest.fixture
def owner(organisation):
    user = UserFactory(username="fatima", language="ar")
    MembershipFactory(user=user, organisation=organisation, role=MembershipRole.OWNER)
    return user


@pytest.fixture
def plain_member(organisation):
    return member_of(organisation, username="aicha")


@pytest.fixture
def other_owner(other_organisation):
    user = UserFactory(username="youssef")
    MembershipFactory(user=user, organisation=other_organisation, role=MembershipRole.OWNER)
    return user


# --- Who may do what (the permission table) ------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "list_status", "create_status", "revoke_status"),
    [
        ("owner", 200, 201, 204),
        ("staff", 200, 201, 204),
        ("plain_member", 403, 403, 403),
        ("other_owner", 404, 404, 404),
        ("anonymous", 401, 401, 401),
    ],
)
def test_who_may_list_invite_and_revoke(
    request,
    client_for,
    api_client,
    organisation,
    owner,
    who,
    list_status,
    create_status,
    revoke_status,
):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    pending = Invitation.objects.create(
        organisation=organisation,
        email="pending@example.ma",
        language="fr",
        invited_by=owner,
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    listed = client.get(invitations_url(organisation))
    assert listed.status_code == list_status
    if list_status == 200:
        assert [row["email"] for row in listed.json()] == ["pending@example.ma"]
    created = client.post(
        invitations_url(organisation), {"email": "new@example.ma", "role": "member"}
    )
    assert created.status_code == create_status
    revoked = client.delete(f"{invitations_url(organisation)}{pending.pk}/")
    assert revoked.status_code == revoke_status
    if revoke_status != 204:
        pending.refresh_from_db()
        assert pending.status == InvitationStatus.PENDING
        assert not Invitation.objects.filter(email="new@example.ma").exists()


def test_an_owner_never_sees_another_organisations_invitations(
    client_for, organisation, other_organisation, owner, other_owner
):
    Invitation.objects.create(
        organisation=other_organisation,
        email="secret@example.ma",
        language="fr",
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )
    listed = client_for(owner).get(invitations_url(organisation))
    assert listed.json() == []
    other = Invitation.objects.get()
    assert (
        client_for(owner).delete(f"{invitations_url(organisation)}{other.pk}/").status_code == 404
    )


# --- End to end, through the emailed link ------------------------------------------------------


def test_a_colleague_joins_through_the_emailed_link_with_a_new_account(
    mailbox, client_for, organisation, owner
):
    response = client_for(owner).post(
        invitations_url(organisation), {"email": "Khadija@Amalou.ma", "role": "member"}
    )
    assert response.status_code == 201
    body = response.json()
    assert body["email"] == "khadija@amalou.ma"
    assert body["status"] == "pending"
    expires = datetime.datetime.fromisoformat(body["expires_at"])
    assert (
        datetime.timedelta(days=6, hours=23)
        < expires - timezone.now()
        <= datetime.timedelta(days=7)
    )

    email = mailbox.messages_to("khadija@amalou.ma")[-1]
    assert email["Content-Language"] == "ar"  # the inviter's language
    assert organisation.name in email["Subject"]
    link = mailbox.last_link_to("khadija@amalou.ma")
    assert link.startswith("/invitations/")

    browser = Client()
    page = browser.get(link)
    assert page.status_code == 200
    assert organisation.name in page.content.decode()
    joined = browser.post(
        link,
        {
            "first_name": "Khadija",
            "last_name": "Oubaha",
            "username": "khadija",
            "password1": "souss-massa-2026",
            "password2": "souss-massa-2026",
        },
    )
    assert joined.status_code == 302
    khadija = User.objects.get(username="khadija")
    assert khadija.email == "khadija@amalou.ma"
    assert Membership.objects.get(user=khadija).organisation == organisation
    assert browser.get("/").status_code == 200  # signed in
    # The link is spent.
    reused = Client().get(link)
    assert reused.status_code == 410
    assert "déjà été utilisée" in reused.content.decode()


def test_someone_with_an_account_signs_in_and_joins_with_the_invited_role(
    mailbox, client_for, organisation, owner
):
    hamid = UserFactory(username="hamid", email="hamid@example.ma")
    client_for(owner).post(
        invitations_url(organisation), {"email": "hamid@example.ma", "role": "owner"}
    )
    link = mailbox.last_link_to("hamid@example.ma")
    browser = Client()
    page = browser.get(link).content.decode()
    assert "/login/?next=" in page
    browser.post("/login/", {"username": "hamid", "password": PASSWORD})
    assert browser.post(link).status_code == 302
    assert Membership.objects.get(user=hamid, organisation=organisation).role == "owner"


def test_a_link_opened_while_signed_in_as_another_account_joins_nobody(
    mailbox, client_for, organisation, owner
):
    client_for(owner).post(
        invitations_url(organisation), {"email": "hamid@example.ma", "role": "owner"}
    )
    link = mailbox.last_link_to("hamid@example.ma")
    # A colleague's browser, signed in to her own account, opens the forwarded link.
    salma = UserFactory(username="salma", email="salma@example.ma")
    browser = Client()
    browser.force_login(salma)
    page = browser.get(link)
    assert page.status_code == 403
    text = page.content.decode()
    assert 'data-code="invitation_other_account"' in text
    assert "hamid@example.ma" in text
    assert 'action="/logout/"' in text and f'name="next" value="{link}"' in text
    assert browser.post(link).status_code == 403
    assert not Membership.objects.filter(user=salma).exists()
    assert Invitation.objects.get().status == InvitationStatus.PENDING

    # Signing out from that page comes back to the link, which then offers the right choices.
    signed_out = browser.post("/logout/", {"next": link})
    assert signed_out.status_code == 302 and signed_out["Location"] == link
    assert browser.get(link).status_code == 200
    hamid = UserFactory(username="hamid", email="Hamid@Example.ma")
    browser.force_login(hamid)
    assert browser.post(link).status_code == 302
    assert Membership.objects.get(user=hamid, organisation=organisation).role == "owner"


def test_the_service_refuses_an_account_at_another_address(organisation, owner):
    from caiac.errors import NotAllowed
    from caiac.frontdoor import services, tokens

    invitation = services.invitation_create(
        by=owner, organisation=organisation, email="hamid@example.ma"
    )
    intruder = UserFactory(username="intruder", email="")
    with pytest.raises(NotAllowed) as refused:
        services.invitation_accept(token=tokens.invitation_token(invitation), by=intruder)
    assert refused.value.code == "invitation_other_account"
    assert not Membership.objects.filter(user=intruder).exists()


@pytest.mark.parametrize(
    ("spoil", "code", "words"),
    [
        ("expired", "invitation_expired", "expiré"),
        ("revoked", "invitation_revoked", "retirée"),
        ("used", "invitation_used", "déjà été utilisée"),
        ("garbled", "invitation_invalid", "pas valide"),
    ],
)
def test_a_spoiled_link_is_refused_with_a_clear_message(
    mailbox, client_for, organisation, owner, spoil, code, words
):
    client_for(owner).post(invitations_url(organisation), {"email": "new@example.ma"})
    link = mailbox.last_link_to("new@example.ma")
    invitation = Invitation.objects.get()
    later = timezone.now()
    if spoil == "expired":
        later += datetime.timedelta(days=7, minutes=1)
    elif spoil == "revoked":
        assert (
            client_for(owner).delete(f"{invitations_url(organisation)}{invitation.pk}/").status_code
            == 204
        )
    elif spoil == "used":
        user = UserFactory(username="first", email="new@example.ma")
        browser = Client()
        browser.force_login(user)
        assert browser.post(link).status_code == 302
    else:
        link = link[:-6] + "XXXXX/"
    someone = UserFactory(username="latecomer")
    browser = Client()
    browser.force_login(someone)
    with time_machine.travel(later, tick=False):
        page = browser.get(link)
        posted = browser.post(link)
    for response in (page, posted):
        assert response.status_code == 410
        text = response.content.decode()
        assert f'data-code="{code}"' in text
        assert words in text
    assert not Membership.objects.filter(user=someone).exists()


def test_inviting_a_current_member_or_a_pending_address_is_a_409(client_for, organisation, owner):
    member = member_of(organisation, username="aicha")
    client = client_for(owner)
    assert (
        client.post(invitations_url(organisation), {"email": member.email}).json()["code"]
        == "already_member"
    )
    client.post(invitations_url(organisation), {"email": "new@example.ma"})
    again = client.post(invitations_url(organisation), {"email": "NEW@example.ma"})
    assert again.status_code == 409
    assert again.json()["code"] == "invitation_pending"


def test_an_expired_invitation_can_be_sent_again(client_for, organisation, owner):
    client = client_for(owner)
    client.post(invitations_url(organisation), {"email": "new@example.ma"})
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8), tick=False):
        assert (
            client.post(invitations_url(organisation), {"email": "new@example.ma"}).status_code
            == 201
        )
        assert client.get(invitations_url(organisation)).json()[0]["email"] == "new@example.ma"


# --- Owners manage members; an organisation always keeps an owner ------------------------------


def members_url(organisation, user) -> str:
    return f"/api/v1/organisations/{organisation.pk}/members/{user.pk}/"


def test_an_owner_changes_roles_and_removes_members(client_for, organisation, owner, plain_member):
    client = client_for(owner)
    promoted = client.patch(members_url(organisation, plain_member), {"role": "owner"})
    assert promoted.status_code == 200
    assert promoted.json()["role"] == "owner"
    assert client.delete(members_url(organisation, plain_member)).status_code == 204
    assert not Membership.objects.filter(user=plain_member).exists()


def test_the_last_owner_can_neither_step_down_nor_leave(client_for, organisation, owner):
    client = client_for(owner)
    demoted = client.patch(members_url(organisation, owner), {"role": "member"})
    assert demoted.status_code == 409
    assert demoted.json()["code"] == "last_owner"
    assert client.delete(members_url(organisation, owner)).status_code == 409
    assert Membership.objects.get(user=owner).role == "owner"


def test_with_two_owners_one_may_step_down(client_for, organisation, owner, plain_member):
    client_for(owner).patch(members_url(organisation, plain_member), {"role": "owner"})
    assert (
        client_for(owner).patch(members_url(organisation, owner), {"role": "member"}).status_code
        == 200
    )
    assert (
        client_for(plain_member)
        .patch(members_url(organisation, plain_member), {"role": "member"})
        .status_code
        == 409
    )


@pytest.mark.parametrize(
    ("who", "expected"),
    [("plain_member", 403), ("other_owner", 404), ("staff", 200), ("anonymous", 401)],
)
def test_who_may_change_a_role(
    request, client_for, api_client, organisation, owner, plain_member, who, expected
):
    client = api_client if who == "anonymous" else client_for(request.getfixturevalue(who))
    response = client.patch(members_url(organisation, plain_member), {"role": "owner"})
    assert response.status_code == expected


def test_a_member_may_leave_but_not_remove_others(client_for, organisation, owner, plain_member):
    other = member_of(organisation, username="salma")
    client = client_for(plain_member)
    assert client.delete(members_url(organisation, other)).status_code == 403
    assert client.delete(members_url(organisation, plain_member)).status_code == 204


# --- The page ------------------------------------------------------------------------------


def test_an_owner_invites_and_withdraws_from_the_people_page(mailbox, organisation, owner):
    browser = Client()
    browser.force_login(owner)
    url = f"/organisations/{organisation.pk}/people/"
    assert browser.post(url, {"email": "new@example.ma", "role": "member"}).status_code == 302
    invitation = Invitation.objects.get()
    page = browser.get(url).content.decode()
    assert "new@example.ma" in page
    browser.post(f"/organisations/{organisation.pk}/invitations/{invitation.pk}/revoke/")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED


def test_the_people_page_is_read_only_for_members_and_hidden_from_outsiders(
    organisation, owner, plain_member, other_owner
):
    url = f"/organisations/{organisation.pk}/people/"
    member_browser = Client()
    member_browser.force_login(plain_member)
    page = member_browser.get(url)
    assert page.status_code == 200
    assert "new-invite" not in page.content.decode()
    assert 'name="email"' not in page.content.decode()
    assert member_browser.post(url, {"email": "x@example.ma"}).status_code == 403
    outsider = Client()
    outsider.force_login(other_owner)
    assert outsider.get(url).status_code == 404
    assert not OrganisationFactory._meta.model.objects.filter(invitations__isnull=False).exists()
