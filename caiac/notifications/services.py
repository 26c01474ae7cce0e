"""Writing to the outbox. Other apps call these inside their own transactions."""

import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.utils import timezone

from caiac.accounts.models import User
from caiac.notifications.models import Message, MessageStatus


@transaction.atomic
def message_schedule(
    *,
    recipient: User,
    kind: str,
    dedup_key: str,
    due_at: datetime.datetime | None = None,
    context: dict[str, Any] | None = None,
    about: models.Model | None = None,
    send_before: datetime.datetime | None = None,
) -> Message:
    """Create the message, or move a still-pending one with the same key. A sent one stays."""
    values = {
        "recipient": recipient,
        "kind": kind,
        "language": recipient.language,
        "due_at": due_at or timezone.now(),
        "send_before": send_before,
        "context": context or {},
        "content_type": ContentType.objects.get_for_model(about) if about is not None else None,
        "object_id": about.pk if about is not None else None,
    }
    message = Message.objects.select_for_update().filter(dedup_key=dedup_key).first()
    if message is None:
        return Message.objects.create(dedup_key=dedup_key, **values)
    if message.status in (MessageStatus.PENDING, MessageStatus.CANCELLED, MessageStatus.EXPIRED):
        for field, value in values.items():
            setattr(message, field, value)
        message.status = MessageStatus.PENDING
        message.save()
    return message


@transaction.atomic
def messages_drop(*, dedup_prefix: str) -> int:
    """Cancel every still-pending message whose key starts with ``dedup_prefix``."""
    return Message.objects.filter(
        dedup_key__startswith=dedup_prefix, status=MessageStatus.PENDING
    ).update(status=MessageStatus.CANCELLED)
