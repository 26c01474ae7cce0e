"""Is a message still worth sending? Asked once more at send time.

A message is written when something happens and may be sent minutes (a reminder: days) later.
By then it may no longer apply: the reminder of a booking or a session that was cancelled, "a
seat is yours" for someone who has since given the seat up, a certification about to expire that
was renewed. The services that cancel such things drop the pending messages in the same
transaction (``messages_drop``); this is the second line, for whatever slipped past: the app that
sends a kind registers a check for it (in its ``AppConfig.ready``, since notifications imports
no app), and the send claim cancels a message whose check says no — it is never sent.

A check takes the outbox row (``kind``, ``context``, ``object_id`` of ``about``) and answers
True (send) or False (drop). It runs inside the claim's short transaction: one or two queries.
"""

from collections.abc import Callable

from caiac.notifications.models import Message

Check = Callable[[Message], bool]
_checks: dict[str, Check] = {}

DROPPED_NOTE = "Dropped at send time: it no longer applies."


def register(kind: str, check: Check) -> None:
    _checks[kind] = check


def still_applies(message: Message) -> bool:
    check = _checks.get(message.kind)
    return True if check is None else bool(check(message))
