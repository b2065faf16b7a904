"""On PostgreSQL, the database itself refuses UPDATE and DELETE on the audit log, so not even
code that bypasses the model (raw SQL, a bulk operation) can rewrite history."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION certification_audit_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'The certification audit log is append-only';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER certification_audit_append_only
    BEFORE UPDATE OR DELETE ON certification_auditevent
    FOR EACH ROW EXECUTE FUNCTION certification_audit_append_only();
"""
DROP = """
DROP TRIGGER IF EXISTS certification_audit_append_only ON certification_auditevent;
DROP FUNCTION IF EXISTS certification_audit_append_only();
"""


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("certification", "0001_initial")]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
