"""The invoice and credit-note document, drawn with fpdf2 (pure Python, installs with pip).

DejaVu Sans (vendored in billing/fonts with its licence) carries Latin and Arabic glyphs;
HarfBuzz shaping joins Arabic letters and fpdf2's bidi pass orders mixed-direction text. In
Arabic the page is laid out right to left: columns mirrored, text aligned right.
"""

from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from fpdf import FPDF

from billing.models import Invoice
from billing.money import amount_in_words
from caiac import formatting

FONTS = Path(__file__).resolve().parent / "fonts"
INK = (33, 37, 41)
MUTED = (108, 117, 125)
RULE = (206, 212, 218)
BAND = (241, 243, 245)


def _ltr(text: str) -> str:
    """Isolated left to right (U+2066 ... U+2069): in Arabic, "2026-000123" or a date keeps its
    order instead of being split at the dash by the bidi algorithm."""
    if not text or not translation.get_language_bidi():
        return text or ""
    return f"\u2066{text}\u2069"


def _money(value: Decimal) -> str:
    return _ltr(formatting.number(value, 2))


def _quantity(value: Decimal) -> str:
    return _ltr(formatting.number(Decimal(value).normalize()))


def _date(value) -> str:
    return _ltr(formatting.date(value, "SHORT_DATE_FORMAT")) if value else ""


class _Document(FPDF):
    def __init__(self, *, rtl: bool) -> None:
        super().__init__(format="A4", unit="mm")
        self.rtl = rtl
        self.add_font("DejaVu", "", FONTS / "DejaVuSans.ttf")
        self.add_font("DejaVu", "B", FONTS / "DejaVuSans-Bold.ttf")
        self.set_text_shaping(use_shaping_engine=True)
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=22)
        self.footer_text = ""

    @property
    def start_align(self) -> str:
        return "R" if self.rtl else "L"

    @property
    def end_align(self) -> str:
        return "L" if self.rtl else "R"

    def footer(self) -> None:
        self.set_y(-16)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(*MUTED)
        self.multi_cell(0, 3.5, self.footer_text, align="C")
        self.set_y(-9)
        self.cell(0, 4, f"{self.page_no()}/{{nb}}", align="C")

    def row(self, widths: list[float], texts: list[str], aligns: list[str], *, fill=False):
        """One table row from the current x; in right-to-left the column order is mirrored."""
        height = self.font_size * 1.45
        cells = list(zip(widths, texts, aligns, strict=True))
        if self.rtl:
            cells = [(w, t, {"L": "R", "R": "L"}.get(a, a)) for w, t, a in reversed(cells)]
        left, top = self.get_x(), self.get_y()
        lines = max(
            len(self.multi_cell(w - 2, height, t, dry_run=True, output="LINES"))
            for w, t, _a in cells
        )
        row_height = height * max(lines, 1) + 2
        if top + row_height > self.page_break_trigger:
            self.add_page()
            top = self.get_y()
        if fill:
            self.set_fill_color(*BAND)
            self.rect(left, top, sum(widths), row_height, style="F")
        x = left
        for width, text, align in cells:
            self.set_xy(x + 1, top + 1)
            self.multi_cell(width - 2, height, text, align=align)
            x += width
        self.set_draw_color(*RULE)
        self.line(left, top + row_height, left + sum(widths), top + row_height)
        self.set_xy(self.l_margin, top + row_height)


def invoice_pdf(invoice: Invoice) -> bytes:
    """The document of an issued invoice or credit note, in its language."""
    language = invoice.language or settings.LANGUAGE_CODE
    with translation.override(language):
        return _draw(invoice, rtl=translation.get_language_bidi()).output()


def _issuer_lines() -> list[str]:
    issuer = settings.BILLING_ISSUER
    identifiers = " · ".join(
        f"{label} {issuer[key]}"
        for key, label in (("ice", "ICE"), ("if", "IF"), ("rc", "RC"), ("patente", _("Patente")))
        if issuer.get(key)
    )
    return [line for line in (issuer.get("address", ""), identifiers) if line]


def _draw(invoice: Invoice, *, rtl: bool) -> FPDF:
    issuer = settings.BILLING_ISSUER
    pdf = _Document(rtl=rtl)
    pdf.footer_text = " · ".join(
        part
        for part in (
            issuer["name"],
            *_issuer_lines(),
            issuer.get("email", ""),
            issuer.get("phone", ""),
        )
        if part
    )
    pdf.alias_nb_pages()
    pdf.add_page()
    width = pdf.epw

    # The issuer (start side) and the document's title and number (end side).
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(width, 7, issuer["name"], align=pdf.start_align, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 8.5)
    pdf.set_text_color(*MUTED)
    for line in _issuer_lines():
        pdf.multi_cell(width, 4.2, line, align=pdf.start_align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    title = _("Credit note") if invoice.is_credit_note else _("Invoice")
    pdf.set_text_color(*INK)
    pdf.set_font("DejaVu", "B", 18)
    pdf.cell(
        width,
        9,
        f"{title} {_ltr(invoice.number)}",
        align=pdf.start_align,
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.set_font("DejaVu", "", 9.5)
    facts = [(_("Date of issue"), _date(invoice.issue_date))]
    if invoice.due_date:
        facts.append((_("Due date"), _date(invoice.due_date)))
    if invoice.period_start and invoice.period_end:
        facts.append(
            (_("Period"), f"{_date(invoice.period_start)} \u2013 {_date(invoice.period_end)}")
        )
    if invoice.credited_invoice:
        facts.append((_("Corrects invoice"), _ltr(invoice.credited_invoice.number)))
    if invoice.reason:
        facts.append((_("Reason"), invoice.reason))
    for label, value in facts:
        pdf.multi_cell(
            width,
            5,
            # "Échéance : 01/01/2027" but "Due date: 01/01/2027": French spaces its colon.
            pgettext("invoice fact", "%(label)s: %(value)s") % {"label": label, "value": value},
            align=pdf.start_align,
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(4)

    # The customer, framed.
    pdf.set_draw_color(*RULE)
    top = pdf.get_y()
    pdf.set_font("DejaVu", "B", 10)
    pdf.set_x(pdf.l_margin + 3)
    pdf.cell(width - 6, 6, _("Customer"), align=pdf.start_align, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    customer = [invoice.customer_name, invoice.customer_address]
    if invoice.customer_ice:
        customer.append(f"ICE {invoice.customer_ice}")
    for line in filter(None, customer):
        pdf.set_x(pdf.l_margin + 3)
        pdf.multi_cell(width - 6, 5, line, align=pdf.start_align, new_x="LMARGIN", new_y="NEXT")
    pdf.rect(pdf.l_margin, top - 1, width, pdf.get_y() - top + 3)
    pdf.ln(7)

    # The lines.
    shares = (0.12, 0.37, 0.08, 0.10, 0.12, 0.09, 0.12)
    widths = [width * share for share in shares]
    aligns = ["L", "L", "R", "L", "R", "R", "R"]
    pdf.set_font("DejaVu", "B", 8)
    pdf.row(
        widths,
        [
            pgettext("invoice column", "Date"),
            pgettext("invoice column", "Description"),
            pgettext("invoice column", "Qty"),
            pgettext("invoice column", "Unit"),
            pgettext("invoice column", "Unit price excl. VAT"),
            pgettext("invoice column", "VAT"),
            pgettext("invoice column", "Amount excl. VAT"),
        ],
        aligns,
        fill=True,
    )
    pdf.set_font("DejaVu", "", 8)
    for line in invoice.lines.all():
        pdf.row(
            widths,
            [
                _date(line.service_date),
                line.description,
                _quantity(line.quantity),
                line.unit,
                _money(line.unit_price),
                f"{_quantity(line.vat_rate)} %",
                _money(line.amount_ht),
            ],
            aligns,
        )
    pdf.ln(4)

    # Totals, with the VAT of each rate.
    totals_width = width * 0.45
    label_width, value_width = totals_width * 0.6, totals_width * 0.4
    rates: dict[Decimal, Decimal] = {}
    for line in invoice.lines.all():
        rates[line.vat_rate] = rates.get(line.vat_rate, Decimal("0.00")) + line.amount_vat
    rows = [(_("Total excl. VAT"), invoice.total_ht, False)]
    for rate, vat in sorted(rates.items(), reverse=True):
        if rate:  # exempt lines add no VAT row; their 0 % is on the line
            rows.append((_("VAT %(rate)s %%") % {"rate": _quantity(rate)}, vat, False))
    if len([rate for rate in rates if rate]) > 1:
        rows.append((_("Total VAT"), invoice.total_vat, False))
    rows.append((_("Total incl. VAT"), invoice.total_ttc, True))
    for label, value, strong in rows:
        pdf.set_font("DejaVu", "B" if strong else "", 10 if strong else 9)
        pdf.set_x(pdf.l_margin if rtl else pdf.l_margin + width - totals_width)
        pdf.row(
            [label_width, value_width],
            [label, _ltr(f"{_money(value)} MAD")],
            ["L", "R"],
            fill=strong,
        )
    pdf.ln(5)

    # The amount in words, and how to pay.
    pdf.set_font("DejaVu", "", 9)
    words = amount_in_words(invoice.total_ttc, translation.get_language())
    sentence = (
        _("This credit note is drawn up for the sum of %(words)s including VAT.")
        if invoice.is_credit_note
        else _("This invoice is drawn up for the sum of %(words)s including VAT.")
    ) % {"words": words}
    pdf.multi_cell(width, 5, sentence, align=pdf.start_align, new_x="LMARGIN", new_y="NEXT")
    if not invoice.is_credit_note:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(width, 5, _("Payment"), align=pdf.start_align, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        if issuer.get("bank") and issuer.get("rib"):
            how = _(
                "By bank transfer to %(bank)s, RIB %(rib)s, quoting the invoice number %(number)s."
            ) % {"bank": issuer["bank"], "rib": _ltr(issuer["rib"]), "number": _ltr(invoice.number)}
        else:
            how = _(
                "By bank transfer or cheque, quoting the invoice number %(number)s; the lab's "
                "bank details are available from %(email)s."
            ) % {"number": _ltr(invoice.number), "email": _ltr(issuer.get("email", ""))}
        payment = [how, _("Payable by %(date)s.") % {"date": _date(invoice.due_date)}]
        for line in payment:
            pdf.multi_cell(width, 5, line, align=pdf.start_align, new_x="LMARGIN", new_y="NEXT")
    return pdf
