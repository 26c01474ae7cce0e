import pytest

from caiac.notifications.models import Message, MessageStatus
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_staff_resend_failed_messages_from_the_admin(client, staff, member, schedule):
    failed = schedule(member, key="failed")
    sent = schedule(member, key="sent")
    Message.objects.filter(pk=failed.pk).update(status=MessageStatus.FAILED, attempts=5)
    Message.objects.filter(pk=sent.pk).update(status=MessageStatus.SENT, sent_at=sent.due_at)
    staff.is_superuser = True
    staff.save()
    client.login(username=staff.username, password=PASSWORD)

    listing = client.get("/admin/notifications/message/?status__exact=failed")
    assert listing.status_code == 200
    response = client.post(
        "/admin/notifications/message/",
        {"action": "resend", "_selected_action": [failed.pk, sent.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert Message.objects.get(pk=failed.pk).status == MessageStatus.PENDING
    assert Message.objects.get(pk=sent.pk).status == MessageStatus.SENT


def test_staff_see_in_the_admin_that_messages_are_overdue_and_why(client, staff, member, schedule):
    from tests.notifications.conftest import minutes, now

    stuck = schedule(member, key="stuck", due_at=now() - minutes(10))
    schedule(member, key="fresh")  # due this very second: not overdue yet
    error = "Email configuration error: ImproperlyConfigured: Path for saving email messages"
    Message.objects.filter(pk=stuck.pk).update(last_error=error)
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)

    page = client.get("/admin/notifications/message/").content.decode()
    assert "1 message est en retard de plus d\u2019une minute." in page
    assert "Dernière erreur : Email configuration error: ImproperlyConfigured" in page


def test_the_admin_says_nothing_when_the_outbox_keeps_up(client, staff, member, schedule):
    schedule(member, key="fresh")
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    page = client.get("/admin/notifications/message/").content.decode()
    assert "en retard" not in page
