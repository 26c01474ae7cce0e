"""A draft invoice's lines and totals, re-derived from its charges."""

from decimal import Decimal

from django.db.models import F

from billing.models import Invoice, InvoiceLine, InvoiceStatus
from billing.money import amounts_from_ht


def totals_of(lines: list[InvoiceLine]) -> tuple[Decimal, Decimal, Decimal]:
    ht = sum((line.amount_ht for line in lines), Decimal("0.00"))
    vat = sum((line.amount_vat for line in lines), Decimal("0.00"))
    return ht, vat, ht + vat


def invoice_rebuild(*, invoice: Invoice) -> Invoice:
    """Lines = the draft's charges that are not waived, in date order; totals = their sums.

    Callers hold the transaction (and the lock on the charges they moved).
    """
    assert invoice.status == InvoiceStatus.DRAFT, "only a draft is rebuilt"
    invoice.lines.all().delete()
    lines = []
    # By day; a booking's machine time before the materials charged with it.
    charges = invoice.charges.filter(waived_at__isnull=True).order_by(
        "service_date", F("booking_id").asc(nulls_last=True), "kind", "id"
    )
    for position, charge in enumerate(charges):
        # The charge's amount is the truth (a booking's stored price), not quantity x price.
        amounts = amounts_from_ht(charge.amount, charge.vat_rate)
        lines.append(
            InvoiceLine(
                invoice=invoice,
                charge=charge,
                position=position,
                description=charge.description,
                service_date=charge.service_date,
                quantity=charge.quantity,
                unit=charge.unit,
                unit_price=charge.unit_price,
                vat_rate=charge.vat_rate,
                amount_ht=amounts.ht,
                amount_vat=amounts.vat,
                amount_ttc=amounts.ttc,
            )
        )
    InvoiceLine.objects.bulk_create(lines)
    invoice.total_ht, invoice.total_vat, invoice.total_ttc = totals_of(lines)
    invoice.save(update_fields=["total_ht", "total_vat", "total_ttc", "updated_at"])
    return invoice
