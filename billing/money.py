"""Amounts in MAD: rounding once per line, and amounts in words for the documents."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from num2words import num2words

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def round_money(value: Decimal) -> Decimal:
    """Half up to the centime, as a Moroccan accountant rounds (Decimal's default is banker's)."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def default_vat_rate() -> Decimal:
    return Decimal(str(settings.BILLING_VAT_RATE))


@dataclass(frozen=True)
class LineAmounts:
    ht: Decimal
    vat: Decimal
    ttc: Decimal


def line_amounts(quantity: Decimal, unit_price: Decimal, vat_rate: Decimal) -> LineAmounts:
    """HT rounded, then the VAT of that rounded HT rounded: TTC adds up to the centime."""
    return amounts_from_ht(round_money(Decimal(quantity) * Decimal(unit_price)), vat_rate)


def amounts_from_ht(ht: Decimal, vat_rate: Decimal) -> LineAmounts:
    ht = round_money(ht)
    vat = round_money(ht * Decimal(vat_rate) / HUNDRED)
    return LineAmounts(ht=ht, vat=vat, ttc=ht + vat)


_CURRENCY = {
    "fr": ("dirham", "dirhams", "centime", "centimes", "et"),
    "en": ("dirham", "dirhams", "centime", "centimes", "and"),
    "ar": ("درهم", "درهم", "سنتيم", "سنتيم", "و"),
}


def amount_in_words(amount: Decimal, language: str = "fr") -> str:
    """``1234.56`` → "mille deux cent trente-quatre dirhams et cinquante-six centimes"."""
    language = language if language in _CURRENCY else "fr"
    one, many, cent_one, cent_many, conjunction = _CURRENCY[language]
    amount = round_money(amount)
    whole = int(amount)
    cents = int((amount - whole) * 100)
    words = f"{num2words(whole, lang=language)} {one if whole == 1 else many}"
    if cents:
        cents_words = num2words(cents, lang=language)
        words += f" {conjunction} {cents_words} {cent_one if cents == 1 else cent_many}"
    return words
