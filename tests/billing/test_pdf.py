"""The issued document: its text read back with a PDF library, as an accountant's tool would."""

import io

import pytest
from pypdf import PdfReader

from billing.exports import invoice_pdf_bytes
from billing.pdf import invoice_pdf

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
