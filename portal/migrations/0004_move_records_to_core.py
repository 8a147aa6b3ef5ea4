"""The audit trail and the outbox now belong to core (core 0001): forget them here, tables kept."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("portal", "0003_auditentry_allow_erasure"),
        ("core", "0001_initial"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEntry"),
                migrations.DeleteModel(name="OutboxMessage"),
            ]
        )
    ]
