"""Helpers shared by the incubation services: reasons, changed fields, local time."""

import datetime

from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac.errors import Invalid


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
