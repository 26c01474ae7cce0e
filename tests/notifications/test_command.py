import pytest
from django.core.management import call_command

from caiac.notifications.models import Message, MessageStatus
from tests.notifications.conftest import minutes, now

pytestmark = pytest.mark.django_db


def test_the_command_sends_what_is_due_into_the_mail_sink_without_a_worker(
    member, schedule, file_sink, capsys
):
    due = schedule(member, key="due")
    later = schedule(member, key="later", due_at=now() + minutes(30))

    call_command("send_due_messages")

    assert "1 due message(s): 1 sent." in capsys.readouterr().out
    assert [path.name for path in file_sink.iterdir()] == [f"caiac.message.{due.pk}@caiac.ma.eml"]
    assert Message.objects.get(pk=due.pk).status == MessageStatus.SENT
    assert Message.objects.get(pk=later.pk).status == MessageStatus.PENDING

    call_command("send_due_messages")
    assert len(list(file_sink.iterdir())) == 1
