"""No 500s, whatever comes in (issue 7): the inputs a fuzzer rarely builds, on purpose.

Condition trees (too deep, too many nodes, unicode, wrong types), partner event batches (too
large, too many, huge numbers, dates out of range, wrong types, characters a database cannot
store) and sign-up fields (10,000 characters, nul bytes) each get a 400 naming the bad field,
or a 413 for a body over DATA_UPLOAD_MAX_MEMORY_SIZE; and nothing is stored. Runs on SQLite
and on PostgreSQL (which refuses nul characters and lone surrogates that SQLite would keep).
"""

import copy
import datetime
import json

import pytest
from django.apps import apps
from django.conf import settings
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import User
from accounts.services import api_token_issue
from perks import conditions
from perks import services as perk_services
from perks.models import Claim, Promotion
from scoring import services as scoring_services
from scoring.models import IngestedEvent, Partner

pytestmark = pytest.mark.django_db

LEAF = {"attr": "membership_tier", "in": ["gold"]}


def post_json(client: APIClient, url: str, body: object, **extra: str):
    return client.post(url, data=json.dumps(body), content_type="application/json", **extra)


def post_raw(client: APIClient, url: str, raw: str | bytes, **extra: str):
    return client.post(url, data=raw, content_type="application/json", **extra)


def nested(depth: int, leaf: object = LEAF, key: str = "all") -> object:
    tree = leaf
    for _level in range(depth - 1):
        tree = {key: [tree]}
    return tree


def deep_json(levels: int) -> str:
    """A JSON text nested ``levels`` deep, built as text (json.dumps would itself recurse)."""
    return '{"a":' * levels + "1" + "}" * levels


# Condition trees, through the merchant API ----------------------------------------------------


@pytest.fixture
def merchant_api(make_merchant_staff) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=make_merchant_staff('ford'))}")
    return client


def promotion_body(**fields: object) -> dict:
    return {
        "title": "Free 3-day test drive",
        "category": "try_before_buy",
        "benefit_type": "trial",
        "trial_days": 3,
        "min_score": 750,
        "starts_at": (timezone.now() + datetime.timedelta(days=1)).isoformat(),
        **fields,
    }


def create_promotion(client: APIClient, **fields: object):
    return post_json(client, "/api/v1/merchant/promotions/", promotion_body(**fields))


def test_a_condition_tree_one_level_too_deep_is_400_naming_conditions(merchant_api):
    response = create_promotion(merchant_api, conditions=nested(conditions.MAX_DEPTH + 1))

    assert response.status_code == 400
    assert response.json() == {
        "conditions": [
            "At all[0].all[0].all[0].all[0].all[0]: a condition tree may be at most 5 levels deep."
        ]
    }
    assert not Promotion.objects.exists()


def test_a_condition_tree_at_the_depth_limit_is_accepted(merchant_api):
    response = create_promotion(merchant_api, conditions=nested(conditions.MAX_DEPTH))

    assert response.status_code == 201
    assert Promotion.objects.get().conditions == nested(conditions.MAX_DEPTH)


def test_a_condition_tree_of_10000_nodes_is_400_naming_conditions(merchant_api):
    response = create_promotion(merchant_api, conditions={"any": [LEAF] * 10_000})

    assert response.status_code == 400
    assert response.json() == {"conditions": ["At any[29]: a condition tree may have at most 30 nodes."]}
    assert not Promotion.objects.exists()


def test_a_body_nested_10000_levels_deep_is_400_not_a_crash(merchant_api):
    raw = json.dumps(promotion_body())[:-1] + ', "conditions": ' + deep_json(10_000) + "}"

    response = post_raw(merchant_api, "/api/v1/merchant/promotions/", raw)

    assert response.status_code == 400
    assert response.json() == {"detail": "JSON parse error - nested too deeply.", "code": "parse_error"}
    assert not Promotion.objects.exists()


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        ({"attr": "région", "in": ["浙江"]}, "At the root: unknown attribute 'région'; use one of:"),
        ({"attr": "region", "in": ["浙江"]}, "At the root: unknown value '浙江'; use one of:"),
        ({"counter": "ticket_class", "in": ["🚄"]}, "At the root: unknown value '🚄'; use one of:"),
        ("all of them", 'At the root: expected an object such as {"all": [...]} or {"attr": ...}.'),
        ([LEAF], 'At the root: expected an object such as {"all": [...]} or {"attr": ...}.'),
        (10**40, 'At the root: expected an object such as {"all": [...]} or {"attr": ...}.'),
        ({"all": LEAF}, "At the root: 'all' must be a list of conditions."),
        ({"all": []}, "At the root: 'all' must not be empty."),
        ({"attr": "dimension", "key": "identity", "gte": 1e308}, "At the root: 'gte' must be a whole number"),
        (
            {"attr": "dimension", "key": "identity", "gte": 10**40},
            "At the root: 'gte' must be a whole number",
        ),
        ({"attr": "dimension", "key": "identity", "gte": True}, "At the root: 'gte' must be a whole number"),
        ({"attr": "identity_verified", "is": "yes"}, "At the root: 'is' must be true or false."),
        ({"attr": "region", "in": ["zhejiang"], "x" * 10_000: 1}, "At the root: unknown key 'xxxxxxxxx"),
    ],
)
def test_a_malformed_condition_tree_is_400_naming_conditions_and_where(merchant_api, tree, message):
    response = create_promotion(merchant_api, conditions=tree)

    assert response.status_code == 400
    assert list(response.json()) == ["conditions"]
    (text,) = response.json()["conditions"]
    assert text.startswith(message)
    assert len(text) < 300  # what was sent is echoed, but never all of it
    assert not Promotion.objects.exists()


def test_a_malformed_condition_tree_in_an_edit_is_400_and_changes_nothing(merchant_api):
    created = create_promotion(merchant_api).json()

    response = merchant_api.patch(
        f"/api/v1/merchant/promotions/{created['id']}/",
        data=json.dumps({"conditions": nested(50)}),
        content_type="application/json",
    )

    assert response.status_code == 400
    assert list(response.json()) == ["conditions"]
    assert Promotion.objects.get().conditions == {}


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"min_score": 10**40}, "min_score"),
        ({"min_score": 1e308}, "min_score"),
        ({"min_score": "七百"}, "min_score"),
        ({"quantity": 10**40}, "quantity"),
        ({"quantity": -(10**40)}, "quantity"),
        ({"per_user_limit": 10**40}, "per_user_limit"),
        ({"trial_days": 10**40}, "trial_days"),
        ({"benefit_type": "credit_line", "trial_days": None, "amount": 1e308}, "amount"),
        ({"benefit_type": "credit_line", "trial_days": None, "amount": str(10**40)}, "amount"),
        ({"benefit_type": "credit_line", "trial_days": None, "amount": "NaN"}, "amount"),
        ({"benefit_type": "credit_line", "trial_days": None, "amount": "-Infinity"}, "amount"),
        ({"starts_at": "0001-01-01T00:00:00+14:00"}, "starts_at"),
        ({"starts_at": "9999-12-31T23:59:59-14:00"}, "starts_at"),
        ({"starts_at": "99999-01-01T00:00:00Z"}, "starts_at"),
        ({"starts_at": "9999-12-31T23:59:59Z"}, "starts_at"),
        ({"starts_at": "1999-12-31T23:59:59Z"}, "starts_at"),
        ({"starts_at": 10**40}, "starts_at"),
        ({"ends_at": "0001-01-01"}, "ends_at"),
        ({"title": "x" * 10_000}, "title"),
        ({"title": "Test\u0000drive"}, "title"),
        ({"title": ["Test drive"]}, "title"),
        ({"category": "🚗"}, "category"),
        ({"regions": "zhejiang"}, "regions"),
        ({"regions": ["zhejiang"] * 10_000}, "regions"),
        ({"tiers": [{"min_score": 800, "benefit": "x"}] * 10_000}, "tiers"),
    ],
)
def test_huge_numbers_odd_dates_and_wrong_types_in_a_promotion_are_400_naming_the_field(
    merchant_api, fields, field
):
    response = create_promotion(merchant_api, **fields)

    assert response.status_code == 400
    assert field in response.json()
    assert not Promotion.objects.exists()


# Partner event batches ------------------------------------------------------------------------


@pytest.fixture
def partner_api(make_consumer) -> APIClient:
    make_consumer("ann")
    client = APIClient()
    key = scoring_services.partner_key_issue(partner=Partner.objects.create(name="Bank", slug="bank"))
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client


def event(n: int = 0, **data: object) -> dict:
    today = timezone.localdate().isoformat()
    return {
        "id": f"evt-{n}",
        "type": "bill_paid",
        "person": "ann",
        "data": {"kind": "utility", "amount": "120.50", "due_on": today, "paid_on": today, **data},
    }


def ingest(client: APIClient, body: object):
    return post_json(client, "/api/v1/ingest/events/", body)


def test_a_good_batch_is_accepted(partner_api):
    response = ingest(partner_api, {"events": [event(0), event(1)]})

    assert (response.status_code, response.json()) == (201, {"accepted": 2})


def test_a_body_over_the_upload_limit_is_413_and_stores_nothing(partner_api):
    padding = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    body = {"events": [event(0, issuer="Bank", reference=padding)]}

    response = ingest(partner_api, body)

    assert response.status_code == 413
    assert response.json() == {
        "detail": f"The request body is too large: at most {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes.",
        "code": "request_too_large",
    }
    assert not IngestedEvent.objects.exists()


def test_a_full_batch_of_1000_events_fits_under_the_upload_limit(partner_api):
    body = json.dumps(
        {"events": [event(n, issuer="Hangzhou Water", reference=f"INV-{n:08d}") for n in range(1000)]}
    )

    assert len(body.encode()) < settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 4


def test_1001_events_is_400_naming_events_and_stores_nothing(partner_api):
    response = ingest(partner_api, {"events": [event(n) for n in range(1001)]})

    assert (response.status_code, response.json()) == (400, {"events": ["At most 1000 events per batch."]})
    assert not IngestedEvent.objects.exists()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount": 1e308}, "events[1].data.amount"),
        ({"amount": 10**40}, "events[1].data.amount"),
        ({"amount": "1e308"}, "events[1].data.amount"),
        ({"amount": "NaN"}, "events[1].data.amount"),
        ({"amount": "Infinity"}, "events[1].data.amount"),
        ({"amount": -(10**40)}, "events[1].data.amount"),
        ({"amount": True}, "events[1].data.amount"),
        ({"amount": ["120.50"]}, "events[1].data.amount"),
        ({"due_on": "0001-01-01"}, "events[1].data.due_on"),
        ({"due_on": "99999-01-01"}, "events[1].data.due_on"),
        ({"paid_on": "9999-12-31"}, "events[1].data.paid_on"),
        ({"paid_on": "2026-02-30"}, "events[1].data.paid_on"),
        ({"paid_on": 20260101}, "events[1].data.paid_on"),
        ({"kind": "水费"}, "events[1].data.kind"),
        ({"kind": None}, "events[1].data.kind"),
        ({"issuer": "x" * 10_000}, "events[1].data.issuer"),
        ({"issuer": "Water\u0000Co"}, "events[1].data.issuer"),
        ({"reference": {"nested": "object"}}, "events[1].data.reference"),
    ],
)
def test_a_bad_field_in_one_event_is_400_naming_it_and_stores_none_of_the_batch(partner_api, data, field):
    response = ingest(partner_api, {"events": [event(0), event(1, **data), event(2)]})

    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert not IngestedEvent.objects.exists()


@pytest.mark.parametrize(
    ("item", "field"),
    [
        ({**event(1), "person": "ann\u0000"}, "events[1].person"),
        ({**event(1), "person": "\ud800"}, "events[1].person"),
        ({**event(1), "person": "安"}, "events[1].person"),
        ({**event(1), "person": "x" * 10_000}, "events[1].person"),
        ({**event(1), "id": "\ud800"}, "events[1].id"),
        ({**event(1), "id": "x" * 10_000}, "events[1].id"),
        ({**event(1), "type": ["bill_paid"]}, "events[1].type"),
        ({**event(1), "data": []}, "events[1].data"),
        ({**event(1), "data": "120.50"}, "events[1].data"),
        ({**event(1), "extra": nested(30, leaf=1, key="a")}, "events[1]"),
        ({**event(1), "extra": "\ud83d"}, "events[1].extra"),
        ("bill_paid", "events[1]"),
        (None, "events[1]"),
        (10**40, "events[1]"),
    ],
)
def test_a_malformed_event_is_400_naming_its_index_and_stores_none(partner_api, item, field):
    response = ingest(partner_api, {"events": [event(0), item]})

    assert response.status_code == 400
    assert field in response.json()
    assert not IngestedEvent.objects.exists()


@pytest.mark.parametrize("body", ["events", 10**40, [], {"events": {}}, {"events": "x" * 10_000}])
def test_a_batch_of_the_wrong_shape_is_400_naming_events(partner_api, body):
    response = ingest(partner_api, body)

    assert response.status_code == 400
    assert list(response.json()) == ["events"]
    assert not IngestedEvent.objects.exists()


@pytest.mark.parametrize(
    "raw",
    ['{"events": [', "\u0000", deep_json(10_000), '{"events": [NaN]}', b"\xff\xfe{}", "1e99999"],
)
def test_a_body_that_is_not_json_is_400(partner_api, raw):
    response = post_raw(partner_api, "/api/v1/ingest/events/", raw)

    assert response.status_code == 400
    assert not IngestedEvent.objects.exists()


# Sign-up and sign-in fields ---------------------------------------------------------------------


REGISTER = "/api/v1/auth/register/"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "x" * 10_000}, "username"),
        ({"username": "ann\u0000"}, "username"),
        ({"username": "\ud800"}, "username"),
        ({"username": ["ann"]}, "username"),
        ({"username": {"name": "ann"}}, "username"),
        ({"email": "a" * 10_000 + "@example.com"}, "email"),
        ({"email": "ann\u0000@example.com"}, "email"),
        ({"password": "p" * 10_000}, "password"),
        ({"password": "a-Long-pass\u0000950"}, "password"),
        ({"password": "a-Long-pass-\ud800"}, "password"),
        ({"password": None}, "password"),
    ],
)
def test_a_bad_sign_up_field_is_400_naming_it_and_creates_nobody(fields, field):
    body = {"username": "ann", "email": "ann@example.com", "password": "a-Long-pass-950", **fields}

    response = post_json(APIClient(), REGISTER, body)

    assert response.status_code == 400
    assert field in response.json()
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"username": "x" * 10_000}, "username"),
        ({"username": "ann\u0000"}, "username"),
        ({"username": "\ud800"}, "username"),
        ({"password": "p" * 10_000}, "password"),
        ({"password": "pass\u0000"}, "password"),
    ],
)
def test_a_bad_sign_in_field_is_400_naming_it(make_consumer, fields, field):
    make_consumer("ann")

    response = post_json(APIClient(), "/api/v1/auth/token/", {"username": "ann", "password": "x", **fields})

    assert response.status_code == 400
    assert field in response.json()


def test_a_sign_up_body_over_the_upload_limit_is_413(db):
    padding = "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    response = post_json(
        APIClient(), REGISTER, {"username": padding, "email": "a@example.com", "password": "x"}
    )

    assert response.status_code == 413
    assert response.json()["code"] == "request_too_large"
    assert not User.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"username": "x" * 10_000}, "username", "Ensure this value has at most 150 characters"),
        ({"email": "ann@example"}, "email", "Enter a valid email address."),
    ],
)
def test_the_sign_up_page_shows_a_bad_field_next_to_it_and_creates_nobody(client, fields, field, message):
    data = {"username": "ann", "email": "ann@example.com", "password": "a-Long-pass-950", **fields}

    response = client.post("/accounts/sign-up/", data)

    assert response.status_code == 200  # a form page answers with itself, its errors shown
    assert response.context["form"].errors[field][0].startswith(message)
    assert not User.objects.exists()


def test_a_sign_up_page_post_over_the_upload_limit_is_400_not_a_crash(client):
    data = {"username": "x" * settings.DATA_UPLOAD_MAX_MEMORY_SIZE, "email": "a@example.com", "password": "x"}

    response = client.post("/accounts/sign-up/", data)

    assert response.status_code == 400
    assert not User.objects.exists()


# Text no database can hold, in every write endpoint and form (issue 12, item 8) ---------------


NUL = "\u0000"
LONE_SURROGATE = "\ud800"
NUL_MESSAGE = "Null characters are not allowed."
SURROGATE_MESSAGE = "This text holds an invalid character (a lone surrogate): send valid Unicode."
BAD_TEXTS = [(f"Gift{NUL}card", NUL_MESSAGE), (f"Gift{LONE_SURROGATE}card", SURROGATE_MESSAGE)]


def database_rows() -> dict[str, list[dict]]:
    """Every row of every table, to show that a refused request wrote nothing anywhere."""
    return {
        model._meta.label: list(model.objects.order_by("pk").values())
        for model in apps.get_models()
        if model._meta.managed
    }


def set_at(body: dict, path: list, value: object) -> dict:
    """A copy of body with the value at path (keys and list indexes) replaced."""
    body = copy.deepcopy(body)
    target = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = value
    return body


@pytest.fixture
def world(make_consumer, make_merchant_staff):
    """Credentials of each kind of caller and the objects the write endpoints act on."""
    ann = make_consumer("ann")
    staff = make_merchant_staff("ford")
    promotion = perk_services.promotion_create(
        merchant=staff.merchant_staff.merchant,
        title="Priority",
        category="deposit_free",
        benefit_type="priority",
        min_score=600,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=Promotion.Status.ACTIVE,
    )
    claim = perk_services.claim_create(promotion=promotion, person=ann)
    partner = Partner.objects.create(name="Bank", slug="bank")
    return {
        "consumer": f"Token {api_token_issue(user=ann)}",
        "merchant": f"Token {api_token_issue(user=staff)}",
        "partner": f"Api-Key {scoring_services.partner_key_issue(partner=partner)}",
        "anonymous": "",
        "promotion": promotion.pk,
        "claim": claim.pk,
    }


PROMOTION = {
    "title": "Gift card",
    "title_zh": "礼品卡",
    "description": "A gift card.",
    "description_zh": "礼品卡。",
    "category": "try_before_buy",
    "benefit_type": "trial",
    "trial_days": 3,
    "min_score": 600,
    "starts_at": "2030-01-01T00:00:00+08:00",
    "conditions": {"attr": "region", "in": ["zhejiang"]},
    "tiers": [{"min_score": 700, "benefit": "Gift card 700"}],
    "regions": ["zhejiang"],
}
EVENTS = {
    "events": [
        {
            "id": "evt-1",
            "type": "bill_paid",
            "person": "ann",
            "data": {
                "kind": "utility",
                "amount": "1",
                "due_on": "2026-01-01",
                "issuer": "Water",
                "reference": "A",
            },
        }
    ]
}
# Every write operation of shared/api.md that reads a body, with every text field of it (nested
# ones by their path). Cancel, opt-in, opt-out and claim read no body: no text reaches them.
WRITES = [
    (
        "anonymous",
        "post",
        "/api/v1/auth/register/",
        {"username": "bo", "email": "bo@example.com", "password": "a-Long-pass-950"},
        [["username"], ["email"], ["password"]],
    ),
    (
        "anonymous",
        "post",
        "/api/v1/auth/token/",
        {"username": "ann", "password": "a-Long-pass-950"},
        [["username"], ["password"]],
    ),
    (
        "partner",
        "post",
        "/api/v1/ingest/events/",
        EVENTS,
        [
            ["events", 0, "id"],
            ["events", 0, "type"],
            ["events", 0, "person"],
            ["events", 0, "data", "kind"],
            ["events", 0, "data", "issuer"],
            ["events", 0, "data", "reference"],
        ],
    ),
    ("consumer", "post", "/api/v1/me/shares/", {"show": "band", "expires_in_days": 7}, [["show"]]),
    ("merchant", "post", "/api/v1/merchant/claims/{claim}/mark/", {"status": "returned"}, [["status"]]),
    (
        "merchant",
        "post",
        "/api/v1/merchant/promotions/",
        PROMOTION,
        [
            ["title"],
            ["title_zh"],
            ["description"],
            ["description_zh"],
            ["category"],
            ["benefit_type"],
            ["starts_at"],
            ["conditions", "in", 0],
            ["tiers", 0, "benefit"],
            ["regions", 0],
        ],
    ),
    (
        "merchant",
        "patch",
        "/api/v1/merchant/promotions/{promotion}/",
        PROMOTION,
        [
            ["title"],
            ["title_zh"],
            ["description"],
            ["description_zh"],
            ["conditions", "in", 0],
            ["tiers", 0, "benefit"],
            ["regions", 0],
        ],
    ),
    (
        "merchant",
        "post",
        "/api/v1/merchant/verify/",
        {"code": "ABCD-EFGH", "counter_facts": {"ticket_class": "first"}},
        [["code"], ["counter_facts", "ticket_class"]],
    ),
]
CASES = [
    pytest.param(
        who,
        method,
        url,
        body,
        path,
        text,
        message,
        id=f"{method} {url} {'.'.join(map(str, path))} {message[:4]}",
    )
    for who, method, url, body, paths in WRITES
    for path in paths
    for text, message in BAD_TEXTS
]


def field_name(path: list) -> str:
    name = ""
    for step in path:
        name += f"[{step}]" if isinstance(step, int) else (f".{step}" if name else step)
    return name


@pytest.mark.parametrize(("who", "method", "url", "body", "path", "text", "message"), CASES)
def test_a_nul_or_a_lone_surrogate_in_any_text_field_is_400_naming_it_and_writes_nothing(
    world, who, method, url, body, path, text, message
):
    client = APIClient()
    before = database_rows()

    response = getattr(client, method)(
        url.format(**world),
        data=json.dumps(set_at(body, path, text)),
        content_type="application/json",
        HTTP_AUTHORIZATION=world[who],
    )

    assert (response.status_code, response.json()) == (400, {field_name(path): [message]})
    assert database_rows() == before


def test_a_tier_benefit_with_a_lone_surrogate_is_not_stored_and_the_promotions_list_stays_readable(world):
    client = APIClient(HTTP_AUTHORIZATION=world["merchant"])
    body = {**PROMOTION, "tiers": [{"min_score": 700, "benefit": "Gift card \ud83d"}]}

    refused = client.post(
        "/api/v1/merchant/promotions/", data=json.dumps(body), content_type="application/json"
    )
    listing = client.get("/api/v1/merchant/promotions/")

    assert (refused.status_code, refused.json()) == (400, {"tiers[0].benefit": [SURROGATE_MESSAGE]})
    assert listing.status_code == 200
    assert [promotion["title"] for promotion in listing.json()["results"]] == ["Priority"]


def test_a_nul_in_a_query_parameter_of_the_api_is_400_naming_it(world):
    response = APIClient().get("/api/v1/merchant/promotions/?page=1%00", HTTP_AUTHORIZATION=world["merchant"])

    assert (response.status_code, response.json()) == (400, {"page": [NUL_MESSAGE]})


# HTML forms: every field of every form that writes, with a NUL (a form body carries no lone
# surrogate: Django decodes a bad UTF-8 sequence as U+FFFD), before any form or view runs.
FORMS = [
    ("anonymous", "/accounts/sign-up/", ["username", "email", "password"]),
    ("anonymous", "/accounts/merchants/apply/", ["username", "email", "password", "merchant_name"]),
    ("anonymous", "/accounts/login/", ["username", "password"]),
    ("anonymous", "/accounts/password/reset/", ["email"]),
    ("consumer", "/accounts/password/change/", ["old_password", "new_password1", "new_password2"]),
    ("consumer", "/accounts/data/delete/", ["password", "confirm"]),
    ("consumer", "/dashboard/opt-in/", ["consent"]),
    ("consumer", "/dashboard/disputes/", ["dimension", "message"]),
    ("consumer", "/perks/{promotion}/claim/", ["idempotency_key"]),
    ("consumer", "/shares/", ["show", "expires_in_days"]),
    ("merchant", "/merchant/promotions/new/", ["title", "description", "conditions_json", "tiers-0-benefit"]),
    ("merchant", "/merchant/promotions/{promotion}/edit/", ["title", "description_zh", "tiers-0-benefit"]),
    ("merchant", "/merchant/promotions/{promotion}/status/", ["status"]),
    ("merchant", "/merchant/counter/", ["code"]),
    ("merchant", "/merchant/claims/{claim}/mark/", ["status"]),
    ("merchant", "/merchant/webhooks/", ["url", "description"]),
]


@pytest.fixture
def html_world(world, client):
    ann = User.objects.get(username="ann")
    staff = User.objects.get(username="ford-staff")
    return {**world, "users": {"consumer": ann, "merchant": staff}}


@pytest.mark.parametrize(
    ("who", "url", "field"),
    [pytest.param(who, url, field, id=f"{url} {field}") for who, url, fields in FORMS for field in fields],
)
def test_a_nul_in_any_form_field_is_a_400_page_naming_it_and_writes_nothing(
    client, html_world, who, url, field
):
    if who != "anonymous":
        client.force_login(html_world["users"][who])
    before = database_rows()

    response = client.post(url.format(**html_world), {field: f"x{NUL}y", "other": "fine"})

    assert response.status_code == 400
    assert f"The field “{field}” was refused: {NUL_MESSAGE}" in response.content.decode()
    assert database_rows() == before


@pytest.mark.parametrize(("escape", "message"), [("\\u0000", NUL_MESSAGE), ("\\ud800", SURROGATE_MESSAGE)])
def test_a_json_escape_of_bad_text_in_the_console_condition_json_is_a_form_error(
    client, html_world, escape, message
):
    client.force_login(html_world["users"]["merchant"])
    before = database_rows()

    response = client.post(
        "/merchant/promotions/new/",
        {"title": "Gift", "conditions_json": '{"attr": "region", "in": ["zhe' + escape + 'jiang"]}'},
    )

    assert response.status_code == 200  # the console's form pages answer with themselves
    assert message in response.context["form"].errors["conditions_json"]
    assert database_rows() == before


@pytest.mark.parametrize("field", ["date_from", "date_to"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("page", ["claims/", "claims.csv"])
def test_a_date_filter_at_the_edge_of_the_calendar_is_refused_not_a_crash(
    client, html_world, field, day, page
):
    client.force_login(html_world["users"]["merchant"])

    response = client.get(f"/merchant/promotions/{html_world['promotion']}/{page}", {field: day})

    assert response.status_code == 200
    if page == "claims/":
        assert response.context["form"].errors[field] == ["Choose a day from 2000-01-01 to 2999-12-31."]


@pytest.mark.parametrize("url", ["/api/v1/merchant/promotions/", "/merchant/promotions/new/"])
def test_a_multipart_body_without_a_boundary_is_400_not_a_crash(client, html_world, url):
    client.force_login(html_world["users"]["merchant"])
    before = database_rows()

    response = client.generic("POST", url, b"title=x", content_type="multipart/form-data")

    assert response.status_code == 400
    assert "The form data could not be read: send it again as a complete form." in response.content.decode()
    assert database_rows() == before


def test_a_form_encoded_api_body_is_still_readable_by_the_view_after_the_text_check(client, html_world):
    # The claim API fingerprints the raw body for its idempotency key, after the check read the form.
    client.force_login(html_world["users"]["consumer"])
    Claim.objects.all().delete()

    response = client.generic(
        "POST",
        f"/api/v1/perks/{html_world['promotion']}/claim/",
        b'--b\r\nContent-Disposition: form-data; name="note"\r\n\r\nfine\r\n--b--\r\n',
        content_type="multipart/form-data; boundary=b",
        HTTP_IDEMPOTENCY_KEY="abcdefghijklmnopqrst",
    )

    assert response.status_code == 201
