"""A client generated from our OpenAPI schema by openapi-python-client works as it comes out.

The schema is made from the code (``manage.py spectacular --validate``), the client from the
schema into a temporary folder with the generator's defaults, then imported and driven
against the live server as an integrator would: a consumer signs in, reads the score and
claims a perk; the merchant's counter checks the code, hands it over and undoes it.
"""

import datetime
import importlib
import os
import subprocess
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from types import ModuleType

import pytest
from django.core.management import call_command
from django.utils import timezone

from perks import services as perk_services
from perks.models import BenefitType, Category, Claim, Promotion

pytestmark = pytest.mark.django_db(transaction=True)

PACKAGE = "credit_life_client"
PASSWORD = "a-Long-pass-950"


@pytest.fixture
def client_package(tmp_path: Path) -> Iterator[ModuleType]:
    schema = tmp_path / "schema.yaml"
    call_command("spectacular", file=str(schema), validate=True, fail_on_warn=True)
    config = tmp_path / "config.yaml"
    config.write_text(f"package_name_override: {PACKAGE}\nproject_name_override: credit-life-client\n")
    bin_dir = Path(sys.executable).parent
    generated = subprocess.run(
        [
            str(bin_dir / "openapi-python-client"),
            "generate",
            "--path",
            str(schema),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        cwd=tmp_path,
        # Its post-hooks run ruff over the output: ours, from the same environment.
        env={**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    # The generator warns (and leaves operations out) for anything it cannot type.
    assert "Warning" not in generated.stdout + generated.stderr, generated.stdout + generated.stderr
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name == PACKAGE or name.startswith(f"{PACKAGE}.")]:
            del sys.modules[name]


def test_a_generated_client_signs_in_claims_and_checks_at_the_counter(
    client_package, live_server, make_consumer, make_merchant_staff
):
    # given: ann, just opted in (exactly 600), and Ford's live deposit-free promotion from 600
    make_consumer("ann", password=PASSWORD)
    staff = make_merchant_staff("ford", password=PASSWORD)
    promotion = perk_services.promotion_create(
        merchant=staff.merchant_staff.merchant,
        title="Deposit-free bike",
        category=Category.DEPOSIT_FREE,
        benefit_type=BenefitType.DEPOSIT_WAIVER,
        amount=Decimal("299.00"),
        min_score=600,
        quantity=5,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=Promotion.Status.ACTIVE,
    )
    models = importlib.import_module(f"{PACKAGE}.models")
    auth_token = importlib.import_module(f"{PACKAGE}.api.auth.auth_token_create")
    me_score = importlib.import_module(f"{PACKAGE}.api.me.me_score_retrieve")
    perks_list = importlib.import_module(f"{PACKAGE}.api.perks.perks_list")
    perks_claim = importlib.import_module(f"{PACKAGE}.api.perks.perks_claim_create")
    verify = importlib.import_module(f"{PACKAGE}.api.merchant.merchant_verify_create")
    hand_over = importlib.import_module(f"{PACKAGE}.api.merchant.merchant_hand_over_create")
    undo = importlib.import_module(f"{PACKAGE}.api.merchant.merchant_claims_undo_hand_over_create")
    anonymous = client_package.Client(base_url=live_server.url, raise_on_unexpected_status=True)

    def signed_in(username: str) -> object:
        body = models.TokenRequest(username=username, password=PASSWORD)
        token = auth_token.sync(client=anonymous, body=body)
        assert isinstance(token, models.Token)
        return client_package.AuthenticatedClient(
            base_url=live_server.url, token=token.token, prefix="Token", raise_on_unexpected_status=True
        )

    # when: ann signs in, reads her score and the perks, and claims Ford's
    ann = signed_in("ann")
    score = me_score.sync(client=ann)
    perks = perks_list.sync(client=ann)
    claimed = perks_claim.sync(client=ann, id=promotion.pk, idempotency_key="generated-client-1")

    # then: typed objects all the way down
    assert isinstance(score, models.Score)
    assert score.score == 600
    assert [(dimension.key, dimension.weight) for dimension in score.dimensions] == [
        ("credit_history", 0.35),
        ("fulfilment_capacity", 0.25),
        ("behaviour", 0.2),
        ("identity", 0.15),
        ("connections", 0.05),
    ]
    assert all(isinstance(reason, models.Reason) for reason in score.reasons)
    assert isinstance(perks, models.PaginatedPerkList)
    assert [(perk.title, perk.eligible) for perk in perks.results] == [("Deposit-free bike", True)]
    assert isinstance(claimed, models.Claim)
    assert claimed.status == "active"

    # when: Ford's counter checks the code, hands it over and takes it back
    ford = signed_in(staff.username)
    checked = verify.sync(client=ford, body=models.VerifyInput(code=claimed.code))
    handed = hand_over.sync(client=ford, body=models.VerifyInput(code=claimed.code))
    undone = undo.sync(client=ford, id=claimed.id)

    # then
    assert isinstance(checked, models.VerifyResult)
    assert (checked.valid, checked.status, checked.benefit) == (True, "active", "Deposit of ¥299.00 waived")
    assert isinstance(handed, models.HandOverResult)
    assert (handed.valid, handed.status, handed.claim) == (True, "used", claimed.id)
    assert handed.undo_until is not None
    assert isinstance(undone, models.MerchantClaim)
    assert undone.status == "active"
    assert Claim.objects.get().status == "active"
