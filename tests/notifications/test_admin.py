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
