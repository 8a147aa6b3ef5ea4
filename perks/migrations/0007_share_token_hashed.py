"""Share links keep only the SHA-256 of their token (core.keys.key_hash, as API tokens do):
each existing token is hashed, so every link already given out keeps working, and the clear
column is dropped. Going back cannot recover a token from its hash: each share then gets a
new random token, and the links given out stop opening."""

import secrets

from django.db import migrations, models

from core.keys import key_hash


def hash_tokens(apps, schema_editor):
    Share = apps.get_model("perks", "Share")
    for share in Share.objects.only("pk", "token").iterator():
        share.token_hash = key_hash(share.token)
        share.save(update_fields=["token_hash"])


def new_tokens(apps, schema_editor):
    Share = apps.get_model("perks", "Share")
    for share in Share.objects.only("pk").iterator():
        share.token = secrets.token_urlsafe(32)
        share.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [("perks", "0006_webhookendpoint_secret_encrypted")]

    operations = [
        migrations.AddField(
            model_name="share",
            name="token_hash",
            field=models.CharField(max_length=64, null=True),
        ),
        migrations.AlterField(
            model_name="share",
            name="token",
            field=models.CharField(max_length=43, null=True),
        ),
        migrations.RunPython(hash_tokens, new_tokens),
        migrations.RemoveField(model_name="share", name="token"),
        migrations.AlterField(
            model_name="share",
            name="token_hash",
            field=models.CharField(max_length=64, unique=True),
        ),
    ]
