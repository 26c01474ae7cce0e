"""A training session holds the machine it is given on — through booking, without importing it.

Which machine a session takes, and the guarantee that nobody books it meanwhile, belong to
booking: the session's hold is a row of booking's own table (kind ``training``), so booking's one
exclusion constraint keeps bookings and trainings apart on PostgreSQL. Trainings never imports
booking (docs/contracts.md), so booking registers a *holder* here from its ``AppConfig.ready``,
and the session services call ``sync`` in their own transaction after every save: a refusal
(``slot_unavailable``, ``machine_closed``, ...) is a ``DomainError`` that rolls the session
change back with it. The machine is named by its id (or the booking model instance).
"""

from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import User
from caiac.errors import Invalid
from trainings.models import Session

UNCHANGED: Any = object()


class MachineHolder(Protocol):
    def sync(self, *, session: Session, by: User, equipment: Any = UNCHANGED) -> None:
        """Make the session's hold match the session: take ``equipment`` (None: release it;
        UNCHANGED: keep the machine it has), at the session's time, live while it is."""


_holder: MachineHolder | None = None


def register(holder: MachineHolder) -> None:
    global _holder
    _holder = holder


def sync(*, session: Session, by: User, equipment: Any = UNCHANGED) -> None:
    if _holder is not None:
        _holder.sync(session=session, by=by, equipment=equipment)
    elif equipment is not UNCHANGED and equipment is not None:
        raise Invalid(
            _("Machines cannot be reserved for trainings here."),
            fields={"equipment": [_("Not available.")]},
        )
