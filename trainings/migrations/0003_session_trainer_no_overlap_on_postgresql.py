"""One trainer, no two live sessions at once: a PostgreSQL exclusion constraint (btree_gist).

SQLite cannot hold it; there the service serialises check-and-insert in one IMMEDIATE
transaction. The half-open range '[)' lets one session end exactly when the next begins.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE trainings_session ADD CONSTRAINT session_trainer_no_overlap
    EXCLUDE USING gist (trainer_id WITH =, tstzrange(start, "end", '[)') WITH &&)
    WHERE (status <> 'cancelled');
"""
DROP = "ALTER TABLE trainings_session DROP CONSTRAINT IF EXISTS session_trainer_no_overlap;"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("trainings", "0002_courses_sessions_enrolments_and_certification_history"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
