"""PostgreSQL refuses to change or delete audit events, whatever code or admin tries.

Only the retention purge may delete old events: it sets ``koopstadt.audit_purge = 'on'`` for its own
transaction (``cities.operations.audit.audit_purge_before``). TRUNCATE (used by test database flushes)
is not a row event and stays possible for the database owner. SQLite (the embedded default) relies on
the model and queryset guards only.
"""

from django.db import migrations

PG_FORWARD = """
CREATE OR REPLACE FUNCTION cities_auditevent_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('koopstadt.audit_purge', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (%% refused)', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER cities_auditevent_append_only
    BEFORE UPDATE OR DELETE ON cities_auditevent
    FOR EACH ROW EXECUTE FUNCTION cities_auditevent_append_only();
"""
PG_BACKWARD = """
DROP TRIGGER IF EXISTS cities_auditevent_append_only ON cities_auditevent;
DROP FUNCTION IF EXISTS cities_auditevent_append_only();
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD)


class Migration(migrations.Migration):
    dependencies = [("cities", "0007_audit_log_failed_tasks_anonymisation")]

    operations = [migrations.RunPython(forward, backward)]
