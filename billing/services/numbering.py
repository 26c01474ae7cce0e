"""Gapless numbers per series and year, allocated inside the transaction that issues.

The series row is locked (SELECT ... FOR UPDATE) until that transaction ends: two issuers
queue on it, each gets the next number, and a transaction that fails rolls its number back
with everything else — so no number is skipped and none is given twice. (MAX(number) + 1 would
race; a sequence would leave gaps on rollback.)
"""

from django.db import transaction

from billing.models import NumberSeries

FORMATS = {
    "invoice": "{year}-{number:06d}",
    "credit_note": "AV-{year}-{number:06d}",
}


def next_number(*, series: str, year: int) -> str:
    assert transaction.get_connection().in_atomic_block, "numbers are allocated in a transaction"
    # Creating the year's row may race with another issuer: ignore_conflicts makes it one row.
    NumberSeries.objects.bulk_create(
        [NumberSeries(series=series, year=year, last=0)], ignore_conflicts=True
    )
    counter = NumberSeries.objects.select_for_update().get(series=series, year=year)
    counter.last += 1
    counter.save(update_fields=["last"])
    return FORMATS[series].format(year=year, number=counter.last)
