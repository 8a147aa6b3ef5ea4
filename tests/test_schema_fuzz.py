"""No 500s, whatever comes in (issue 7): schemathesis against our OpenAPI schema (drf-spectacular).

The app is called in-process through its WSGI handler, so this runs on SQLite and PostgreSQL
alike, without a server. Every operation of the schema is generated for, valid and invalid
data alike, and each response must pass:
- ``not_a_server_error``: no 5xx;
- ``status_code_conformance``: the status is one the schema documents for the operation;
- ``content_type_conformance`` and ``response_schema_conformance``: the body is what the
  schema says for that status (errors included: see ``core/api.py``'s schema hook).

People, merchants and partners each fuzz their own operations with their own credentials
(consumer Token, merchant staff Token, partner Api-Key); the path ids are drawn from random
integers and from the ids of real objects of the scene, so the happy paths run too.

Cases per operation: SCHEMA_FUZZ_EXAMPLES (default 200 by hand; 25 under CI=true). The number
of generated cases is printed at the end of the module.
"""

import datetime
import os
from collections import Counter

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.views import APIView
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from accounts.services import api_token_issue
from perks import services as perk_services
from perks.models import BenefitType, Category, Promotion
from scoring import services as scoring_services
from scoring.models import Partner

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("SCHEMA_FUZZ_EXAMPLES") or (25 if os.environ.get("CI") == "true" else 200))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    database=None,
    suppress_health_check=list(HealthCheck),
)
CASES: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def _report_case_count(request: pytest.FixtureRequest):
    yield
    if not CASES:
        return
    lines = [
        f"schemathesis: {sum(CASES.values())} generated cases over {len(CASES)} operations "
        f"(up to {EXAMPLES} per operation and phase; SCHEMA_FUZZ_EXAMPLES)",
        *(f"    {count:5d}  {label}" for label, count in sorted(CASES.items())),
    ]
    capture = request.config.pluginmanager.getplugin("capturemanager")
    with capture.global_and_fixture_disabled():
        print("\n" + "\n".join(lines))


@pytest.fixture(autouse=True)
def _calls_share_the_test_connection(monkeypatch):
    # As Django's test client does: a request must not close the connection holding the
    # test's transaction. Throttles are proven elsewhere; here they would only turn the
    # hundreds of generated requests of one login into 429s.
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    monkeypatch.setattr(APIView, "get_throttles", lambda view: [])
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def scene(make_consumer, make_merchant_staff):
    """Real objects for the path ids: promotions (one another merchant's), a claim, a share."""
    ann = make_consumer("ann")
    staff = make_merchant_staff("ford")
    other_staff = make_merchant_staff("meitu")
    start = timezone.now() - datetime.timedelta(days=1)
    common = {
        "category": Category.DEPOSIT_FREE,
        "benefit_type": BenefitType.PRIORITY,
        "starts_at": start,
        "status": Promotion.Status.ACTIVE,
    }
    mine = perk_services.promotion_create(
        merchant=staff.merchant_staff.merchant, title="Priority", min_score=600, quantity=50, **common
    )
    draft = perk_services.promotion_create(
        merchant=staff.merchant_staff.merchant,
        title="Draft",
        min_score=700,
        **{**common, "status": Promotion.Status.DRAFT},
    )
    theirs = perk_services.promotion_create(
        merchant=other_staff.merchant_staff.merchant, title="Theirs", min_score=600, **common
    )
    claim = perk_services.claim_create(promotion=mine, person=ann)
    share = perk_services.share_create(person=ann, show="score", expires_in_days=30)
    partner = Partner.objects.create(name="Bank", slug="bank")
    SCENE.clear()
    SCENE.update(
        {
            "consumer": api_token_issue(user=ann),
            "merchant": api_token_issue(user=staff),
            "partner": scoring_services.partner_key_issue(partner=partner),
            "ids": [mine.pk, draft.pk, theirs.pk, claim.pk, share.pk],
            "share_token": share.token,
        }
    )
    return SCENE


def _load() -> schemathesis.BaseSchema:
    from portal.wsgi import application

    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", application)

    @schema.hook("flatmap_path_parameters")
    def real_ids_too(context, path_parameters):
        choices = dict(path_parameters or {})
        if "id" in choices:
            return st.sampled_from([choices["id"], *SCENE["ids"]]).map(lambda pk: {**choices, "id": pk})
        if "token" in choices:
            return st.sampled_from([choices["token"], SCENE["share_token"]]).map(
                lambda token: {**choices, "token": token}
            )
        return st.just(choices)

    return schema


SCHEMA = _load()
SCENE: dict = {}


def run(case: schemathesis.Case, authorization: str) -> None:
    CASES[case.operation.label] += 1
    case.call_and_validate(headers={"Authorization": authorization}, checks=CHECKS)


consumer = SCHEMA.exclude(path_regex=r"^/api/v1/(merchant|ingest)/")
merchant = SCHEMA.include(path_regex=r"^/api/v1/merchant/")
partner = SCHEMA.include(path_regex=r"^/api/v1/ingest/")


@consumer.parametrize()
@FUZZ_SETTINGS
def test_consumer_and_public_operations_never_fail_and_match_the_schema(case, scene):
    run(case, f"Token {scene['consumer']}")


@merchant.parametrize()
@FUZZ_SETTINGS
def test_merchant_operations_never_fail_and_match_the_schema(case, scene):
    run(case, f"Token {scene['merchant']}")


@partner.parametrize()
@FUZZ_SETTINGS
def test_partner_ingestion_never_fails_and_matches_the_schema(case, scene):
    run(case, f"Api-Key {scene['partner']}")
