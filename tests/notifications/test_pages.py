import pytest

from caiac.notifications.models import Message, MessageStatus
from caiac.notifications.selectors import email_disabled_kinds
from tests.factories import PASSWORD
from tests.notifications.conftest import minutes, now

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, member):
    client.login(username=member.username, password=PASSWORD)
    return client


def test_the_page_lists_my_notifications_and_the_nav_shows_the_unread_count(
    signed_in, member, other_member, schedule
):
    schedule(member, key="a", context={"title": "Distillateur prêt", "text": "Huile d'argan"})
    schedule(member, key="b", due_at=now() + minutes(60), context={"title": "Plus tard"})
    schedule(other_member, key="c", context={"title": "Pas pour vous"})
    page = signed_in.get("/notifications/").content.decode()
    assert "CAIAC Lab : Distillateur prêt" in page
    assert "Huile d&#x27;argan" in page  # escaped on the web page
    assert "Plus tard" not in page
    assert "Pas pour vous" not in page
    assert 'id="unread-badge" class="badge rounded-pill text-bg-danger"' in page
    assert ">1</span>" in page


def test_marking_read_with_htmx_returns_the_updated_item(signed_in, member, schedule):
    message = schedule(member)
    response = signed_in.post(f"/notifications/{message.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'id="notification-{message.pk}"' in html
    assert "Mark as read" not in html
    assert response["HX-Trigger"] == "notifications-read"
    assert Message.objects.get(pk=message.pk).read_at is not None


def test_marking_someone_elses_notification_is_not_found(signed_in, other_member, schedule):
    theirs = schedule(other_member)
    response = signed_in.post(f"/notifications/{theirs.pk}/read/", HTTP_HX_REQUEST="true")
    assert response.status_code == 404
    assert Message.objects.get(pk=theirs.pk).read_at is None


def test_mark_all_read(signed_in, member, schedule):
    schedule(member, key="a")
    schedule(member, key="b")
    response = signed_in.post("/notifications/read-all/", follow=True)
    assert "2 notification(s) marquée(s) comme lue(s)." in response.content.decode()
    assert not Message.objects.filter(read_at__isnull=True).exists()


def test_the_badge_fragment_counts_unread(signed_in, member, schedule):
    schedule(member)
    assert ">1</span>" in signed_in.get("/notifications/badge/").content.decode()


def test_the_preferences_form_turns_email_off_for_unchecked_kinds(signed_in, member):
    page = signed_in.get("/notifications/preferences/").content.decode()
    assert "Rappel de réservation, une heure avant" in page
    from caiac.notifications.kinds import KINDS

    checked = {kind: "on" for kind in KINDS if kind != "booking.reminder_1h"}
    response = signed_in.post("/notifications/preferences/", checked, follow=True)
    assert "Vos préférences sont enregistrées." in response.content.decode()
    assert email_disabled_kinds(user=member) == ["booking.reminder_1h"]


def test_pages_need_sign_in(client):
    for url in ["/notifications/", "/notifications/preferences/", "/notifications/badge/"]:
        assert client.get(url).status_code == 302


def test_staff_see_failed_emails_and_resend_them(client, staff, member, schedule):
    message = schedule(member)
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.FAILED, attempts=5, last_error="SMTPServerDisconnected: closed"
    )
    client.login(username=staff.username, password=PASSWORD)
    page = client.get("/notifications/").content.decode()
    assert "SMTPServerDisconnected: closed" in page
    response = client.post(f"/notifications/{message.pk}/resend/", follow=True)
    assert "sera renvoyé d\u2019ici une minute" in response.content.decode()
    assert Message.objects.get(pk=message.pk).status == MessageStatus.PENDING


def test_members_cannot_resend(signed_in, member, schedule):
    message = schedule(member)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED)
    response = signed_in.post(f"/notifications/{message.pk}/resend/")
    assert response.status_code == 403
    assert Message.objects.get(pk=message.pk).status == MessageStatus.FAILED
