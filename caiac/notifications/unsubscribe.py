"""One-click unsubscribe (RFC 8058): a signed link per person and kind of message.

Every email carries ``List-Unsubscribe: <https://.../notifications/unsubscribe/TOKEN/>`` and
``List-Unsubscribe-Post: List-Unsubscribe=One-Click``. A mail provider's "unsubscribe" button
POSTs to that address without cookies; the page behind the same link lets a person do it by
hand. Either way the kind is turned off *by email* only (it stays in the app), exactly as on the
preferences page. The token is the credential: it names one person and one kind, is signed with
the secret key and never expires (a link in an old email must still work).
"""

import re

from django.conf import settings
from django.core import signing
from django.urls import reverse

from caiac.notifications.kinds import KIND_PATTERN
from caiac.notifications.models import Message

SALT = "caiac.notifications.unsubscribe"


def may_turn_off(kind: str) -> bool:
    """Kinds a person may stop receiving by email (all of ours, today; see kinds.py)."""
    return bool(re.match(KIND_PATTERN, kind))


def unsubscribe_token(*, user_id: int, kind: str) -> str:
    return signing.dumps({"u": user_id, "k": kind}, salt=SALT, compress=True)


def unsubscribe_token_read(token: str) -> tuple[int, str] | None:
    """(user id, kind) from a token, or None when it was not made by us."""
    try:
        data = signing.loads(token, salt=SALT)
        user_id, kind = int(data["u"]), str(data["k"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return (user_id, kind) if may_turn_off(kind) else None


def unsubscribe_url(message: Message) -> str:
    """The link for this email; none for a message to a bare address (no person's choice)."""
    if message.recipient_id is None or not may_turn_off(message.kind):
        return ""
    token = unsubscribe_token(user_id=message.recipient_id, kind=message.kind)
    return settings.SITE_URL + reverse("frontend:notifications-unsubscribe", args=[token])
