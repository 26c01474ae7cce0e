"""Demo notifications: a welcome message for everyone, emailed by the worker on first run."""

from caiac.accounts.demo import DemoContext
from caiac.notifications.kinds import WELCOME
from caiac.notifications.models import Message
from caiac.notifications.services import message_schedule


def seed(ctx: DemoContext) -> list[str]:
    created = 0
    for user in ctx.users.values():
        key = f"demo:welcome:user:{user.pk}"
        if Message.objects.filter(dedup_key=key).exists():
            continue  # idempotent: a second run neither adds nor moves anything
        message_schedule(recipient=user, kind=WELCOME, dedup_key=key)
        created += 1
    return [f"{created} welcome notification(s) queued (the worker emails them to var/mail)"]
