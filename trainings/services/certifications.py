import calendar
import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from caiac import access
from caiac.accounts.models import User
from caiac.errors import Conflict, Invalid
from trainings.models import Certification, CertificationEvent, CertificationEventKind, Course


def expiry_for(*, course: Course, issued_at: datetime.datetime) -> datetime.datetime | None:
    """``validity_months`` after ``issued_at`` on the Casablanca calendar (same wall-clock time,
    day clamped to the month's end), or None for a certification that never expires."""
    if not course.validity_months:
        return None
    local = timezone.localtime(issued_at)
    months = local.month - 1 + course.validity_months
    year, month = local.year + months // 12, months % 12 + 1
    day = min(local.day, calendar.monthrange(year, month)[1])
    naive = local.replace(tzinfo=None, year=year, month=month, day=day)
    return timezone.make_aware(naive, timezone.get_current_timezone())


def record_event(
    *, certification: Certification, kind: str, by: User | None, reason: str
) -> CertificationEvent:
    return CertificationEvent.objects.create(
        certification=certification, kind=kind, by=by, at=timezone.now(), reason=reason
    )


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise Invalid(_("Give a reason."), fields={"reason": [_("This field is required.")]})
    return reason


@transaction.atomic
def certification_grant(
    *,
    by: User,
    user: User,
    course: Course,
    reason: str,
    issued_at: datetime.datetime | None = None,
    expires_at: datetime.datetime | None = None,
) -> Certification:
    """Staff certify a person by hand (e.g. trained elsewhere). Expiry defaults to the course's."""
    access.require_staff(by)
    reason = _require_reason(reason)
    issued_at = issued_at or timezone.now()
    if expires_at is None:
        expires_at = expiry_for(course=course, issued_at=issued_at)
    elif expires_at <= issued_at:
        raise Invalid(
            _("The expiry must come after the issue date."),
            fields={"expires_at": [_("Must be after issued_at.")]},
        )
    certification = Certification.objects.create(
        user=user, course=course, issued_at=issued_at, expires_at=expires_at
    )
    record_event(
        certification=certification, kind=CertificationEventKind.GRANTED, by=by, reason=reason
    )
    return certification


@transaction.atomic
def certification_revoke(*, by: User, certification: Certification, reason: str) -> Certification:
    access.require_staff(by)
    reason = _require_reason(reason)
    certification = Certification.objects.select_for_update().get(pk=certification.pk)
    if certification.revoked_at is not None:
        raise Conflict(_("This certification is already revoked."), code="already_revoked")
    certification.revoked_at = timezone.now()
    certification.save(update_fields=["revoked_at"])
    record_event(
        certification=certification, kind=CertificationEventKind.REVOKED, by=by, reason=reason
    )
    return certification
