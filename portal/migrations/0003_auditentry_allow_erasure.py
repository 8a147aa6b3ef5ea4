"""Let account deletion erase a person from the audit trail, and nothing else change it.

The append-only trigger of 0002 now also lets through an UPDATE that only removes: the actor's
label becomes "erased account", the target's label becomes empty, the changes become
{"erased": true}, the actor's key becomes NULL; every other column stays exactly as it was
(accounts.services.account_delete through portal.audit.audit_pseudonymise). Rewriting an entry
to say anything else, and deleting one, are still refused.
"""

from django.db import migrations

ALLOW_ERASURE = """
    CREATE OR REPLACE FUNCTION portal_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        IF TG_OP = 'UPDATE'
           AND (NEW.actor_id IS NULL OR NEW.actor_id = OLD.actor_id)
           AND NEW.actor_label IN (OLD.actor_label, 'erased account')
           AND NEW.target_label IN (OLD.target_label, '')
           AND (NEW.changes = OLD.changes OR NEW.changes = '{"erased": true}'::jsonb)
           AND (to_jsonb(NEW) - 'actor_id' - 'actor_label' - 'target_label' - 'changes')
             = (to_jsonb(OLD) - 'actor_id' - 'actor_label' - 'target_label' - 'changes') THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION USING
            MESSAGE = 'portal_auditentry is append-only: ' || TG_OP || ' refused',
            ERRCODE = 'insufficient_privilege';
    END;
    $$ LANGUAGE plpgsql
"""

APPEND_ONLY = """
    CREATE OR REPLACE FUNCTION portal_auditentry_append_only() RETURNS trigger AS $$
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
"""


def allow_erasure(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ALLOW_ERASURE, params=None)


def append_only(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_ONLY, params=None)


class Migration(migrations.Migration):
    dependencies = [("portal", "0002_auditentry_append_only")]

    operations = [migrations.RunPython(allow_erasure, append_only, elidable=False)]
