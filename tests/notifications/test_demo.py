import pytest
from django.core.management import call_command

from caiac.notifications.models import Message

pytestmark = pytest.mark.django_db


def test_the_demo_queues_one_welcome_per_person_and_running_it_again_changes_nothing():
    call_command("seed_demo", verbosity=0)
    first = list(Message.objects.order_by("id").values_list("id", "dedup_key", "due_at"))
    assert any(key.startswith("demo:welcome:user:") for _id, key, _due in first)
    call_command("seed_demo", verbosity=0)
    assert list(Message.objects.order_by("id").values_list("id", "dedup_key", "due_at")) == first
