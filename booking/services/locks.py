"""The machine row is the lock of everything that puts time on a machine or takes it away.

Booking a slot reads the machine's status, opening hours and closures, then inserts; a closure
(or a status or opening-hours change) reads the live bookings it hits, then writes. On
PostgreSQL (READ COMMITTED) two such transactions running side by side each miss the other's
uncommitted row: a booking could be confirmed inside a closure created at the same instant, and
the exclusion constraint does not help (a closure is not a booking). So both sides lock the
machine rows first, always in primary-key order (no deadlock between a lab-wide closure and a
booking), and only then read. On SQLite the IMMEDIATE write transaction already serialises
writers and ``select_for_update`` is a no-op.
"""

from booking.models import Equipment


def lock_machine(equipment: Equipment | int) -> Equipment:
    """Lock one machine's row and return it as committed now (status and rules fresh)."""
    pk = equipment if isinstance(equipment, int) else equipment.pk
    return Equipment.objects.select_for_update().get(pk=pk)


def lock_machines(*machines: Equipment | int | None) -> None:
    """Lock the rows of the given machines; ``None`` among them means the whole lab (every
    machine: a lab-wide closure or lab opening hours touch them all)."""
    queryset = Equipment.objects.select_for_update().order_by("pk")
    if None not in machines:
        ids = {m if isinstance(m, int) else m.pk for m in machines}
        queryset = queryset.filter(pk__in=ids)
    list(queryset.values_list("pk", flat=True))
