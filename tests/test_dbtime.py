"""Date-times read from PostgreSQL through psycopg's C loader (caiac/dbtime.py) are the instants
stored, in UTC, as Django's own loader gives them."""

import datetime
import zoneinfo

import pytest
from django.db import connection
from psycopg import adapters
from psycopg.pq import Format

from caiac import dbtime
from caiac.notifications.models import Message
from tests.factories import member_of

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]
CASA = zoneinfo.ZoneInfo("Africa/Casablanca")


def test_the_connection_reads_timestamptz_with_the_c_loader():
    connection.ensure_connection()
    oid = adapters.types["timestamptz"].oid
    assert connection.connection.adapters.get_loader(oid, Format.TEXT) is dbtime._LOADER


@pytest.mark.parametrize(
    "moment",
    [
        datetime.datetime(2026, 3, 21, 23, 30, 0, 123456, tzinfo=CASA),  # Ramadan: UTC+0
        datetime.datetime(2026, 3, 22, 3, 0, tzinfo=CASA),  # back to UTC+1
        datetime.datetime(2027, 1, 4, 8, 30, tzinfo=CASA),  # permanent UTC+0 (tzdata 2026c)
        datetime.datetime(1, 1, 2, 0, 0, tzinfo=datetime.UTC),
        datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=datetime.UTC),
    ],
)
def test_a_stored_date_time_reads_back_as_the_same_instant_in_utc(moment, organisation):
    message = Message.objects.create(
        recipient=member_of(organisation),
        kind="notifications.announcement",
        dedup_key=f"dbtime:{moment.isoformat()}",
        due_at=moment,
    )
    read = Message.objects.values_list("due_at", flat=True).get(pk=message.pk)
    assert read == moment
    assert read.tzinfo is datetime.UTC
