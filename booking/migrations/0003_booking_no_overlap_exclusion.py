"""Two live bookings of one machine never overlap, buffer included (PostgreSQL only).

SQLite has no exclusion constraints; there the booking service serialises check-and-insert
inside one IMMEDIATE write transaction instead.
"""

from django.contrib.postgres.operations import BtreeGistExtension
from django.db import migrations

CREATE = """
ALTER TABLE booking_booking ADD CONSTRAINT booking_no_overlap EXCLUDE USING gist (
    equipment_id WITH =,
    tstzrange(start, blocked_until, '[)') WITH &&
) WHERE (status IN ('pending', 'confirmed'));
"""
DROP = "ALTER TABLE booking_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("booking", "0002_equipment_hours_closures_bookings")]

    operations = [
        BtreeGistExtension(),
        migrations.RunPython(forwards, backwards),
    ]
