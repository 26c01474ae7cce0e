"""Documents and files of billing: the stored PDF, the accountant's journal (CSV, XLSX)."""

import csv
import datetime
import io

from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from billing.models import Invoice, InvoiceKind, InvoiceStatus, Payment
from caiac.errors import Conflict
from caiac.exports import Table, csv_cell


def invoice_pdf_bytes(invoice: Invoice) -> bytes:
    """The PDF as issued; re-drawn from the frozen document if the file went missing."""
    if invoice.status == InvoiceStatus.DRAFT:
        raise Conflict(_("A draft has no document yet: issue it first."), code="invalid_state")
    if invoice.pdf and default_storage.exists(invoice.pdf.name):
        with default_storage.open(invoice.pdf.name, "rb") as stored:
            return stored.read()
    from billing.pdf import invoice_pdf

    return invoice_pdf(invoice)


def _journal_headers() -> list[str]:
    return [
        _("Date"),
        _("Type"),
        _("Number"),
        _("Organisation"),
        _("ICE"),
        _("Total excl. VAT"),
        _("VAT"),
        _("Total incl. VAT"),
        _("Payment method"),
        _("Reference"),
        _("Invoice"),
    ]


def journal_rows(*, start: datetime.date, end: datetime.date) -> list[list]:
    """Every invoice, credit note (negative) and payment dated in [start, end], by date."""
    rows = []
    documents = Invoice.objects.exclude(status=InvoiceStatus.DRAFT).filter(
        issue_date__gte=start, issue_date__lte=end
    )
    for document in documents.select_related("credited_invoice").order_by("issue_date", "number"):
        sign = -1 if document.kind == InvoiceKind.CREDIT_NOTE else 1
        rows.append(
            [
                document.issue_date,
                document.get_kind_display(),
                document.number,
                document.customer_name,
                document.customer_ice,
                sign * document.total_ht,
                sign * document.total_vat,
                sign * document.total_ttc,
                "",
                document.reason,
                document.credited_invoice.number if document.credited_invoice else "",
            ]
        )
    payments = Payment.objects.filter(paid_on__gte=start, paid_on__lte=end).select_related(
        "invoice"
    )
    for payment in payments.order_by("paid_on", "pk"):
        rows.append(
            [
                payment.paid_on,
                _("Payment"),
                "",
                payment.invoice.customer_name,
                payment.invoice.customer_ice,
                None,
                None,
                payment.amount,
                payment.get_method_display(),
                payment.reference,
                payment.invoice.number,
            ]
        )
    rows.sort(key=lambda row: row[0])
    return rows


def journal_csv(*, start: datetime.date, end: datetime.date) -> str:
    """One table: every invoice, credit note and payment dated in [start, end]."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads UTF-8 (accents, Arabic) only with a byte-order mark
    writer = csv.writer(out, delimiter=";")
    writer.writerow(_journal_headers())
    for row in journal_rows(start=start, end=end):
        # csv_cell: text a spreadsheet would run as a formula gets an apostrophe; amounts (a
        # credit note's -75.00) stay numbers.
        writer.writerow([csv_cell(value) for value in row])
    return out.getvalue()


def journal_table(*, start: datetime.date, end: datetime.date) -> Table:
    """The same journal for a spreadsheet (``caiac.exports.xlsx_response``: numbers stay
    numbers, dates dates, formula-like text stays text)."""
    return Table(
        title=_("Journal"), headers=_journal_headers(), rows=journal_rows(start=start, end=end)
    )
