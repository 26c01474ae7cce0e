"""A draft invoice's lines and totals, re-derived from its charges."""

from decimal import Decimal

from django.db import transaction
from django.db.models import F

from billing.models import Invoice, InvoiceLine, InvoiceStatus
from billing.money import amounts_from_ht


def totals_of(lines: list[InvoiceLine]) -> tuple[Decimal, Decimal, Decimal]:
    ht = sum((line.amount_ht for line in lines), Decimal("0.00"))
    vat = sum((line.amount_vat for line in lines), Decimal("0.00"))
    return ht, vat, ht + vat


def lock_draft(invoice_id: int) -> Invoice | None:
    """The draft invoice, its row locked (SELECT ... FOR UPDATE) until the transaction ends; or
    None if it is no longer a draft.

    Whoever adds, removes or reads a draft's lines takes this lock first, as issuing does
    (``invoices._lock``): an issuer waits for a draft being built and then numbers the lines as
    built, and a builder that waited for an issuer finds the invoice issued (None) instead of
    changing an issued document. Two builders of the same draft queue instead of each deleting
    and writing lines from their own snapshot. Lock order: charges first, then the invoice.
    On PostgreSQL the row is re-read after the wait, so a status changed meanwhile is seen.
    """
    assert transaction.get_connection().in_atomic_block, "a lock lasts as long as a transaction"
    return (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk=invoice_id, status=InvoiceStatus.DRAFT)
        .first()
    )


def invoice_rebuild(*, invoice: Invoice) -> Invoice:
    """Lines = the draft's charges that are not waived, in date order; totals = their sums.

    Callers hold the transaction, the lock on the charges they moved and the draft's own lock
    (``lock_draft``).
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
