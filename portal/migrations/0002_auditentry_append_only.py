"""Make the audit trail append-only in PostgreSQL itself: no UPDATE or DELETE of an entry.

The one UPDATE allowed is the foreign key's own ON DELETE SET NULL: when an actor's login is
deleted, the entry stays and keeps actor_label. Row triggers do not fire on TRUNCATE, which the
test suite's database flush uses. SQLite (the embedded default) gets no trigger.
"""

from django.db import migrations

CREATE = [
    """
    CREATE FUNCTION portal_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE' AND NEW.actor_id IS NULL
           AND (to_jsonb(NEW) - 'actor_id') = (to_jsonb(OLD) - 'actor_id') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION USING
            MESSAGE = 'portal_auditentry is append-only: ' || TG_OP || ' refused',
            ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER portal_auditentry_append_only
        BEFORE UPDATE OR DELETE ON portal_auditentry
        FOR EACH ROW EXECUTE FUNCTION portal_auditentry_append_only()
    """,
]

DROP = [
    "DROP TRIGGER IF EXISTS portal_auditentry_append_only ON portal_auditentry",
    "DROP FUNCTION IF EXISTS portal_auditentry_append_only()",
]


def create_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in CREATE:
            schema_editor.execute(statement, params=None)


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in DROP:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(create_trigger, drop_trigger, elidable=False)]
