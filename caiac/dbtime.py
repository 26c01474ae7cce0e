"""Reading PostgreSQL's ``timestamptz`` columns at the speed of psycopg's C loader.

Django (5.2, psycopg 3) reads every ``timestamptz`` through a Python subclass of psycopg's
pure-Python loader (``BaseTzLoader``: parse the text in Python, then set the time zone), about
4 µs a value; psycopg's C loader (psycopg[binary]) takes a tenth of that but cannot be
subclassed. A list reads hundreds of them per request (four weeks of one machine: ~350, 1.5 ms
of an availability request's ~10). So each new connection gets a loader that hands the text to
the C one. The session time zone is UTC (Django sets it on connecting, USE_TZ), so the C loader
answers with ``datetime.UTC`` as Django's own does; anything else is converted, never relabelled.
"""

import datetime

from django.db.backends.signals import connection_created

UTC = datetime.UTC


def _c_loader():
    """psycopg's C ``timestamptz`` text loader, or None without psycopg[binary]."""
    try:
        from psycopg import adapters
        from psycopg.pq import Format
    except ImportError:
        return None
    loader = adapters.get_loader(adapters.types["timestamptz"].oid, Format.TEXT)
    return loader if loader.__module__.startswith("psycopg_binary") else None


def _loader_class(c_loader):
    from psycopg.adapt import Loader

    class TimestamptzLoader(Loader):
        # Django's create_cursor() compares this with the connection's time zone (UTC) and
        # registers its own loader on the cursor only when they differ.
        timezone = UTC

        def __init__(self, oid, context=None):
            super().__init__(oid, context)
            self._load = c_loader(oid, context).load

        def load(self, data):
            value = self._load(data)
            return value if value.tzinfo is UTC else value.astimezone(UTC)

    return TimestamptzLoader


def use_c_timestamptz_loader(sender, connection, **kwargs) -> None:
    if connection.vendor != "postgresql" or _LOADER is None:
        return
    connection.connection.adapters.register_loader("timestamptz", _LOADER)


_C = _c_loader()
_LOADER = _loader_class(_C) if _C is not None else None


def install() -> None:
    connection_created.connect(use_c_timestamptz_loader, dispatch_uid="caiac-c-timestamptz")
