"""perks/migrations 0006 and 0007: secrets and tokens already stored are encrypted and hashed in
place, and keep working (a link given out before still opens; deliveries still sign)."""

import datetime

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from core.keys import key_hash
from perks import selectors
from perks.models import WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("perks", "0005_promotion_thresholds_multiple_of_50")]
AFTER = [("perks", "0007_share_token_hashed")]
TOKEN = "k" * 43
SECRET = "whsec_" + "s" * 43


def test_existing_share_tokens_are_hashed_and_webhook_secrets_encrypted_and_both_still_work(
    make_consumer, make_merchant_staff
):
    ann = make_consumer("ann")
    merchant = make_merchant_staff("ford").merchant_staff.merchant
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps
    old.get_model("perks", "Share").objects.create(
        person_id=ann.pk, token=TOKEN, show="band", expires_at=timezone.now() + datetime.timedelta(days=3)
    )
    old.get_model("perks", "WebhookEndpoint").objects.create(
        merchant_id=merchant.pk, url="https://hooks.ford.example/claims", secret=SECRET
    )

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(AFTER)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())

    with connection.cursor() as cursor:
        cursor.execute("SELECT token_hash FROM perks_share")
        (stored_hash,) = cursor.fetchone()
        cursor.execute("SELECT secret FROM perks_webhookendpoint")
        (stored_secret,) = cursor.fetchone()
    assert stored_hash == key_hash(TOKEN)
    assert SECRET not in stored_secret and "s" * 43 not in stored_secret
    assert selectors.share_public(token=TOKEN) is not None  # the link given out still opens
    assert WebhookEndpoint.objects.get().secret == SECRET  # and deliveries sign as before
