"""Monthly drafts, issuing (numbered, frozen, sent), credit notes and payments."""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from billing import messaging, selectors
from billing.models import (
    Charge,
    CustomerProfile,
    Invoice,
    InvoiceKind,
    InvoiceLine,
    InvoiceStatus,
    Payment,
    PaymentMethod,
)
from billing.money import line_amounts
from billing.services.charges import charges_collect
from billing.services.lines import invoice_rebuild, lock_draft, totals_of
from billing.services.numbering import next_number
from caiac import access
from caiac.accounts.models import Organisation, User
from caiac.errors import Conflict, Invalid, is_unique_violation

logger = logging.getLogger(__name__)


def month_bounds(year: int, month: int) -> tuple[datetime.date, datetime.date]:
    first = datetime.date(year, month, 1)
    following = datetime.date(year + month // 12, month % 12 + 1, 1)
    return first, following - datetime.timedelta(days=1)


def previous_month(today: datetime.date) -> tuple[int, int]:
    last = today.replace(day=1) - datetime.timedelta(days=1)
    return last.year, last.month


def _draft_for(organisation_id: int, first: datetime.date, last: datetime.date) -> Invoice:
    """The organisation's open draft of that period, locked (``lock_draft``), or a new one.

    A draft issued while this run waited for its lock is left alone: the charges go to a new
    draft of the period (the one-draft constraint counts drafts only)."""
    drafts = Invoice.objects.filter(
        organisation_id=organisation_id,
        kind=InvoiceKind.INVOICE,
        status=InvoiceStatus.DRAFT,
        period_start=first,
    )
    for _attempt in range(3):
        draft_id = drafts.values_list("pk", flat=True).first()
        if draft_id is not None:
            draft = lock_draft(draft_id)
            if draft is not None:
                return draft
            continue  # issued meanwhile: look again, then make a new draft
        profile = CustomerProfile.objects.filter(organisation_id=organisation_id).first()
        try:
            with transaction.atomic():
                return Invoice.objects.create(
                    organisation_id=organisation_id,
                    kind=InvoiceKind.INVOICE,
                    period_start=first,
                    period_end=last,
                    language=profile.language if profile else settings.LANGUAGE_CODE,
                )
        except IntegrityError as exc:
            # A concurrent run made it (one draft per organisation and period): use that one.
            if not is_unique_violation(exc, Invoice, "invoice_one_draft_per_period"):
                raise
    raise Conflict(_("The draft invoice kept changing: try again."), code="draft_busy")


def invoices_draft_month(*, year: int, month: int) -> list[Invoice]:
    """One draft per organisation holding its charges up to the end of that month that are on
    no invoice yet (a charge collected late joins the next draft). Running it again drafts
    nothing new; returns the drafts it created or added to.

    Locks, in this order: the charges it moves, then the draft (``lock_draft``), which issuing
    also locks: a draft is never issued half-built, and an issued one never gains a line."""
    charges_collect()
    first, last = month_bounds(year, month)
    organisation_ids = (
        Charge.objects.filter(invoice__isnull=True, waived_at__isnull=True, service_date__lte=last)
        .values_list("organisation_id", flat=True)
        .distinct()
    )
    drafts = []
    for organisation_id in sorted(set(organisation_ids)):
        with transaction.atomic():
            charges = list(
                Charge.objects.select_for_update().filter(
                    organisation_id=organisation_id,
                    invoice__isnull=True,
                    waived_at__isnull=True,
                    service_date__lte=last,
                )
            )
            if not charges:
                continue  # taken by a concurrent run
            draft = _draft_for(organisation_id, first, last)
            Charge.objects.filter(pk__in=[c.pk for c in charges]).update(invoice=draft)
            drafts.append(invoice_rebuild(invoice=draft))
    return drafts


def _lock(invoice: Invoice) -> Invoice:
    return Invoice.objects.select_for_update().select_related("organisation").get(pk=invoice.pk)


def _freeze_customer(invoice: Invoice) -> None:
    """The customer as the document states it, and (for an invoice) its language: all stored at
    issue, so the PDF, a re-drawn copy and the emails never change with later preferences. A
    credit note keeps the language of the invoice it corrects."""
    organisation = invoice.organisation
    profile = CustomerProfile.objects.filter(organisation=organisation).first()
    invoice.customer_name = (profile.legal_name if profile else "") or organisation.name
    invoice.customer_address = (profile.address if profile else "") or organisation.city
    invoice.customer_ice = profile.ice if profile else ""
    if invoice.kind == InvoiceKind.INVOICE:
        invoice.language = profile.language if profile else settings.LANGUAGE_CODE


def _issue(invoice: Invoice, *, by: User, series: str) -> Invoice:
    today = timezone.localdate()
    invoice.number = next_number(series=series, year=today.year)
    invoice.status = InvoiceStatus.ISSUED
    invoice.issue_date = today
    invoice.issued_at = timezone.now()
    invoice.issued_by = by
    if invoice.kind == InvoiceKind.INVOICE:
        invoice.due_date = today + datetime.timedelta(days=settings.BILLING_PAYMENT_DAYS)
    _freeze_customer(invoice)
    invoice.save()
    return invoice


def _store_pdf(invoice: Invoice) -> str:
    from billing.pdf import invoice_pdf

    content = invoice_pdf(invoice)
    name = default_storage.save(
        f"billing/{invoice.issue_date:%Y}/{invoice.number}.pdf", ContentFile(content)
    )
    Invoice.objects.filter(pk=invoice.pk).update(pdf=name)
    invoice.pdf.name = name
    return name


def _issue_atomically(invoice: Invoice, *, by: User, series: str, before_pdf) -> Invoice:
    """Number, freeze and render in one transaction; a failure keeps no number and no file."""
    stored: list[str] = []
    try:
        with transaction.atomic():
            invoice = before_pdf()
            _issue(invoice, by=by, series=series)
            stored.append(_store_pdf(invoice))
            messaging.announce_issued(invoice)
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    return invoice


def invoices_draft_month_now(*, by: User, year: int, month: int) -> list[Invoice]:
    """Staff draft (or complete) a month's invoices now, as the monthly task does by itself."""
    access.require_staff(by)
    return invoices_draft_month(year=year, month=month)


def invoice_issue(*, by: User, invoice: Invoice) -> Invoice:
    """Staff issue a draft: the year's next number, the customer frozen, the PDF stored and
    emailed to the organisation's owners. Never changes afterwards."""
    access.require_staff(by)

    def checked() -> Invoice:
        locked = _lock(invoice)
        if locked.status != InvoiceStatus.DRAFT or locked.kind != InvoiceKind.INVOICE:
            raise Conflict(_("Only a draft invoice can be issued."), code="invalid_state")
        if not locked.lines.exists():
            raise Conflict(_("This invoice has no line to invoice."), code="empty_invoice")
        return locked

    return _issue_atomically(invoice, by=by, series="invoice", before_pdf=checked)


def _credited_quantities(invoice: Invoice) -> dict[int, Decimal]:
    rows = (
        InvoiceLine.objects.filter(credited_line__invoice=invoice)
        .values("credited_line_id")
        .annotate(quantity=Sum("quantity"))
    )
    return {row["credited_line_id"]: row["quantity"] for row in rows}


def credit_note_create(
    *,
    by: User,
    invoice: Invoice,
    reason: str,
    lines: list[dict] | None = None,
) -> Invoice:
    """An avoir for the whole invoice, or for ``lines`` = [{"line": id, "quantity": q}]. Issued
    at once with its own number; the invoice is ``credited`` once nothing is left to credit."""
    access.require_staff(by)
    if not reason or not reason.strip():
        raise Invalid(
            _("Say why the invoice is credited."),
            code="invalid",
            fields={"reason": [_("This field is required.")]},
        )

    def build() -> Invoice:
        original = _lock(invoice)
        if original.kind != InvoiceKind.INVOICE or original.status not in (
            InvoiceStatus.ISSUED,
            InvoiceStatus.PAID,
        ):
            raise Conflict(_("Only an issued invoice can be credited."), code="invalid_state")
        remaining = _remaining_quantities(original)
        wanted = _wanted_quantities(original, lines, remaining)
        note = Invoice.objects.create(
            kind=InvoiceKind.CREDIT_NOTE,
            organisation=original.organisation,
            credited_invoice=original,
            reason=reason.strip()[:300],
            language=original.language,
            period_start=original.period_start,
            period_end=original.period_end,
        )
        made = []
        for position, (line, quantity) in enumerate(wanted):
            if quantity == line.quantity:
                ht, vat, ttc = line.amount_ht, line.amount_vat, line.amount_ttc
            else:
                amounts = line_amounts(quantity, line.unit_price, line.vat_rate)
                ht, vat, ttc = amounts.ht, amounts.vat, amounts.ttc
            made.append(
                InvoiceLine.objects.create(
                    invoice=note,
                    credited_line=line,
                    position=position,
                    description=line.description,
                    service_date=line.service_date,
                    quantity=quantity,
                    unit=line.unit,
                    unit_price=line.unit_price,
                    vat_rate=line.vat_rate,
                    amount_ht=ht,
                    amount_vat=vat,
                    amount_ttc=ttc,
                )
            )
        note.total_ht, note.total_vat, note.total_ttc = totals_of(made)
        note.save()
        _settle(original)
        return note

    return _issue_atomically(invoice, by=by, series="credit_note", before_pdf=build)


def _remaining_quantities(invoice: Invoice) -> dict[int, Decimal]:
    credited = _credited_quantities(invoice)
    return {line.pk: line.quantity - credited.get(line.pk, 0) for line in invoice.lines.all()}


def _wanted_quantities(
    invoice: Invoice, lines: list[dict] | None, remaining: dict[int, Decimal]
) -> list[tuple[InvoiceLine, Decimal]]:
    by_id = {line.pk: line for line in invoice.lines.all()}
    if not lines:
        wanted = [(by_id[pk], q) for pk, q in remaining.items() if q > 0]
    else:
        wanted = []
        for entry in lines:
            line = by_id.get(entry.get("line"))
            if line is None:
                raise Invalid(
                    _("This line is not on the invoice."),
                    code="invalid",
                    fields={
                        "lines": [
                            _("Line %(id)s is not on the invoice.") % {"id": entry.get("line")}
                        ]
                    },
                )
            quantity = Decimal(entry.get("quantity") or remaining[line.pk])
            if quantity <= 0 or quantity > remaining[line.pk]:
                raise Invalid(
                    _("A credited quantity must be above zero and at most what is left."),
                    code="invalid_quantity",
                    fields={
                        "lines": [
                            _("At most %(q)s for line %(id)s.")
                            % {"q": remaining[line.pk], "id": line.pk}
                        ]
                    },
                )
            wanted.append((line, quantity))
    if not wanted:
        raise Conflict(_("Nothing is left to credit on this invoice."), code="nothing_to_credit")
    return wanted


@transaction.atomic
def payment_record(
    *,
    by: User,
    invoice: Invoice,
    amount: Decimal,
    paid_on: datetime.date,
    method: str,
    reference: str = "",
) -> Payment:
    """Staff record money received; the invoice is ``paid`` once its balance reaches zero."""
    access.require_staff(by)
    invoice = _lock(invoice)
    if invoice.kind != InvoiceKind.INVOICE or invoice.status != InvoiceStatus.ISSUED:
        raise Conflict(
            _("Payments are recorded against an issued, unpaid invoice."), code="invalid_state"
        )
    if method not in PaymentMethod.values:
        raise Invalid(_("Unknown payment method."), code="invalid", fields={"method": []})
    amount = Decimal(amount)
    balance = selectors.invoice_balance(invoice)
    if amount <= 0 or amount > balance:
        raise Invalid(
            _("The amount must be above zero and at most the balance due (%(balance)s MAD).")
            % {"balance": balance},
            code="invalid_amount",
            fields={"amount": [_("At most %(balance)s.") % {"balance": balance}]},
        )
    if paid_on > timezone.localdate():
        raise Invalid(
            _("A payment cannot be dated in the future."),
            code="invalid",
            fields={"paid_on": [_("In the future.")]},
        )
    payment = Payment.objects.create(
        invoice=invoice,
        amount=amount,
        paid_on=paid_on,
        method=method,
        reference=reference.strip()[:100],
        recorded_by=by,
    )
    _settle(invoice)
    return payment


def _settle(invoice: Invoice) -> None:
    """The status of an issued invoice from what covers it, after a payment or a credit note:
    ``credited`` once credit notes cover every line; ``paid`` once payments and credit notes
    leave nothing due (a partial payment, or a partial credit note, leaves it ``issued`` with
    its balance); ``issued`` otherwise. The caller holds the invoice's lock."""
    if not any(left > 0 for left in _remaining_quantities(invoice).values()):
        status = InvoiceStatus.CREDITED
    elif selectors.invoice_balance(invoice) <= 0:
        status = InvoiceStatus.PAID
    else:
        status = InvoiceStatus.ISSUED
    if status != invoice.status:
        invoice.status = status
        invoice.save(update_fields=["status", "updated_at"])
    if status != InvoiceStatus.ISSUED:
        messaging.drop_overdue_reminders(invoice)


CUSTOMER_PROFILE_FIELDS = ("legal_name", "address", "ice", "email", "language")


@transaction.atomic
def customer_profile_update(*, by: User, organisation: Organisation, **data) -> CustomerProfile:
    """Invoicing details: an owner of the organisation, or staff. What an issued document says
    of the customer was frozen at its issue; the details apply to the next ones."""
    access.require_owner_of(by, organisation)
    profile, _created = CustomerProfile.objects.select_for_update().get_or_create(
        organisation=organisation
    )
    ice = (data.get("ice", profile.ice) or "").strip()
    if ice and (not ice.isdigit() or len(ice) != 15):
        raise Invalid(
            _("The ICE has 15 digits."),
            code="invalid",
            fields={"ice": [_("The ICE has 15 digits.")]},
        )
    for field in CUSTOMER_PROFILE_FIELDS:
        if field in data:
            value = data[field]
            setattr(profile, field, value.strip() if isinstance(value, str) else value)
    profile.full_clean(exclude=["organisation"])
    profile.save()
    return profile


def overdue_reminders_send() -> int:
    """Remind the owners of every overdue invoice, once per due date (outbox dedup key)."""
    sent = 0
    for invoice in selectors.overdue_invoices():
        sent += messaging.remind_overdue(invoice)
    return sent
