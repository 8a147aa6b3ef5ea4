"""Nobody sees what is not theirs: every route, every kind of caller, from the URL resolver.

ROUTES below says, for each named route the resolver knows, what each of seven callers gets:
a status, or a redirect to a named page. The routes are read from the resolver, so a route
added without a row here fails ``test_every_route_is_in_the_matrix`` with its name: add its
row. Path parameters are filled with real objects owned by the consumer or by merchant A, so
"another owner's object is a 404" is checked for consumer B and merchant B on every such route.

Every request runs in a savepoint that is rolled back, so one caller's write (an opt-out, a
cancel) never changes what the next caller sees. Every answer to a merchant login (pending
included) is also searched for scores: no ``score`` key in JSON and no person's score in HTML.
"""

import dataclasses
import datetime
import json
import re
from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import Resolver404, URLPattern, URLResolver, get_resolver, include, path, resolve, reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import ConsumerProfile, User
from core.bands import Band
from core.notifications.services import notify
from perks import services as perks_services
from perks import webhooks
from perks.models import BenefitType, Category, Promotion
from scoring.models import ScoreSnapshot
from tests.leaks import shows

pytestmark = pytest.mark.django_db

ROLES = (
    "anonymous",
    "consumer",
    "other_consumer",
    "pending_merchant",
    "merchant",
    "other_merchant",
    "staff",
)
MERCHANT_ROLES = ("pending_merchant", "merchant", "other_merchant")

# The people's scores: numbers that appear nowhere else on any page (thresholds and tier bounds
# are multiples of 50), so finding one in a merchant's page means a score leaked.
CONSUMER_SCORE = 887
OTHER_CONSUMER_SCORE = 713

# Routes left out of the matrix, and why. Everything else the resolver knows must have a row.
NOT_IN_MATRIX = {
    # Django admin's own views: reachable only by staff, guarded by admin.site itself (see
    # admin:index below, which proves that guard for every other caller).
    "admin:*",
    # Django's language switch: a redirect that stores a cookie, the same for everyone.
    "set_language",
}


@dataclasses.dataclass(frozen=True)
class Redirect:
    """A 302 to a named page (the query string, such as ?next=, is not compared)."""

    to: str

    def __str__(self) -> str:
        return f"→{self.to}"


LOGIN = Redirect("accounts:login")
WELCOME = Redirect("accounts:after_login")
PENDING = Redirect("accounts:merchant_pending")
ADMIN_LOGIN = Redirect("admin:login")
Outcome = int | Redirect


def everyone(outcome: Outcome) -> dict[str, Outcome]:
    return dict.fromkeys(ROLES, outcome)


def each(**outcomes: Outcome) -> dict[str, Outcome]:
    missing = set(ROLES) - set(outcomes)
    unknown = set(outcomes) - set(ROLES)
    assert not missing and not unknown, f"say what each caller gets: missing {missing}, unknown {unknown}"
    return outcomes


def consumer_page(*, owner: Outcome = 200, other: Outcome | None = None) -> dict[str, Outcome]:
    """A consumer_required page: consumers get in, other logins go to their own home."""
    return each(
        anonymous=LOGIN,
        consumer=owner,
        other_consumer=owner if other is None else other,
        pending_merchant=WELCOME,
        merchant=WELCOME,
        other_merchant=WELCOME,
        staff=WELCOME,
    )


def console_page(*, owner: Outcome = 200, other: Outcome | None = None) -> dict[str, Outcome]:
    """A merchant_required page: approved merchant staff only; a pending one waits."""
    return each(
        anonymous=LOGIN,
        consumer=403,
        other_consumer=403,
        pending_merchant=PENDING,
        merchant=owner,
        other_merchant=owner if other is None else other,
        staff=403,
    )


def consumer_api(
    *, owner: Outcome, other: Outcome | None = None, others: Outcome = 403
) -> dict[str, Outcome]:
    """A consumer's API: anonymous is 401; logins that are not consumers get ``others``."""
    return each(
        anonymous=401,
        consumer=owner,
        other_consumer=owner if other is None else other,
        pending_merchant=others,
        merchant=others,
        other_merchant=others,
        staff=others,
    )


def merchant_api(*, owner: Outcome, other: Outcome | None = None) -> dict[str, Outcome]:
    """A merchant API: approved merchant staff only (a pending merchant is 403 like a consumer)."""
    return each(
        anonymous=401,
        consumer=403,
        other_consumer=403,
        pending_merchant=403,
        merchant=owner,
        other_merchant=owner if other is None else other,
        staff=403,
    )


@dataclasses.dataclass(frozen=True)
class Probe:
    """One request to a route: method, what to send, and what each caller gets."""

    expect: dict[str, Outcome]
    method: str = "get"
    kwargs: Callable[["World"], dict[str, Any]] = lambda world: {}
    data: Callable[["World"], dict[str, Any]] | None = None
    json: bool = False


def api(expect: dict[str, Outcome], method: str = "get", **options: Any) -> Probe:
    return Probe(expect=expect, method=method, json=True, **options)


def promotion(world: "World") -> dict[str, int]:
    return {"pk": world.promotion.pk}


def claim(world: "World") -> dict[str, int]:
    return {"pk": world.claim.pk}


def share(world: "World") -> dict[str, int]:
    return {"pk": world.share.pk}


def notification(world: "World") -> dict[str, int]:
    return {"pk": world.notification.pk}


def reset_link(world: "World") -> dict[str, str]:
    person = world.users["consumer"]
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
        "token": default_token_generator.make_token(person),
    }


# Each route's rows. A POST that would change something is sent empty or invalid where the
# route allows it, so "allowed" shows as the route's validation answer (400, or the form again).
ROUTES: dict[str, list[Probe]] = {
    # --- Public pages --------------------------------------------------------------------------
    "home": [Probe(everyone(200))],
    "healthz": [Probe(everyone(200))],
    # The site's icon, for whoever asks: a permanent redirect to the static file.
    "favicon": [Probe(everyone(301))],
    "accounts:sign_up": [Probe(everyone(200))],
    "accounts:merchant_apply": [Probe(everyone(200))],
    "accounts:login": [Probe(everyone(200))],
    "accounts:password_reset": [Probe(everyone(200))],
    "accounts:password_reset_done": [Probe(everyone(200))],
    "accounts:password_reset_confirm": [
        # A valid link moves to its set-password form, whoever opens it: the token is the key.
        # Signing in moves last_login and so voids the link: the consumer, signed in, gets the
        # "invalid link" page.
        Probe({**everyone(302), "consumer": 200}, kwargs=reset_link)
    ],
    "accounts:password_reset_complete": [Probe(everyone(200))],
    "perks:share_public": [
        Probe(everyone(200), kwargs=lambda world: {"token": world.share.token}),
    ],
    # --- Any login -----------------------------------------------------------------------------
    "accounts:logout": [Probe(each(**{role: 302 for role in ROLES}), method="post")],
    "accounts:after_login": [
        Probe(
            each(
                anonymous=LOGIN,
                consumer=Redirect("scoring:dashboard"),
                other_consumer=Redirect("scoring:dashboard"),
                pending_merchant=PENDING,
                merchant=Redirect("perks:console"),
                other_merchant=Redirect("perks:console"),
                staff=Redirect("admin:index"),
            )
        )
    ],
    "accounts:merchant_pending": [
        Probe(
            each(
                anonymous=LOGIN,
                consumer=200,
                other_consumer=200,
                pending_merchant=200,
                merchant=WELCOME,
                other_merchant=WELCOME,
                staff=200,
            )
        )
    ],
    "accounts:password_change": [Probe({**everyone(200), "anonymous": LOGIN})],
    "accounts:password_change_done": [Probe({**everyone(200), "anonymous": LOGIN})],
    "admin:index": [
        Probe(
            each(
                anonymous=ADMIN_LOGIN,
                consumer=ADMIN_LOGIN,
                other_consumer=ADMIN_LOGIN,
                pending_merchant=ADMIN_LOGIN,
                merchant=ADMIN_LOGIN,
                other_merchant=ADMIN_LOGIN,
                staff=200,
            )
        )
    ],
    # --- Consumer pages --------------------------------------------------------------------------
    "scoring:dashboard": [Probe(consumer_page())],
    "scoring:opt_in": [Probe(consumer_page(owner=Redirect("scoring:dashboard")))],
    "scoring:opt_out": [Probe(consumer_page())],
    "scoring:dispute_create": [Probe(consumer_page(owner=400), method="post")],
    "privacy:data": [Probe(consumer_page())],
    "privacy:data_export": [Probe(consumer_page(), method="post")],
    "privacy:delete": [Probe(consumer_page(), method="post")],
    "profile:show": [Probe(consumer_page())],
    "profile:identity": [Probe(consumer_page(owner=400), method="post")],
    "profile:declaration": [Probe(consumer_page(owner=Redirect("profile:show")), method="post")],
    "profile:contact": [Probe(consumer_page(owner=404), method="post", kwargs=lambda world: {"pk": 999999})],
    "profile:source": [Probe(consumer_page(owner=Redirect("profile:show")), method="post")],
    "perks:list": [Probe(consumer_page())],
    "perks:claim_confirm": [Probe(consumer_page(), kwargs=promotion)],
    "perks:my_claims": [Probe(consumer_page())],
    "perks:claim_detail": [Probe(consumer_page(other=404), kwargs=claim)],
    "perks:claim_cancel": [
        # GET asks to confirm; POST cancels.
        Probe(consumer_page(other=404), kwargs=claim),
        Probe(consumer_page(owner=Redirect("perks:claim_detail"), other=404), method="post", kwargs=claim),
    ],
    # The claim has no due-back date until it is picked up: no calendar file, even for its owner.
    "perks:claim_calendar": [Probe(consumer_page(owner=404, other=404), kwargs=claim)],
    "perks:shares": [Probe(consumer_page())],
    "perks:goal_set": [Probe(consumer_page(owner=Redirect("scoring:dashboard")), method="post")],
    "perks:goal_clear": [Probe(consumer_page(owner=Redirect("scoring:dashboard")), method="post")],
    "accounts:notifications": [Probe(consumer_page())],
    "accounts:notification_read": [
        Probe(
            consumer_page(owner=Redirect("accounts:notifications"), other=404),
            method="post",
            kwargs=notification,
        )
    ],
    "accounts:notifications_read_all": [
        Probe(consumer_page(owner=Redirect("accounts:notifications")), method="post")
    ],
    "accounts:notification_settings": [Probe(consumer_page(owner=Redirect("profile:show")), method="post")],
    "perks:share_revoke": [
        Probe(consumer_page(owner=Redirect("perks:shares"), other=404), method="post", kwargs=share)
    ],
    # --- Merchant console ------------------------------------------------------------------------
    "perks:console": [Probe(console_page())],
    "perks:console_promotion_create": [Probe(console_page())],
    "perks:console_promotion": [Probe(console_page(other=404), kwargs=promotion)],
    "perks:console_promotion_edit": [Probe(console_page(other=404), kwargs=promotion)],
    "perks:console_promotion_status": [
        Probe(
            console_page(owner=Redirect("perks:console_promotion"), other=404),
            method="post",
            kwargs=promotion,
        )
    ],
    "perks:console_claims": [Probe(console_page(other=404), kwargs=promotion)],
    "perks:console_claims_csv": [Probe(console_page(other=404), kwargs=promotion)],
    "perks:console_verify": [
        Probe(console_page()),
        # The counter on a claim with open counter checks: "check needed" for its merchant, the
        # same page as for an unknown code for another merchant.
        Probe(console_page(), method="post", data=lambda world: {"code": world.claim.code}),
    ],
    "perks:console_hand_over": [
        # The claim has open counter checks: "check needed" for its merchant, "unknown" for another.
        Probe(console_page(), method="post", data=lambda world: {"code": world.claim.code}),
    ],
    "perks:console_hand_over_undo": [
        # Nothing handed over yet: its merchant is sent back to the claim with the reason.
        Probe(console_page(owner=Redirect("perks:console_claim"), other=404), method="post", kwargs=claim)
    ],
    "perks:console_claim": [Probe(console_page(other=404), kwargs=claim)],
    "perks:console_claim_mark": [
        Probe(console_page(owner=Redirect("perks:console_claim"), other=404), method="post", kwargs=claim)
    ],
    "perks:console_webhooks": [Probe(console_page())],
    "perks:console_webhook": [
        Probe(console_page(other=404), kwargs=lambda world: {"pk": world.webhook_endpoint.pk})
    ],
    "perks:console_webhook_disable": [
        Probe(
            console_page(owner=Redirect("perks:console_webhook"), other=404),
            method="post",
            kwargs=lambda world: {"pk": world.webhook_endpoint.pk},
        )
    ],
    # --- API: accounts -------------------------------------------------------------------------
    "api:register": [api(everyone(400), "post", data=lambda world: {})],
    "api:token": [api(everyone(400), "post", data=lambda world: {})],
    "api:schema": [api(everyone(200))],
    # --- API: consumers ------------------------------------------------------------------------
    "api:opt-in": [api(consumer_api(owner=200), "post")],
    "api:opt-out": [api(consumer_api(owner=204), "post")],
    "api:score": [api(consumer_api(owner=200))],
    "api:score-history": [api(consumer_api(owner=200))],
    "api:identity": [
        # Reading says "unverified" to any login; only consumers submit.
        api(consumer_api(owner=200, others=200)),
        api(consumer_api(owner=400, others=403), "post", data=lambda world: {}),
    ],
    "api:score-simulate": [
        api(
            consumer_api(owner=200), "post", data=lambda world: {"verify_identity": True, "on_time_months": 3}
        )
    ],
    "api:perks": [api(consumer_api(owner=200, others=200))],
    "api:perk-claim": [
        # The consumer holds one already (per-person limit 1); the other consumer may claim.
        api(consumer_api(owner=409, other=201), "post", kwargs=promotion)
    ],
    "api:my-claims": [api(consumer_api(owner=200, others=200))],
    "api:my-disputes": [api(consumer_api(owner=200, others=200))],
    # Every login has an inbox of its own through the API (a merchant's is empty); another's is 404.
    "api:my-notifications": [api(consumer_api(owner=200, others=200))],
    "api:my-notifications-read-all": [api(consumer_api(owner=200, others=200), "post")],
    "api:my-notification-read": [
        api(consumer_api(owner=200, other=404, others=404), "post", kwargs=notification)
    ],
    "api:my-claim-cancel": [api(consumer_api(owner=200, other=404, others=404), "post", kwargs=claim)],
    "api:my-shares": [
        api(consumer_api(owner=200, others=200)),
        api(consumer_api(owner=400, others=400), "post", data=lambda world: {}),
    ],
    "api:my-share": [api(consumer_api(owner=204, other=404, others=404), "delete", kwargs=share)],
    "api:share-public": [api(everyone(200), kwargs=lambda world: {"token": world.share.token})],
    # --- API: merchants --------------------------------------------------------------------------
    "api:merchant-promotions": [
        api(merchant_api(owner=200)),
        api(merchant_api(owner=400), "post", data=lambda world: {}),
    ],
    "api:merchant-promotion": [
        api(merchant_api(owner=200, other=404), kwargs=promotion),
        api(
            merchant_api(owner=400, other=404),
            "patch",
            kwargs=promotion,
            data=lambda world: {"min_score": 1},
        ),
    ],
    "api:merchant-promotion-audience": [api(merchant_api(owner=200, other=404), kwargs=promotion)],
    "api:merchant-promotion-claims": [api(merchant_api(owner=200, other=404), kwargs=promotion)],
    "api:merchant-claim-mark": [
        api(merchant_api(owner=400, other=404), "post", kwargs=claim, data=lambda world: {}),
    ],
    "api:merchant-verify": [
        # Another merchant's code looks exactly like an unknown one: 200 with valid false.
        api(merchant_api(owner=200), "post", data=lambda world: {"code": world.claim.code}),
        # With the counter's facts stated: the owner honours the claim (its tier's benefit, no score).
        api(
            merchant_api(owner=200),
            "post",
            data=lambda world: {"code": world.claim.code, "counter_facts": {"ticket_class": "first"}},
        ),
    ],
    "api:merchant-hand-over": [
        # As the check: another merchant's code answers like an unknown one (200, valid false).
        api(merchant_api(owner=200), "post", data=lambda world: {"code": world.claim.code}),
    ],
    "api:merchant-claim-undo-hand-over": [
        # Nothing handed over yet: 400 for its merchant, 404 for another.
        api(merchant_api(owner=400, other=404), "post", kwargs=claim, data=lambda world: {}),
    ],
    # --- API: partners ---------------------------------------------------------------------------
    # Only a partner API key gets in (tests/test_security.py); no login of any kind does.
    "api:ingest-events": [api(everyone(401), "post", data=lambda world: {"events": []})],
    "api:partner-identity-requests": [api(everyone(401))],
    "api:partner-notices": [api(everyone(401))],
    "api:partner-identity-decision": [
        api(everyone(401), "post", kwargs=lambda world: {"pk": 1}, data=lambda world: {"status": "rejected"})
    ],
}


# --- The world the matrix runs in ------------------------------------------------------------


@dataclasses.dataclass
class World:
    users: dict[str, User | None]
    promotion: Any
    other_promotion: Any
    claim: Any
    share: Any
    webhook_endpoint: Any
    notification: Any = None

    @property
    def scores(self) -> tuple[int, ...]:
        return (CONSUMER_SCORE, OTHER_CONSUMER_SCORE)


def _give_score(person: User, score: int) -> None:
    ConsumerProfile.objects.filter(user=person).update(score=score, score_as_of=timezone.localdate())
    ScoreSnapshot.objects.filter(person=person).update(
        score=score, band=Band.for_score(score), credit_history=80
    )


# Tiers, a sub-score condition and a counter check: the merchant-facing answers on claims made
# under them are searched for scores like every other answer.
TIERS = [
    {"min_score": 700, "benefit": "Deposit waived and a voucher"},
    {"min_score": 850, "benefit": "Deposit waived and a bigger voucher"},
]
CONDITIONS = {
    "all": [
        {"attr": "dimension", "key": "credit_history", "gte": 75},
        {"counter": "ticket_class", "in": ["first", "business"]},
    ]
}


def _promotion_for(merchant: Any, title: str) -> Promotion:
    return perks_services.promotion_create(
        merchant=merchant,
        title=title,
        category=Category.DEPOSIT_FREE,
        benefit_type=BenefitType.DEPOSIT_WAIVER,
        amount=Decimal("299.00"),
        min_score=350,
        tiers=TIERS,
        conditions=CONDITIONS,
        quantity=50,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=Promotion.Status.ACTIVE,
    )


@pytest.fixture
def world(make_consumer, make_merchant_staff) -> World:
    """Consumer A (a claim, a share), consumer B, a pending merchant, merchants A (a promotion
    with A's claim, a webhook endpoint) and B (a promotion of its own), and platform staff."""
    consumer = make_consumer("alice")
    other_consumer = make_consumer("bob")
    _give_score(consumer, CONSUMER_SCORE)
    _give_score(other_consumer, OTHER_CONSUMER_SCORE)
    pending = make_merchant_staff("pendingco", approved=False)
    merchant = make_merchant_staff("ford")
    other_merchant = make_merchant_staff("meitu")
    staff = User.objects.create_user("platform", "platform@example.com", "a-Long-pass-950", is_staff=True)
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])

    promotion = _promotion_for(merchant.merchant_staff.merchant, "Deposit-free bike")
    other_promotion = _promotion_for(other_merchant.merchant_staff.merchant, "Phone trial")
    claim = perks_services.claim_create(promotion=promotion, person=consumer)
    # A band-only share: one showing the score is the person's own choice, to whoever has the link.
    share = perks_services.share_create(person=consumer, show="band", expires_in_days=30)
    endpoint = webhooks.webhook_endpoint_create(
        merchant=merchant.merchant_staff.merchant, url="https://hooks.ford.example/events", actor=merchant
    )
    return World(
        users={
            "anonymous": None,
            "consumer": consumer,
            "other_consumer": other_consumer,
            "pending_merchant": pending,
            "merchant": merchant,
            "other_merchant": other_merchant,
            "staff": staff,
        },
        promotion=promotion,
        other_promotion=other_promotion,
        claim=claim,
        share=share,
        webhook_endpoint=endpoint,
        notification=notify(
            person_id=consumer.pk, kind="model_changed", key="model:v2", params={"version": "v2"}
        ),
    )


# --- Reading the resolver --------------------------------------------------------------------


def resolver_routes() -> dict[str, str]:
    """Every named route as "namespace:name" → its pattern, walking includes recursively."""

    def walk(patterns: list, prefix: str, namespace: str) -> Iterator[tuple[str, str]]:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = ":".join(filter(None, [namespace, pattern.namespace]))
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                name = pattern.name or f"<unnamed {prefix}{pattern.pattern}>"
                yield ":".join(filter(None, [namespace, name])), prefix + str(pattern.pattern)

    return dict(walk(get_resolver().url_patterns, "", ""))


def _left_out(name: str) -> bool:
    return any(
        name == entry or (entry.endswith(":*") and name.startswith(entry[:-1])) for entry in NOT_IN_MATRIX
    )


# --- Calling a route as someone --------------------------------------------------------------


def call(world: World, role: str, probe: Probe, path: str, **client_options: Any) -> HttpResponse:
    """The request as role, in a savepoint rolled back afterwards: whatever it wrote is undone
    (signing in included: it moves last_login, which password reset links depend on)."""
    data = probe.data(world) if probe.data else None
    options: dict[str, Any] = {}
    if probe.json and probe.method != "get":
        options = {"data": json.dumps(data or {}), "content_type": "application/json"}
    elif data is not None:
        options = {"data": data}
    client = Client(**client_options)
    with transaction.atomic():
        if world.users[role] is not None:
            client.force_login(world.users[role])
        response = getattr(client, probe.method)(path, **options)
        transaction.set_rollback(True)
    return response


def outcome_of(response: HttpResponse) -> str:
    """What a caller got, in words for a failure message."""
    if response.status_code in (301, 302):
        return f"{response.status_code} to {urlsplit(response['Location']).path}"
    return str(response.status_code)


def expected_matches(expected: Outcome, response: HttpResponse) -> bool:
    if isinstance(expected, Redirect):
        return response.status_code == 302 and _redirect_view(response) == expected.to
    return response.status_code == expected


def _redirect_view(response: HttpResponse) -> str | None:
    """The name of the page a redirect goes to (its query string, such as ?next=, aside)."""
    try:
        return resolve(urlsplit(response["Location"]).path).view_name
    except Resolver404:
        return None


def scores_leaked(response: HttpResponse, world: World) -> list[str]:
    """Where a merchant's answer shows a score: a ``score`` key, or a person's score as a number."""
    body = _ids_masked(response.content.decode("utf-8", errors="replace"), world)
    leaks = [f"the number {score}" for score in world.scores if shows(body, score)]
    if response.get("Content-Type", "").startswith("application/json"):
        leaks += [f"a {key!r} key" for key in _keys(json.loads(body or "null")) if key == "score"]
    return leaks


def _ids_masked(body: str, world: World) -> str:
    """The body with the world's own row ids masked where they stand as ids (a URL's segment, an
    ``"id"`` value, a CSV row's first cell): on PostgreSQL ids keep growing from test to test, so
    a claim's id can be 713, a score's number, and that is no leak."""
    objects = (world.promotion, world.other_promotion, world.claim, world.share, world.webhook_endpoint)
    for pk in {str(obj.pk) for obj in objects if obj is not None and obj.pk is not None}:
        body = re.sub(rf"/{pk}/", "/#/", body)
        body = re.sub(rf'"id": ?{pk}\b', '"id": "#"', body)
        body = re.sub(rf"(?m)^{pk},", "#,", body)
    return body


def _keys(value: object) -> Iterator[str]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


# --- The tests ---------------------------------------------------------------------------------


def routes_missing_from_matrix() -> dict[str, str]:
    """Routes the resolver knows that have no row (and are not left out on purpose)."""
    routes = resolver_routes()
    return {
        name: pattern
        for name, pattern in sorted(routes.items())
        if name not in ROUTES and not _left_out(name)
    }


def test_every_route_is_in_the_matrix():
    unknown = routes_missing_from_matrix()
    gone = sorted(name for name in ROUTES if name not in resolver_routes())

    assert not unknown, (
        "These routes are not in the authorization matrix; add a row for each to ROUTES in "
        "tests/test_authorization_matrix.py saying what every caller gets:\n"
        + "\n".join(f"  {name}  ({pattern})" for name, pattern in unknown.items())
    )
    assert not gone, "These ROUTES rows name routes that no longer exist:\n" + "\n".join(
        f"  {n}" for n in gone
    )


def test_a_route_added_without_a_row_is_caught(settings):
    # A URLconf of the project plus one new route, nested in an include like the apps' own.
    settings.ROOT_URLCONF = "tests.test_authorization_matrix"

    assert routes_missing_from_matrix() == {"sneaky:export": "sneaky/everything/"}


# The URLconf test_a_route_added_without_a_row_is_caught uses: the project's, and one more.
urlpatterns = [
    *get_resolver("portal.urls").url_patterns,
    path(
        "sneaky/", include(([path("everything/", lambda request: HttpResponse(), name="export")], "sneaky"))
    ),
]


def test_every_row_says_what_every_caller_gets():
    incomplete = [
        name for name, probes in ROUTES.items() for probe in probes if set(probe.expect) != set(ROLES)
    ]

    assert incomplete == []


@pytest.mark.parametrize("name", sorted(ROUTES))
def test_route_answers_each_caller_as_the_matrix_says(name, world):
    assert name in resolver_routes(), f"{name} is in ROUTES but not in the resolver"
    mismatches, leaks = [], []
    for probe in ROUTES[name]:
        path = reverse(name, kwargs=probe.kwargs(world))
        for role in ROLES:
            response = call(world, role, probe, path)
            request = f"{probe.method.upper()} {path} as {role}"
            if not expected_matches(probe.expect[role], response):
                mismatches.append(f"  {request}: expected {probe.expect[role]}, got {outcome_of(response)}")
            if role in MERCHANT_ROLES:
                leaks += [f"  {request}: {leak}" for leak in scores_leaked(response, world)]

    assert not mismatches, f"{name} answers differently from the matrix:\n" + "\n".join(mismatches)
    assert not leaks, f"{name} shows a merchant a score:\n" + "\n".join(leaks)


def test_the_leak_check_would_catch_a_score(world):
    # The score check above is only worth something if it can fail: a body with a score key,
    # and one with a person's score, are both caught.
    keyed = HttpResponse(json.dumps({"results": [{"score": 1}]}), content_type="application/json")
    numbered = HttpResponse(f"<p>Alice: {CONSUMER_SCORE} points</p>", content_type="text/html")
    clean = HttpResponse(f"<p>Threshold 650, claim {CONSUMER_SCORE}0</p>", content_type="text/html")

    assert scores_leaked(keyed, world) == ["a 'score' key"]
    assert scores_leaked(numbered, world) == [f"the number {CONSUMER_SCORE}"]
    assert scores_leaked(clean, world) == []
    tokens = HttpResponse(f'csrf "aQ{CONSUMER_SCORE}zX", nonce "q+{CONSUMER_SCORE}/w"')
    assert scores_leaked(tokens, world) == []
