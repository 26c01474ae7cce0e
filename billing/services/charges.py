"""Charges: collected from what bookings and trainings record, or added by staff.

Booking and trainings never call billing. Collection reads their state (completed, no-show and
late-cancelled bookings; attendance marked present on a course with a fee) and writes at most
one charge per booking / enrolment and kind, guarded by unique constraints, so running it any
number of times, from the monthly task or on demand, charges each thing once.
"""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, Subquery, When
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from billing.models import Charge, ChargeKind, CustomerProfile, Invoice, PriceItem
from billing.money import HUNDRED, default_vat_rate, line_amounts, round_money
from billing.services.lines import invoice_rebuild, lock_draft
from booking.models import Booking, BookingEvent, BookingStatus, Closure
from caiac import access, formatting
from caiac.accounts.models import Membership, MembershipRole, Organisation, User
from caiac.clock import local_date, local_tz
from caiac.errors import Conflict, Invalid, is_unique_violation
from trainings.models import Enrolment

logger = logging.getLogger(__name__)

HOUR = Decimal(3600)
QUANTITY = Decimal("0.001")


def _hours(booking: Booking) -> Decimal:
    return (Decimal((booking.end - booking.start).total_seconds()) / HOUR).quantize(QUANTITY)


def _when(booking: Booking) -> str:
    """The wall-clock hours (the date is the charge's own field)."""
    start, end = booking.start.astimezone(local_tz()), booking.end.astimezone(local_tz())
    return f"{start:%H:%M}-{end:%H:%M}"


def _invoice_language(organisation_id: int) -> str:
    profile = CustomerProfile.objects.filter(organisation_id=organisation_id).first()
    return profile.language if profile else settings.LANGUAGE_CODE


ONCE = ("charge_once_per_booking_and_kind", "charge_once_per_enrolment")


def _hours_at_rate(amount: Decimal, rate: Decimal) -> tuple[Decimal, str, Decimal]:
    """Quantity, unit and unit price of machine time, such that quantity x unit price = the
    booking's stored price (the line's total) to the centime.

    The hours billed are the price over the rate (free lab hours are already out of the price),
    to the thousandth of an hour. Where no such quantity gives the price back (40 minutes at
    150 MAD/h: 0.667 h x 150 = 100.05, not the 100.00 booked), the line is the booking at its
    price (1 x 100.00); its description still says its hours."""
    if rate > 0:
        quantity = (amount / rate).quantize(QUANTITY)
        if quantity > 0 and round_money(quantity * rate) == amount:
            return quantity, "h", rate
    return Decimal(1), "", amount


def _create_once(**values) -> Charge | None:
    """The charge, or None if this booking / enrolment already has one of this kind.

    Only that clash is expected (a concurrent run collected it: the constraint kept it single);
    any other integrity error is a bug and is raised, never taken for "already charged"."""
    try:
        with transaction.atomic():
            return Charge.objects.create(**values)
    except IntegrityError as exc:
        if any(is_unique_violation(exc, Charge, name) for name in ONCE):
            return None
        logger.error("Charge not collected: %s (%s)", exc, values.get("description", ""))
        raise


def _booking_charge_values(booking: Booking, kind: str, amount: Decimal) -> dict:
    # Written once, in the language the organisation's invoices are in.
    with translation.override(_invoice_language(booking.organisation_id)):
        return _booking_charge_values_in_language(booking, kind, amount)


def _name(value: str) -> str:
    """A name inside a description in the invoice's language. In Arabic it is isolated (FSI ...
    PDI) so a French name keeps its brackets and the sentence its direction; elsewhere the
    stored text (API, journal, PDF) stays free of invisible characters."""
    return formatting.isolate(value) if translation.get_language_bidi() else value


def _booking_charge_values_in_language(booking: Booking, kind: str, amount: Decimal) -> dict:
    hours = _hours(booking)
    if kind == ChargeKind.BOOKING:
        description = gettext("%(machine)s, %(when)s (%(hours)s h)") % {
            "machine": _name(booking.equipment.name),
            "when": _when(booking),
            "hours": f"{hours.normalize():f}",
        }
        if booking.credit_hours:
            description += " — " + gettext("%(hours)s h of free lab hours deducted") % {
                "hours": f"{Decimal(booking.credit_hours).normalize():f}"
            }
        quantity, unit, unit_price = _hours_at_rate(amount, Decimal(booking.hourly_rate))
    else:
        label = ChargeKind(kind).label
        description = f"{label}: {_name(booking.equipment.name)}, {_when(booking)}"
        quantity, unit, unit_price = Decimal(1), "", amount
    return {
        "organisation_id": booking.organisation_id,
        "kind": kind,
        "booking": booking,
        "description": description[:300],
        "service_date": local_date(booking.start),
        "quantity": quantity,
        "unit": unit,
        "unit_price": unit_price,
        "vat_rate": default_vat_rate(),
        "amount": amount,
    }


def _uncharged(queryset: QuerySet[Booking], kind: str) -> QuerySet[Booking]:
    charged = Charge.objects.filter(booking=OuterRef("pk"), kind=kind)
    return queryset.filter(~Exists(charged)).select_related("equipment")


def late_cancellations() -> QuerySet[Booking]:
    """Cancelled after the machine's deadline (checked by ``_is_late``), and not by the lab
    (a closure, maintenance, new opening hours: the event's ``cause``, or a closure over it)."""
    cancellation = BookingEvent.objects.filter(
        booking=OuterRef("pk"), to_status=BookingStatus.CANCELLED
    ).order_by("-at", "-id")
    lab_closed = Closure.objects.filter(
        Q(equipment_id=OuterRef("equipment_id")) | Q(equipment__isnull=True),
        start__lt=OuterRef("end"),
        end__gt=OuterRef("start"),
    )
    candidates = (
        Booking.objects.filter(status=BookingStatus.CANCELLED, price__gt=0)
        .filter(equipment__late_cancellation_fee_percent__gt=0)
        .annotate(
            cancelled_at=Subquery(cancellation.values("at")[:1]),
            cancel_cause=Subquery(cancellation.values("cause")[:1]),
        )
        .filter(cancel_cause="")
        .filter(~Exists(lab_closed))
    )
    return candidates.select_related("equipment")


def _is_late(booking: Booking) -> bool:
    deadline = booking.start - datetime.timedelta(
        hours=booking.equipment.cancellation_deadline_hours
    )
    return booking.cancelled_at is not None and booking.cancelled_at > deadline


def _fee(booking: Booking, percent: int) -> Decimal:
    return round_money(Decimal(booking.price) * Decimal(percent) / HUNDRED)


def _organisation_paying_for(user: User) -> int | None:
    """A training fee goes to the person's organisation: the one they own, else the oldest."""
    membership = (
        Membership.objects.filter(user=user)
        .alias(not_owner=Case(When(role=MembershipRole.OWNER, then=0), default=1))
        .order_by("not_owner", "joined_at", "pk")
        .first()
    )
    return membership.organisation_id if membership else None


def _collect_course_fees() -> int:
    enrolments = (
        Enrolment.objects.filter(present=True, session__course__price__gt=0)
        .filter(~Exists(Charge.objects.filter(enrolment=OuterRef("pk"))))
        .select_related("session__course", "user")
    )
    created = 0
    for enrolment in enrolments:
        organisation_id = _organisation_paying_for(enrolment.user)
        if organisation_id is None:
            continue  # a person of no organisation: nobody to invoice (docs/billing.md)
        session, course = enrolment.session, enrolment.session.course
        price = round_money(course.price)
        with translation.override(_invoice_language(organisation_id)):
            description = gettext("Training “%(course)s”, %(start)s — %(person)s") % {
                "course": course.local_title,
                "start": f"{session.start.astimezone(local_tz()):%H:%M}",
                "person": _name(enrolment.user.display_name),
            }
        charge = _create_once(
            organisation_id=organisation_id,
            kind=ChargeKind.COURSE_FEE,
            enrolment=enrolment,
            description=description[:300],
            service_date=local_date(session.start),
            quantity=Decimal(1),
            unit="",
            unit_price=price,
            vat_rate=default_vat_rate(),
            amount=price,
        )
        created += charge is not None
    return created


def charges_collect() -> int:
    """Charges for everything billable not charged yet. Idempotent; returns how many it made."""
    created = 0
    completed = Booking.objects.filter(status=BookingStatus.COMPLETED, price__gt=0)
    for booking in _uncharged(completed, ChargeKind.BOOKING):
        values = _booking_charge_values(booking, ChargeKind.BOOKING, Decimal(booking.price))
        created += _create_once(**values) is not None
    no_shows = Booking.objects.filter(
        status=BookingStatus.NO_SHOW, price__gt=0, equipment__no_show_fee_percent__gt=0
    )
    for booking in _uncharged(no_shows, ChargeKind.NO_SHOW):
        fee = _fee(booking, booking.equipment.no_show_fee_percent)
        if fee > 0:
            values = _booking_charge_values(booking, ChargeKind.NO_SHOW, fee)
            created += _create_once(**values) is not None
    for booking in _uncharged(late_cancellations(), ChargeKind.LATE_CANCELLATION):
        if not _is_late(booking):
            continue
        fee = _fee(booking, booking.equipment.late_cancellation_fee_percent)
        if fee > 0:
            values = _booking_charge_values(booking, ChargeKind.LATE_CANCELLATION, fee)
            created += _create_once(**values) is not None
    return created + _collect_course_fees()


@transaction.atomic
def charge_add(
    *,
    by: User,
    item: PriceItem,
    quantity: Decimal,
    organisation: Organisation | None = None,
    booking: Booking | None = None,
    service_date: datetime.date | None = None,
    description: str = "",
) -> Charge:
    """Staff charge a material or service, to a booking (its organisation) or an organisation."""
    access.require_staff(by)
    if booking is None and organisation is None:
        raise Invalid(
            _("Say which organisation or booking this is for."),
            code="organisation_required",
            fields={"organisation": [_("This field is required.")]},
        )
    if booking is not None:
        if organisation is not None and organisation.pk != booking.organisation_id:
            raise Invalid(
                _("This booking is not the organisation's."),
                code="invalid",
                fields={"booking": [_("This booking is not the organisation's.")]},
            )
        organisation_id = booking.organisation_id
        service_date = service_date or local_date(booking.start)
    else:
        organisation_id = organisation.pk
    if not item.is_active:
        raise Invalid(
            _("This item is no longer offered."),
            code="item_inactive",
            fields={"item": [_("This item is no longer offered.")]},
        )
    quantity = Decimal(quantity)
    if quantity <= 0:
        raise Invalid(
            _("The quantity must be above zero."),
            code="invalid",
            fields={"quantity": [_("Must be above zero.")]},
        )
    amounts = line_amounts(quantity, item.unit_price, item.vat_rate)
    return Charge.objects.create(
        organisation_id=organisation_id,
        kind=ChargeKind.ITEM,
        booking=booking,
        item=item,
        description=(description.strip() or item.name)[:300],
        service_date=service_date or timezone.localdate(),
        quantity=quantity,
        unit=item.unit,
        unit_price=item.unit_price,
        vat_rate=item.vat_rate,
        amount=amounts.ht,
        created_by=by,
    )


def _lock_open_charge(charge: Charge) -> tuple[Charge, Invoice | None]:
    """The charge and its draft invoice (if any), both locked: charge first, then the draft,
    the order the monthly drafting takes them in. A draft issued meanwhile is refused."""
    charge = Charge.objects.select_for_update().get(pk=charge.pk)
    draft = None
    if charge.invoice_id is not None:
        draft = lock_draft(charge.invoice_id)
        if draft is None:
            raise Conflict(
                _("This charge is on an issued invoice: correct it with a credit note."),
                code="charge_invoiced",
            )
    return charge, draft


@transaction.atomic
def charge_waive(*, by: User, charge: Charge, reason: str) -> Charge:
    """Staff forgive a charge (with a reason); it leaves its draft invoice."""
    access.require_staff(by)
    if not reason or not reason.strip():
        raise Invalid(
            _("Say why the charge is waived."),
            code="invalid",
            fields={"reason": [_("This field is required.")]},
        )
    charge, draft = _lock_open_charge(charge)
    if charge.is_waived:
        raise Conflict(_("This charge is already waived."), code="charge_waived")
    charge.waived_at = timezone.now()
    charge.waived_by = by
    charge.waive_reason = reason.strip()[:300]
    charge.invoice = None
    charge.save(update_fields=["waived_at", "waived_by", "waive_reason", "invoice"])
    if draft is not None:
        invoice_rebuild(invoice=draft)
    return charge


@transaction.atomic
def charge_delete(*, by: User, charge: Charge) -> None:
    """Staff remove a material or service line typed by mistake (collected charges are waived)."""
    access.require_staff(by)
    charge, draft = _lock_open_charge(charge)
    if charge.kind != ChargeKind.ITEM:
        raise Conflict(
            _("A charge collected from a booking or a training is waived, not deleted."),
            code="charge_not_deletable",
        )
    charge.delete()
    if draft is not None:
        invoice_rebuild(invoice=draft)
