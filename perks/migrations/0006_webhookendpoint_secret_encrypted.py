"""Webhook secrets move to an encrypted column (core/encryption.py): each existing secret is
encrypted as it is copied, then the clear column is dropped."""

from django.db import migrations

import core.encryption


def encrypt_secrets(apps, schema_editor):
    WebhookEndpoint = apps.get_model("perks", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.only("pk", "secret").iterator():
        endpoint.secret_encrypted = endpoint.secret  # the field encrypts it on save
        endpoint.save(update_fields=["secret_encrypted"])


def decrypt_secrets(apps, schema_editor):
    WebhookEndpoint = apps.get_model("perks", "WebhookEndpoint")
    for endpoint in WebhookEndpoint.objects.only("pk", "secret_encrypted").iterator():
        endpoint.secret = endpoint.secret_encrypted  # read back in clear
        endpoint.save(update_fields=["secret"])


class Migration(migrations.Migration):
    dependencies = [("perks", "0005_promotion_thresholds_multiple_of_50")]

    operations = [
        migrations.AddField(
            model_name="webhookendpoint",
            name="secret_encrypted",
            field=core.encryption.EncryptedTextField(default=""),
            preserve_default=False,
        ),
        migrations.RunPython(encrypt_secrets, decrypt_secrets),
        migrations.RemoveField(model_name="webhookendpoint", name="secret"),
        migrations.RenameField(model_name="webhookendpoint", old_name="secret_encrypted", new_name="secret"),
    ]
