"""Limits and headers: throttles, the sign-in lockout, password rules on every way to set one,
partner keys, the content security policy, cookies and CSRF on every form.

The page-wide checks (CSP, inline code, CSRF) walk every HTML page of the authorization matrix
(tests/test_authorization_matrix.py), as every caller it lets in, so a new page is covered as
soon as it has its row there.
"""

import datetime
import json
import re
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient

from accounts.models import CONSENT_VERSION, ApiToken, User
from accounts.services import api_token_issue
from perks import services as perks_services
from perks.models import BenefitType, Category, Claim, Promotion
from scoring import services as scoring_services
from scoring.models import Partner
from tests.test_authorization_matrix import ROLES, ROUTES, Probe, World, call
from tests.test_authorization_matrix import world as world  # the matrix's fixture, used here too
from tests.test_failures import fetch, production_settings
from tests.test_failures import production_server_without_database as production_server_without_database

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "a-Long-pass-950"
WEAK = "12345678"  # common, and entirely numeric: every validator that can object does
WEAK_MESSAGES = ("This password is too common.", "This password is entirely numeric.")


def token_client(user: User) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
    return client


def partner_client(name: str) -> APIClient:
    partner = Partner.objects.create(name=name.title(), slug=name)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {scoring_services.partner_key_issue(partner=partner)}")
    return client


def assert_throttled(response) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert response.json()["code"] == "throttled"


# --- Throttles ---------------------------------------------------------------------------------


def test_anonymous_callers_are_throttled_per_address_with_retry_after(throttle_rates):
    throttle_rates(anon="2/min")
    client = APIClient(REMOTE_ADDR="203.0.113.7")

    answers = [client.post("/api/v1/auth/token/", {}, format="json").status_code for _ in range(2)]
    throttled = client.post("/api/v1/auth/token/", {}, format="json")
    elsewhere = APIClient(REMOTE_ADDR="203.0.113.8").post("/api/v1/auth/token/", {}, format="json")

    assert answers == [400, 400]
    assert_throttled(throttled)
    assert elsewhere.status_code == 400


def test_consumers_are_throttled_per_login(throttle_rates, make_consumer):
    throttle_rates(user="2/min")
    ann, bob = token_client(make_consumer("ann")), token_client(make_consumer("bob"))

    answers = [ann.get("/api/v1/me/score/").status_code for _ in range(2)]
    throttled = ann.get("/api/v1/me/score/")

    assert answers == [200, 200]
    assert_throttled(throttled)
    assert bob.get("/api/v1/me/score/").status_code == 200


def test_merchant_verification_is_throttled_per_login(throttle_rates, make_merchant_staff):
    throttle_rates(perks_verify="2/min")
    ford = token_client(make_merchant_staff("ford"))

    answers = [ford.post("/api/v1/merchant/verify/", {"code": "NOPE"}, format="json") for _ in range(2)]
    throttled = ford.post("/api/v1/merchant/verify/", {"code": "NOPE"}, format="json")

    assert [answer.status_code for answer in answers] == [200, 200]
    assert_throttled(throttled)


def test_partners_are_throttled_per_key_not_per_address(throttle_rates):
    # Every partner calls from the same address here; each still has its own allowance.
    throttle_rates(partner_ingest="2/min", anon="1000/min")
    unionpay, alipay = partner_client("unionpay"), partner_client("alipay")

    answers = [unionpay.post("/api/v1/ingest/events/", {"events": []}, format="json") for _ in range(2)]
    throttled = unionpay.post("/api/v1/ingest/events/", {"events": []}, format="json")

    assert [answer.status_code for answer in answers] == [400, 400]
    assert_throttled(throttled)
    assert alipay.post("/api/v1/ingest/events/", {"events": []}, format="json").status_code == 400


def test_production_rates_are_the_documented_defaults_and_come_from_the_environment():
    # Debug settings (the tests') raise the rates; production keeps these, unless overridden.
    defaults = production_settings("REST_FRAMEWORK")["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]
    overridden = production_settings("REST_FRAMEWORK", DJANGO_THROTTLE_ANON="5/min")["REST_FRAMEWORK"]

    assert overridden["DEFAULT_THROTTLE_RATES"]["anon"] == "5/min"
    assert defaults == {
        "anon": "60/min",
        "user": "300/min",
        "perks_verify": "60/min",
        "partner_ingest": "120/min",
        "sign_in": "30/hour",
        "sign_up": "10/hour",
        "password_reset": "10/hour",
        "opt_in": "10/hour",
        "identity_submit": "10/hour",
        "new_account_claim": "5/hour",
    }


# --- Sign-in lockout (django-axes) -----------------------------------------------------------


@pytest.fixture
def ann(make_consumer) -> User:
    return make_consumer("ann", password=PASSWORD)


def sign_in(client: Client, password: str):
    return client.post(reverse("accounts:login"), {"username": "ann", "password": password})


def test_sign_in_page_locks_out_after_five_failures_even_with_the_right_password(ann, settings):
    client = Client(REMOTE_ADDR="198.51.100.4")

    failures = [sign_in(client, "wrong-password").status_code for _ in range(4)]
    fifth = sign_in(client, "wrong-password")
    right_password = sign_in(client, PASSWORD)

    assert failures == [200, 200, 200, 200]
    assert fifth.status_code == 429
    assert right_password.status_code == 429
    assert right_password["Retry-After"] == str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    assert "Too many failed sign-in attempts" in right_password.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_lockout_does_not_lock_the_person_out_from_elsewhere(ann):
    attacker = Client(REMOTE_ADDR="198.51.100.4")
    for _ in range(5):
        sign_in(attacker, "wrong-password")

    owner = Client(REMOTE_ADDR="192.0.2.10")
    response = sign_in(owner, PASSWORD)

    assert response.status_code == 302
    assert owner.session["_auth_user_id"] == str(ann.pk)


def test_token_api_locks_out_after_five_failures_with_json_429(ann):
    client = APIClient(REMOTE_ADDR="198.51.100.4")
    body = {"username": "ann", "password": "wrong-password"}

    failures = [client.post("/api/v1/auth/token/", body, format="json").status_code for _ in range(4)]
    fifth = client.post("/api/v1/auth/token/", body, format="json")
    right_password = client.post("/api/v1/auth/token/", {**body, "password": PASSWORD}, format="json")

    assert failures == [400, 400, 400, 400]
    assert fifth.status_code == 429
    assert right_password.status_code == 429
    assert right_password.json()["code"] == "locked_out"
    assert int(right_password["Retry-After"]) > 0
    assert not ApiToken.objects.filter(user=ann).exists()


def test_the_lockout_covers_the_admin_sign_in_too(make_consumer):
    User.objects.create_superuser("root", "root@example.com", PASSWORD)
    client = Client(REMOTE_ADDR="198.51.100.4")
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "root", "password": "wrong-password"})

    response = client.post(reverse("admin:login"), {"username": "root", "password": PASSWORD})

    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


# --- Per-address limits across usernames (password spraying, scripted sign-ups) ----------------


def assert_page_throttled(response) -> None:
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many attempts from your network" in response.content.decode()


def test_sign_in_page_limits_one_address_across_usernames(ann, throttle_rates):
    throttle_rates(sign_in="3/hour")
    sprayer = Client(REMOTE_ADDR="198.51.100.4")
    tries = [
        sprayer.post(reverse("accounts:login"), {"username": name, "password": "Summer2024!"}).status_code
        for name in ("bob", "carol", "dave")
    ]

    right_password = sprayer.post(reverse("accounts:login"), {"username": "ann", "password": PASSWORD})
    elsewhere = Client(REMOTE_ADDR="192.0.2.10")
    owner = elsewhere.post(reverse("accounts:login"), {"username": "ann", "password": PASSWORD})

    assert tries == [200, 200, 200]
    assert right_password.status_code == 429
    assert int(right_password["Retry-After"]) > 0
    assert "Too many sign-in attempts from your network" in right_password.content.decode()
    assert "_auth_user_id" not in sprayer.session
    assert owner.status_code == 302


def test_token_api_limits_one_address_across_usernames_with_json_429(ann, throttle_rates):
    throttle_rates(sign_in="3/hour")
    sprayer = APIClient(REMOTE_ADDR="198.51.100.4")
    tries = [
        sprayer.post("/api/v1/auth/token/", {"username": name, "password": "x"}, format="json").status_code
        for name in ("bob", "carol", "dave")
    ]

    right_password = sprayer.post(
        "/api/v1/auth/token/", {"username": "ann", "password": PASSWORD}, format="json"
    )

    assert tries == [400, 400, 400]
    assert right_password.status_code == 429
    assert right_password.json()["code"] == "throttled"
    assert set(right_password.json()) == {"detail", "code"}
    assert int(right_password["Retry-After"]) > 0
    assert not ApiToken.objects.filter(user=ann).exists()


def sign_up_form(name: str) -> dict[str, str]:
    return {"username": name, "email": f"{name}@example.com", "password": PASSWORD}


def test_sign_up_page_limits_one_address(throttle_rates):
    throttle_rates(sign_up="2/hour")
    first, second, third = (
        Client(REMOTE_ADDR="198.51.100.4").post(reverse("accounts:sign_up"), sign_up_form(name))
        for name in ("bot1", "bot2", "bot3")
    )

    assert (first.status_code, second.status_code) == (302, 302)
    assert_page_throttled(third)
    assert sorted(User.objects.filter(username__startswith="bot").values_list("username", flat=True)) == [
        "bot1",
        "bot2",
    ]


def test_merchant_application_counts_as_a_sign_up(throttle_rates):
    throttle_rates(sign_up="1/hour")
    client = Client(REMOTE_ADDR="198.51.100.4")
    client.post(reverse("accounts:sign_up"), sign_up_form("bot1"))

    response = Client(REMOTE_ADDR="198.51.100.4").post(
        reverse("accounts:merchant_apply"), {**sign_up_form("ford"), "merchant_name": "Ford"}
    )

    assert_page_throttled(response)
    assert not User.objects.filter(username="ford").exists()


def test_register_api_limits_one_address(throttle_rates):
    throttle_rates(sign_up="2/hour")
    api = APIClient(REMOTE_ADDR="198.51.100.4")

    answers = [
        api.post("/api/v1/auth/register/", sign_up_form(name), format="json")
        for name in ("bot1", "bot2", "bot3")
    ]
    other_address = APIClient(REMOTE_ADDR="192.0.2.10").post(
        "/api/v1/auth/register/", sign_up_form("ann"), format="json"
    )

    assert [answer.status_code for answer in answers] == [201, 201, 429]
    assert answers[2].json()["code"] == "throttled"
    assert int(answers[2]["Retry-After"]) > 0
    assert not User.objects.filter(username="bot3").exists()
    assert other_address.status_code == 201


def test_password_reset_page_limits_one_address_across_emails(ann, throttle_rates, mailoutbox):
    throttle_rates(password_reset="2/hour")
    client = Client(REMOTE_ADDR="198.51.100.4")
    client.post(reverse("accounts:password_reset"), {"email": "bob@example.com"})
    client.post(reverse("accounts:password_reset"), {"email": "carol@example.com"})

    response = client.post(reverse("accounts:password_reset"), {"email": "ann@example.com"})

    assert_page_throttled(response)
    assert mailoutbox == []


def test_per_address_limits_and_the_new_account_age_come_from_the_environment():
    defaults = production_settings("NEW_ACCOUNT_DAYS")
    overridden = production_settings(
        "REST_FRAMEWORK", "NEW_ACCOUNT_DAYS", DJANGO_THROTTLE_SIGN_IN="7/hour", DJANGO_NEW_ACCOUNT_DAYS="10"
    )

    assert defaults["NEW_ACCOUNT_DAYS"] == 30
    assert overridden["REST_FRAMEWORK"]["DEFAULT_THROTTLE_RATES"]["sign_in"] == "7/hour"
    assert overridden["NEW_ACCOUNT_DAYS"] == 10


# --- Fresh accounts: per-address limits on opting in and on claims by new accounts ------------


def test_opting_in_is_limited_per_address_on_the_page_and_the_api(make_consumer, throttle_rates):
    throttle_rates(opt_in="1/hour")
    ann, bob, cat = (make_consumer(name, opted_in=False) for name in ("ann", "bob", "cat"))
    page = Client(REMOTE_ADDR="198.51.100.4")
    page.force_login(ann)
    api = token_client(bob)
    api.defaults["REMOTE_ADDR"] = "198.51.100.4"
    elsewhere = token_client(cat)
    elsewhere.defaults["REMOTE_ADDR"] = "192.0.2.10"

    first = page.post(reverse("scoring:opt_in"), {"consent": "on", "consent_version": CONSENT_VERSION})
    second = api.post("/api/v1/me/opt-in/")
    other_address = elsewhere.post("/api/v1/me/opt-in/")

    assert first.status_code == 302
    assert_throttled(second)
    assert other_address.status_code == 200
    opted_in = dict(
        User.objects.filter(consumer__isnull=False).values_list("username", "consumer__is_opted_in")
    )
    assert opted_in == {"ann": True, "bob": False, "cat": True}


def test_claims_by_new_accounts_are_limited_per_address_and_established_accounts_pass(
    make_consumer, make_merchant_staff, throttle_rates
):
    # given a deposit-free wheelchair, two fresh accounts and an old one, all behind one address
    throttle_rates(new_account_claim="1/hour")
    merchant = make_merchant_staff("huashan").merchant_staff.merchant
    wheelchair = perks_services.promotion_create(
        merchant=merchant,
        title="Wheelchair without deposit",
        category=Category.DEPOSIT_FREE,
        benefit_type=BenefitType.DEPOSIT_WAIVER,
        amount=Decimal("5000.00"),
        min_score=600,
        quantity=36,
        starts_at=timezone.now() - datetime.timedelta(days=1),
        status=Promotion.Status.ACTIVE,
    )
    fresh1, fresh2, established = (make_consumer(name) for name in ("bot1", "bot2", "ann"))
    User.objects.filter(pk=established.pk).update(date_joined=timezone.now() - datetime.timedelta(days=31))
    clients = {}
    for user in (fresh1, fresh2, established):
        clients[user.username] = token_client(user)
        clients[user.username].defaults["REMOTE_ADDR"] = "198.51.100.4"
    page = Client(REMOTE_ADDR="198.51.100.4")
    page.force_login(fresh2)

    # when each claims it
    first = clients["bot1"].post(f"/api/v1/perks/{wheelchair.pk}/claim/")
    second_api = clients["bot2"].post(f"/api/v1/perks/{wheelchair.pk}/claim/")
    second_page = page.post(
        reverse("perks:claim_confirm", args=[wheelchair.pk]), {"idempotency_key": "k" * 32}
    )
    old_account = clients["ann"].post(f"/api/v1/perks/{wheelchair.pk}/claim/")

    # then the second fresh account is refused on both, and nothing of it was claimed
    assert first.status_code == 201
    assert_throttled(second_api)
    assert_page_throttled(second_page)
    assert old_account.status_code == 201
    assert sorted(Claim.objects.values_list("person__username", flat=True)) == ["ann", "bot1"]
    wheelchair.refresh_from_db()
    assert wheelchair.remaining == 34


# --- Password rules on every way to set a password ----------------------------------------------


def assert_refused_weak(text: str) -> None:
    assert any(message in text for message in WEAK_MESSAGES), text[:2000]


def test_sign_up_form_refuses_a_weak_password(client):
    response = client.post(
        reverse("accounts:sign_up"), {"username": "ann", "email": "ann@example.com", "password": WEAK}
    )

    assert_refused_weak(response.content.decode())
    assert not User.objects.filter(username="ann").exists()


def test_merchant_application_refuses_a_weak_password(client):
    response = client.post(
        reverse("accounts:merchant_apply"),
        {"username": "ford", "email": "ford@example.com", "password": WEAK, "merchant_name": "Ford"},
    )

    assert_refused_weak(response.content.decode())
    assert not User.objects.filter(username="ford").exists()


def test_register_api_refuses_a_weak_password():
    response = APIClient().post(
        "/api/v1/auth/register/",
        {"username": "ann", "email": "ann@example.com", "password": WEAK},
        format="json",
    )

    assert response.status_code == 400
    assert_refused_weak(" ".join(response.json()["password"]))
    assert not User.objects.filter(username="ann").exists()


def test_password_change_refuses_a_weak_password(client, ann):
    client.force_login(ann)

    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": WEAK, "new_password2": WEAK},
    )

    assert response.status_code == 200
    assert_refused_weak(response.content.decode())
    ann.refresh_from_db()
    assert ann.check_password(PASSWORD)


def test_password_reset_refuses_a_weak_password(client, ann):
    link = reverse(
        "accounts:password_reset_confirm",
        kwargs={
            "uidb64": urlsafe_base64_encode(force_bytes(ann.pk)),
            "token": default_token_generator.make_token(ann),
        },
    )
    set_password_page = client.get(link)["Location"]

    response = client.post(set_password_page, {"new_password1": WEAK, "new_password2": WEAK})

    assert response.status_code == 200
    assert_refused_weak(response.content.decode())
    ann.refresh_from_db()
    assert ann.check_password(PASSWORD)


def test_admin_add_user_refuses_a_weak_password(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))

    response = client.post(
        reverse("admin:accounts_user_add"),
        {"username": "weakling", "password1": WEAK, "password2": WEAK, "usable_password": "true"},
    )

    assert response.status_code == 200
    assert_refused_weak(response.content.decode())
    assert not User.objects.filter(username="weakling").exists()


def test_admin_set_password_refuses_a_weak_password(client, ann):
    client.force_login(User.objects.create_superuser("root", "root@example.com", PASSWORD))

    response = client.post(
        # UserAdmin names its password page auth_user_*, whatever the user model.
        reverse("admin:auth_user_password_change", args=[ann.pk]),
        {"password1": WEAK, "password2": WEAK},
    )

    assert response.status_code == 200
    assert_refused_weak(response.content.decode())
    ann.refresh_from_db()
    assert ann.check_password(PASSWORD)


# --- Partner keys --------------------------------------------------------------------------------


def test_partner_keys_are_stored_hashed_and_a_revoked_key_is_refused_401():
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")
    key = scoring_services.partner_key_issue(partner=partner)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    before = client.post("/api/v1/ingest/events/", {"events": []}, format="json")

    scoring_services.partner_key_revoke(partner=partner)
    after = client.post("/api/v1/ingest/events/", {"events": []}, format="json")

    partner.refresh_from_db()
    stored = json.dumps([getattr(partner, field.attname) for field in Partner._meta.fields], default=str)
    assert key not in stored
    assert key.split(".", 1)[1] not in stored
    assert before.status_code == 400  # in: the empty batch itself is what is refused
    assert after.status_code == 401
    assert after.json()["code"] == "authentication_failed"


def test_a_reissued_key_replaces_the_old_one():
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")
    old = scoring_services.partner_key_issue(partner=partner)
    new = scoring_services.partner_key_issue(partner=partner)

    old_client, new_client = APIClient(), APIClient()
    old_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {old}")
    new_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {new}")

    assert old_client.post("/api/v1/ingest/events/", {"events": []}, format="json").status_code == 401
    assert new_client.post("/api/v1/ingest/events/", {"events": []}, format="json").status_code == 400


# --- Every HTML page: CSP, no inline code, CSRF on every form ----------------------------------------

INLINE_SCRIPT = re.compile(r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")[^>]*>", re.I)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.I)
STYLE_ELEMENT = re.compile(r"<style\b", re.I)
EVENT_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
JAVASCRIPT_URL = re.compile(r"""(?:href|src|action)\s*=\s*["']?\s*javascript:""", re.I)


def html_pages(world: World) -> list[tuple[str, str, str]]:
    """(route, role, path) for every GET the matrix expects a 200 for."""
    pages = []
    for name, probes in sorted(ROUTES.items()):
        for probe in probes:
            if probe.method != "get" or probe.json:
                continue
            path = reverse(name, kwargs=probe.kwargs(world))
            pages += [(name, role, path) for role in ROLES if probe.expect[role] == 200]
    return pages


def fetch_html(world: World, role: str, path: str):
    response = call(world, role, Probe(expect={}), path)
    return response if response["Content-Type"].startswith("text/html") else None


def test_every_page_sends_a_strict_content_security_policy_and_has_no_inline_code(world):
    problems = []
    checked = 0
    for name, role, path in html_pages(world):
        response = fetch_html(world, role, path)
        if response is None:
            continue
        checked += 1
        policy = dict(
            [*part.strip().split(" ", 1), ""][:2] for part in response["Content-Security-Policy"].split(";")
        )
        html = response.content.decode()
        found = {
            "default-src is not 'self'": policy.get("default-src") != "'self'",
            "script-src allows more than 'self'": policy.get("script-src") != "'self'",
            "style-src allows more than 'self'": policy.get("style-src") != "'self'",
            "img-src is not 'self' data:": policy.get("img-src") != "'self' data:",
            "frame-ancestors is not 'none'": policy.get("frame-ancestors") != "'none'",
            "an inline <script>": bool(INLINE_SCRIPT.search(html)),
            "a style= attribute": bool(STYLE_ATTRIBUTE.search(html)),
            "a <style> element": bool(STYLE_ELEMENT.search(html)),
            "an on*= event handler": bool(EVENT_HANDLER.search(html)),
            "a javascript: URL": bool(JAVASCRIPT_URL.search(html)),
        }
        problems += [f"  {name} as {role} ({path}): {what}" for what, bad in found.items() if bad]

    assert checked >= 30, f"only {checked} HTML pages checked: the matrix should know more"
    assert problems == [], "Pages break the content security policy:\n" + "\n".join(problems)


def test_the_inline_code_checks_catch_what_they_look_for():
    assert INLINE_SCRIPT.search("<script>alert(1)</script>")
    assert not INLINE_SCRIPT.search('<script src="/static/js/portal.js" defer></script>')
    assert not INLINE_SCRIPT.search('<script type="application/json" id="data">{}</script>')
    assert STYLE_ATTRIBUTE.search('<div class="x" style="color: red">')
    assert not STYLE_ATTRIBUTE.search("<p>style= is fine in text</p>")
    assert EVENT_HANDLER.search('<button onclick="go()">')
    assert not EVENT_HANDLER.search('<button class="one">')


class FormParser(HTMLParser):
    """The POST forms of a page: their action and whether they carry a CSRF token."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self._current: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "get").lower() == "post":
            self._current = {"action": attributes.get("action") or "", "token": False}
            self.forms.append(self._current)
        elif tag == "input" and self._current is not None and attributes.get("name") == "csrfmiddlewaretoken":
            self._current["token"] = bool(attributes.get("value"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._current = None


def test_every_post_form_carries_a_csrf_token_and_posting_without_it_is_refused_403(world):
    missing, accepted, posted = [], [], set()
    for name, role, path in html_pages(world):
        response = fetch_html(world, role, path)
        if response is None:
            continue
        parser = FormParser()
        parser.feed(response.content.decode())
        for form in parser.forms:
            action = urlsplit(form["action"]).path or path
            if not form["token"]:
                missing.append(f"  {name} as {role}: form posting to {action}")
            if (role, action) in posted:
                continue
            posted.add((role, action))
            without_token = _post_without_token(world, role, action)
            if without_token.status_code != 403:
                accepted.append(f"  {action} as {role} (form on {name}): {without_token.status_code}")

    assert len(posted) >= 10, f"only {len(posted)} forms found: the matrix should know more"
    assert missing == [], "POST forms without a CSRF token:\n" + "\n".join(missing)
    assert accepted == [], "POSTs without a CSRF token were not refused:\n" + "\n".join(accepted)


def _post_without_token(world: World, role: str, action: str):
    probe = Probe(expect={}, method="post", data=lambda world: {})
    return call(world, role, probe, action, enforce_csrf_checks=True)


def test_the_api_refuses_a_session_post_without_a_csrf_token(make_consumer):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(make_consumer("ann"))

    response = client.post("/api/v1/me/shares/", {"show": "band", "expires_in_days": 7}, format="json")

    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_a_token_client_needs_no_csrf_token(make_consumer):
    client = token_client(make_consumer("ann"))
    client.enforce_csrf_checks = True

    response = client.post("/api/v1/me/shares/", {"show": "band", "expires_in_days": 7}, format="json")

    assert response.status_code == 201


# --- Production settings: cookies and headers ----------------------------------------------------


def test_production_cookies_are_secure_httponly_and_samesite():
    names = [
        f"{cookie}_COOKIE_{flag}"
        for cookie in ("SESSION", "CSRF", "LANGUAGE")
        for flag in ("SECURE", "HTTPONLY", "SAMESITE")
    ]

    values = production_settings(*names)

    assert values == {name: ("Lax" if name.endswith("SAMESITE") else True) for name in names}


def test_production_sends_hsts_and_redirects_to_https():
    values = production_settings(
        "SECURE_HSTS_SECONDS", "SECURE_SSL_REDIRECT", "X_FRAME_OPTIONS", "SECURE_CONTENT_TYPE_NOSNIFF"
    )

    assert values == {
        "SECURE_HSTS_SECONDS": 31536000,
        "SECURE_SSL_REDIRECT": True,
        "X_FRAME_OPTIONS": "DENY",
        "SECURE_CONTENT_TYPE_NOSNIFF": True,
    }


def test_a_production_server_sets_secure_httponly_samesite_cookies_and_security_headers(
    production_server_without_database,
):
    # The sign-in page needs no database, so the outage server of tests/test_failures.py serves it.
    status, headers, _body = fetch(production_server_without_database, "/accounts/login/")
    csrf_cookie = headers["Set-Cookie"]

    assert status == 200
    assert csrf_cookie.startswith("csrftoken=")
    assert {"Secure", "HttpOnly", "SameSite=Lax"} <= {part.strip() for part in csrf_cookie.split(";")}
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_production_serves_the_api_as_json_only():
    framework = production_settings("REST_FRAMEWORK")["REST_FRAMEWORK"]

    assert framework["DEFAULT_RENDERER_CLASSES"] == ["core.renderers.OrjsonRenderer"]


# --- Secrets at rest (issue 12, item 12) ----------------------------------------------------------


def every_stored_text() -> list[str]:
    """Every value in every table as stored (raw SQL: no field decodes it), the way a copy of the
    database would show it."""
    texts = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608 - our table names
            texts.extend(str(value) for row in cursor.fetchall() for value in row if value is not None)
    return texts


def test_the_database_holds_no_token_that_opens_a_share(make_consumer):
    client = token_client(make_consumer("ann"))
    created = client.post("/api/v1/me/shares/", {"show": "band", "expires_in_days": 7}, format="json").json()
    stored = every_stored_text()
    anonymous = APIClient()

    opened_by_stored = [
        value
        for value in stored
        if re.fullmatch(r"[A-Za-z0-9_-]{20,}", value)
        and anonymous.get(f"/api/v1/shares/{value}/").status_code == 200
    ]

    assert anonymous.get(f"/api/v1/shares/{created['token']}/").status_code == 200
    assert not any(created["token"] in value for value in stored)
    assert opened_by_stored == []


def test_the_database_holds_no_webhook_secret_in_clear(make_merchant_staff, settings):
    from perks import webhooks

    staff = make_merchant_staff("ford")
    endpoint = webhooks.webhook_endpoint_create(
        merchant=staff.merchant_staff.merchant, url="https://hooks.ford.example/claims", actor=staff
    )
    secret = endpoint.secret
    secret_body = secret.removeprefix(webhooks.SECRET_PREFIX)

    stored = every_stored_text()

    assert secret.startswith("whsec_") and len(secret_body) == 43
    assert not any(secret_body in value for value in stored)
    assert (
        webhooks.webhook_endpoint_for_merchant(merchant_id=endpoint.merchant_id, pk=endpoint.pk).secret
        == secret
    )
