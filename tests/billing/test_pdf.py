"""The issued document: its text read back with a PDF library, as an accountant's tool would."""

import io

import pytest
from pypdf import PdfReader

from billing import services
from billing.exports import invoice_pdf_bytes
from billing.models import CustomerProfile
from billing.pdf import invoice_pdf
from tests.billing.conftest import travel

pytestmark = pytest.mark.django_db


def text_of(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_the_pdf_holds_the_number_the_totals_and_the_customer(issued):
    text = text_of(invoice_pdf_bytes(issued))
    assert "Facture 2026-000001" in text
    assert "Coopérative Amalou" in text
    for total in ("472,20", "55,82", "528,02"):
        assert total in text
    assert "cinq cent vingt-huit dirhams et deux centimes" in text


def test_the_stored_pdf_is_the_one_downloaded(issued):
    assert issued.pdf.name.endswith("2026-000001.pdf")
    with issued.pdf.open("rb") as stored:
        assert invoice_pdf_bytes(issued) == stored.read()


def test_an_arabic_invoice_is_written_in_arabic(issued):
    issued.language = "ar"
    text = text_of(invoice_pdf(issued))
    assert "2026-000001" in text
    assert "528" in text
    assert "فاتورة" in text or "ةروتاف" in text  # extraction order of RTL text varies


# --- the legal mentions, in each language ----------------------------------------------------

ISOLATES = dict.fromkeys(map(ord, "\u2066\u2067\u2068\u2069"))  # LRI RLI FSI PDI


def words_of(content: bytes) -> str:
    """The text on one line, whatever the wrapping, without the invisible direction marks."""
    return " ".join(text_of(content).translate(ISOLATES).split())


@pytest.fixture
def issued_in(settings, drafted, staff, organisation):
    """November's invoice issued by a lab with its identifiers and bank details set, to a
    customer with an ICE that asked for its invoices in ``language``."""
    settings.BILLING_ISSUER = {
        **settings.BILLING_ISSUER,
        "name": "CAIAC Halle Technologique",
        "ice": "002345678000012",
        "if": "40123456",
        "rc": "Agadir 12345",
        "bank": "Banque Populaire",
        "rib": "181 010 21211 1234567890 0123",
    }

    def issue(language: str):
        CustomerProfile.objects.create(
            organisation=organisation, ice="001234567000089", language=language
        )
        with travel(2026, 12, 2, 10, 0):
            return services.invoice_issue(by=staff, invoice=drafted)

    return issue


LAB_IDS = "ICE 002345678000012 · IF 40123456 · RC Agadir 12345"
BANK = "Banque Populaire, RIB 181 010 21211 1234567890 0123"
IN_LANGUAGE = {
    "fr": [
        "Facture 2026-000001",
        "Échéance : 01/01/2027",
        f"Par virement à {BANK}, en indiquant le numéro de facture 2026-000001.",
        "Payable au plus tard le 01/01/2027.",
        "Total TTC 528,02 MAD",
        "cinq cent vingt-huit dirhams et deux centimes",
    ],
    "en": [
        "Invoice 2026-000001",
        "Due date: 01/01/2027",
        f"By bank transfer to {BANK}, quoting the invoice number 2026-000001.",
        "Payable by 01/01/2027.",
        "Total incl. VAT 528.02 MAD",
        "five hundred and twenty-eight dirhams and two centimes",
    ],
}


@pytest.mark.parametrize("language", ["fr", "en"])
def test_the_pdf_states_both_parties_identifiers_the_due_date_and_how_to_pay(issued_in, language):
    invoice = issued_in(language)
    text = words_of(invoice_pdf_bytes(invoice))
    assert LAB_IDS in text
    assert "ICE 001234567000089" in text  # the customer's
    for said in IN_LANGUAGE[language]:
        assert said in text


def test_the_arabic_pdf_states_the_same_in_arabic(issued_in):
    text = words_of(invoice_pdf_bytes(issued_in("ar")))
    assert LAB_IDS in text and "ICE 001234567000089" in text
    assert "تاريخ الاستحقاق" in text  # due date
    assert "أداء" in text and BANK.split(",")[0] in text  # payment, to the lab's bank
    # "Payable by 01/01/2027." drawn right to left: the date ends the sentence, on its left.
    assert ".01/01/2027 تُؤدّى في أجل أقصاه" in text
    assert text.count("01/01/2027") == 2  # the due date, stated twice


def fragments(content: bytes) -> list[tuple[float, float, str]]:
    """Each piece of text of the first page with where it starts (x, y, in points)."""
    found = []

    def visit(text, cm, tm, _font, _size):
        text = text.translate(ISOLATES).strip()
        if text:
            found.append((tm[4] * cm[0] + cm[4], tm[5] * cm[3] + cm[5], text))

    PdfReader(io.BytesIO(content)).pages[0].extract_text(visitor_text=visit)
    return found


def row_holding(pieces, text: str) -> list[str]:
    """The pieces on the line of ``text``, from the left edge of the page to the right."""
    (y,) = {y for _x, y, t in pieces if t == text}
    return [t for _x, _y, t in sorted(p for p in pieces if p[1] == y)]


def test_an_arabic_invoice_is_laid_out_right_to_left(issued_in):
    """Its table is the French one mirrored (the date on the right, the amount on the left),
    and the customer stands on the right of the page."""
    invoice = issued_in("ar")
    arabic = fragments(invoice_pdf_bytes(invoice))
    invoice.language = "fr"
    french = fragments(invoice_pdf(invoice))
    line = "Analyse microbiologique"
    assert row_holding(french, line) == [
        "20/11/2026",
        line,
        "1",
        "analyse",
        "180,00",
        "0 %",
        "180,00",
    ]
    assert row_holding(arabic, line) == list(reversed(row_holding(french, line)))
    middle = 595.28 / 2  # A4, in points
    (x_ar,) = [x for x, _y, t in arabic if t == "Coopérative Amalou"]
    (x_fr,) = [x for x, _y, t in french if t == "Coopérative Amalou"]
    assert x_fr < middle < x_ar
