"""Demo billing: a price list, invoicing details, and last month invoiced. Idempotent.

Last month's machine time is recorded as bookings already completed (the demo's past: a booking
cannot be made in the past through the services); everything after that — charges, drafts,
issuing with its number and PDF, a partial payment — goes through billing's services.
"""

import contextlib
import datetime
from decimal import Decimal

from django.utils import timezone

from billing import services
from billing.models import CustomerProfile, Invoice, PriceItem
from booking.models import Booking, BookingEvent, BookingStatus, Equipment, EquipmentStatus
from caiac import clock
from caiac.errors import DomainError

D = Decimal
PRICE_LIST = [
    # name, unit, unit price (MAD, excl. VAT), VAT %
    ("Pots en verre ambré 50 ml", "pièce", D("3.35"), D("20")),
    ("Flacons airless 30 ml", "pièce", D("6.80"), D("20")),
    ("Sachets kraft zip 250 g", "pièce", D("1.20"), D("20")),
    ("Étiquettes imprimées (rouleau de 500)", "rouleau", D("95.00"), D("20")),
    ("Azote liquide", "litre", D("12.50"), D("20")),
    ("Analyse microbiologique (laboratoire partenaire)", "analyse", D("350.00"), D("20")),
    ("Huile d'argan vierge (matière première)", "litre", D("180.00"), D("0")),
]
PROFILES = {
    "Coopérative Féminine Amalou Argan": (
        "Douar Amalou, commune de Tafingoult, Taroudant",
        "002145678000031",
        "ar",
    ),
    "Atlas Essences SARL": ("Technopole d'Agadir, lot 12, Agadir", "001987654000052", "fr"),
}
# organisation, machine index (by name), day of the month, hour, hours, materials
LAST_MONTH = [
    ("Coopérative Féminine Amalou Argan", 0, 5, 9, 3, [(0, D("200")), (3, D("1"))]),
    ("Coopérative Féminine Amalou Argan", 1, 12, 14, 2, []),
    ("Atlas Essences SARL", 2, 9, 9, 2, [(1, D("120")), (4, D("6"))]),
    ("Atlas Essences SARL", 0, 19, 10, 4, [(5, D("1"))]),
]


def _price_list() -> list[PriceItem]:
    items = []
    for name, unit, price, vat in PRICE_LIST:
        item, _ = PriceItem.objects.get_or_create(
            name=name, defaults={"unit": unit, "unit_price": price, "vat_rate": vat}
        )
        items.append(item)
    return items


def _profiles(ctx) -> None:
    for name, (address, ice, language) in PROFILES.items():
        organisation = ctx.organisations.get(name)
        if organisation is not None:
            CustomerProfile.objects.get_or_create(
                organisation=organisation,
                defaults={"address": address, "ice": ice, "language": language},
            )


def _first_weekday_on_or_after(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _last_month(ctx, items: list[PriceItem]) -> str:
    staff = ctx.users.get("staff")
    year, month = services.previous_month(timezone.localdate())
    first, _last = services.month_bounds(year, month)
    if staff is None or Invoice.objects.filter(period_start=first).exists():
        return "already invoiced"
    machines = list(
        Equipment.objects.filter(
            status=EquipmentStatus.AVAILABLE, required_course__isnull=True, hourly_rate_member__gt=0
        ).order_by("pk")[:3]
    )
    if len(machines) < 3:
        return "no machines"
    for name, index, day, hour, hours, materials in LAST_MONTH:
        organisation = ctx.organisations.get(name)
        booker = organisation and organisation.memberships.order_by("pk").first()
        if booker is None:
            continue
        machine = machines[index]
        date = _first_weekday_on_or_after(first.replace(day=day))
        start = clock.wall_clock(date, datetime.time(hour, 0))
        end = start + datetime.timedelta(hours=hours)
        if Booking.objects.filter(
            equipment=machine, start__lt=end, blocked_until__gt=start
        ).exists():
            continue
        member = organisation.is_member_on(date)
        rate = machine.hourly_rate_member if member else machine.hourly_rate_non_member
        booking = Booking.objects.create(
            equipment=machine,
            organisation=organisation,
            booked_by=booker.user,
            start=start,
            end=end,
            blocked_until=end + datetime.timedelta(minutes=machine.buffer_minutes),
            status=BookingStatus.COMPLETED,
            price=rate * hours,
            hourly_rate=rate,
            member_rate=member,
            checked_in_at=start,
            notes="Demo: last month",
        )
        BookingEvent.objects.create(
            booking=booking, actor=staff, from_status="", to_status=BookingStatus.COMPLETED
        )
        for item_index, quantity in materials:
            services.charge_add(
                by=staff, booking=booking, item=items[item_index], quantity=quantity
            )
    drafts = services.invoices_draft_month(year=year, month=month)
    issued = None
    for draft in drafts:
        if draft.organisation.name == "Atlas Essences SARL":
            with contextlib.suppress(DomainError):  # the demo stays loadable
                issued = services.invoice_issue(by=staff, invoice=draft)
    if issued is not None:
        services.payment_record(
            by=staff,
            invoice=issued,
            amount=(issued.total_ttc / 2).quantize(D("0.01")),
            paid_on=timezone.localdate(),
            method="transfer",
            reference="VIR demo",
        )
    return f"{len(drafts)} invoices drafted for {first:%m/%Y}" + (
        f", {issued.number} issued and half paid" if issued else ""
    )


def seed(ctx) -> list[str]:
    items = _price_list()
    _profiles(ctx)
    return [f"Billing: {len(items)} price-list items; last month: {_last_month(ctx, items)}"]
