"""The usage report as tables people open in a spreadsheet (caiac.exports): one CSV per table,
or one XLSX with a sheet per table. Headers in the active language."""

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

from booking.selectors import UsageRow
from caiac.exports import Table

EQUIPMENT = "equipment"
ORGANISATIONS = "organisations"
TABLES = (EQUIPMENT, ORGANISATIONS)


def percent(ratio: Decimal | None) -> Decimal | None:
    return None if ratio is None else (ratio * 100).quantize(Decimal("0.1"))


def equipment_table(rows: list[UsageRow]) -> Table:
    return Table(
        title=_("Machines"),
        headers=[
            _("Machine"),
            _("Hours booked"),
            _("Hours used (checked in)"),
            _("No-shows"),
            _("Opening hours"),
            _("Utilisation (%)"),
        ],
        rows=[
            [
                r.name,
                r.hours_booked,
                r.hours_used,
                r.no_shows,
                r.opening_hours,
                percent(r.utilisation),
            ]
            for r in rows
        ],
    )


def organisations_table(rows: list[UsageRow]) -> Table:
    return Table(
        title=_("Organisations"),
        headers=[_("Organisation"), _("Hours booked"), _("Hours used (checked in)"), _("No-shows")],
        rows=[[r.name, r.hours_booked, r.hours_used, r.no_shows] for r in rows],
    )


def usage_tables(report: dict[str, Any]) -> dict[str, Table]:
    return {
        EQUIPMENT: equipment_table(report["equipment"]),
        ORGANISATIONS: organisations_table(report["organisations"]),
    }
