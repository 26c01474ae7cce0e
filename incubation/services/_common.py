"""Helpers shared by the incubation services: who may act for an organisation, local time."""

import datetime

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac.accounts.models import Organisation, User
from caiac.accounts.selectors import user_belongs_to
from caiac.errors import Invalid, NotAllowed, NotFound


def require_staff(user: User) -> None:
    if not user.is_cluster_staff:
        raise NotAllowed(_("Only cluster staff can do this."), code="staff_only")


def require_member_or_staff(user: User, organisation: Organisation) -> None:
    """Acting for an organisation: its members and staff; anyone else is told it does not exist."""
    if user.is_cluster_staff or user_belongs_to(user=user, organisation=organisation):
        return
    raise NotFound()


def month_bounds(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    first = day.replace(day=1)
    next_first = (first + datetime.timedelta(days=32)).replace(day=1)
    return first, next_first - datetime.timedelta(days=1)


def today() -> datetime.date:
    return timezone.localdate()


def set_fields(instance: Model, data: dict, allowed: tuple[str, ...]) -> list[str]:
    changed = []
    for field in allowed:
        if field in data and getattr(instance, field) != data[field]:
            setattr(instance, field, data[field])
            changed.append(field)
    return changed


def require_reason(reason: str, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(
            _("Please give a reason."),
            code="reason_required",
            fields={field: [str(_("Required."))]},
        )
    return reason
