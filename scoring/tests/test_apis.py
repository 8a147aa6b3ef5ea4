"""Tests for scoring/apis.py: opt-in and out, the score and its history, and partner event ingestion."""

import datetime
import json

import pytest
from django.http import Http404
from django.utils import timezone, translation
from django.utils.formats import date_format
from rest_framework.test import APIClient

from accounts.models import ConsumerProfile
from accounts.services import api_token_issue
from core.api import exception_handler
from core.bands import Band
from scoring import engine, selectors, services, tasks
from scoring.engine import DIMENSIONS, BlacklistStatus
from scoring.events import UNSTORABLE
from scoring.models import (
    Balance,
    Bill,
    BlacklistEntry,
    Contact,
    CreditLine,
    Identity,
    IngestedEvent,
    Partner,
    Purchase,
    ScoreSnapshot,
    ScoringModel,
)

pytestmark = pytest.mark.django_db

OPT_IN = "/api/v1/me/opt-in/"
OPT_OUT = "/api/v1/me/opt-out/"
SCORE = "/api/v1/me/score/"
HISTORY = "/api/v1/me/score/history/"
INGEST = "/api/v1/ingest/events/"
COURT = "Shanghai No. 1 Intermediate People's Court"
CASE = "(2026) Hu 01 Zhi 123"
NOT_OPTED_IN = {"detail": "Opt in to scoring to see a score.", "code": "not_opted_in"}
SIGNAL_MODELS = (Bill, Balance, CreditLine, Purchase, Identity, Contact, BlacklistEntry, IngestedEvent)


def day(days_ago: int) -> datetime.date:
    return services.today() - datetime.timedelta(days=days_ago)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=user)}")
    return client


def stored_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in SIGNAL_MODELS}


def event(kind: str, data: dict, *, id: str, person: str = "ann") -> dict:
    return {"id": id, "type": kind, "person": person, "data": data}


def every_kind_of_event(*, contact: str) -> list[dict]:
    """A realistic month of one person's data, one event of each kind."""
    return [
        event(
            "bill_paid",
            {
                "kind": "credit_card",
                "amount": "1200.50",
                "due_on": day(20).isoformat(),
                "paid_on": day(22).isoformat(),
                "issuer": "ICBC Credit Card",
                "reference": "ICBC-0001",
            },
            id="ev-1",
        ),
        event(
            "bill_overdue",
            {"kind": "utility", "amount": "88.00", "due_on": day(10).isoformat(), "issuer": "Shanghai Gas"},
            id="ev-2",
        ),
        event(
            "rental_payment",
            {"amount": "4500.00", "due_on": day(15).isoformat(), "paid_on": day(15).isoformat()},
            id="ev-3",
        ),
        event("balance", {"amount": "23000.00", "as_of": day(1).isoformat()}, id="ev-4"),
        event(
            "credit_line",
            {"provider": "Huabei", "limit": "20000.00", "used": "3000.00", "as_of": day(1).isoformat()},
            id="ev-5",
        ),
        event(
            "purchase",
            {"amount": "59.90", "occurred_on": day(2).isoformat(), "category": "groceries"},
            id="ev-6",
        ),
        event(
            "identity_verified",
            {
                "real_name_verified": True,
                "education": "bachelor",
                "address_since": selectors.months_before(services.today(), 37).isoformat(),
                "phone_verified": True,
                "email_verified": True,
            },
            id="ev-7",
        ),
        event(
            "contact",
            {"contact": contact, "confirmed_on": day(30).isoformat(), "interactions_90d": 12},
            id="ev-8",
        ),
        event(
            "blacklist_listed",
            {
                "court": COURT,
                "case_number": CASE,
                "listed_on": day(40).isoformat(),
                "source": "Supreme People's Court public list",
            },
            id="ev-9",
        ),
    ]


@pytest.fixture
def partner() -> Partner:
    return Partner.objects.create(name="China UnionPay", slug="unionpay")


@pytest.fixture
def partner_client(partner) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Api-Key {services.partner_key_issue(partner=partner)}")
    return client


@pytest.fixture
def ann(make_consumer):
    return make_consumer("ann")


@pytest.fixture
def ingest(partner_client, django_capture_on_commit_callbacks, unsent_tasks):
    """POST a batch; return the response and the recompute tasks it queued for after the commit."""

    def post(items: object):
        before = unsent_tasks()
        with django_capture_on_commit_callbacks():
            response = partner_client.post(INGEST, {"events": items}, format="json")
        return response, unsent_tasks()[len(before) :]

    return post


def recompute_queued(queued: list) -> None:
    """Run the queued recompute tasks here, as a worker would (the emails telling of a late bill or
    a listing, queued beside them, are not the score's business)."""
    for name, args in queued:
        if name == "core.notification_email":
            continue
        assert name == "scoring.recompute_person"
        tasks.recompute_person(*args)


def score_of(user) -> dict:
    return token_client(user).get(SCORE).json()


# --- authentication and the error shape -------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"), [("post", OPT_IN), ("post", OPT_OUT), ("get", SCORE), ("get", HISTORY)]
)
def test_anonymous_requests_are_refused_with_401_detail_and_code(method, path):
    # when
    response = getattr(APIClient(), method)(path)

    # then
    assert response.status_code == 401
    assert response.json() == {
        "detail": "Authentication credentials were not provided.",
        "code": "not_authenticated",
    }


def test_an_unknown_token_is_refused_with_401():
    # given
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")

    # when
    response = client.get(SCORE)

    # then
    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token.", "code": "authentication_failed"}


def test_a_browser_session_also_authenticates_the_api(ann):
    # given
    client = APIClient()
    client.force_login(ann)

    # when
    response = client.get(SCORE)

    # then
    assert response.status_code == 200


def test_django_404s_carry_detail_and_code_too():
    # when: a view's get_object_or_404 misses
    response = exception_handler(Http404("No Promotion matches the given query."), {})

    # then
    assert response.status_code == 404
    assert response.data == {"detail": "No Promotion matches the given query.", "code": "not_found"}


# --- opt-in, the score, opt-out ---------------------------------------------------------------


def test_opting_in_scores_a_new_consumer_600_at_once_with_the_score_body(make_consumer):
    # given
    carol = make_consumer("carol", opted_in=False)
    client = token_client(carol)

    # when
    response = client.post(OPT_IN)

    # then
    assert response.status_code == 200
    assert response.json() == {
        "score": 600,
        "band": "good",
        "as_of": services.today().isoformat(),
        "model_version": ScoringModel.objects.get(is_active=True).version,
        "dimensions": [
            {"key": "credit_history", "weight": 0.35, "score": 50},
            {"key": "fulfilment_capacity", "weight": 0.25, "score": 50},
            {"key": "behaviour", "weight": 0.2, "score": 50},
            {"key": "identity", "weight": 0.15, "score": 50},
            {"key": "connections", "weight": 0.05, "score": 50},
        ],
        # An empty file is told what keeps it at 600 (the engine's tests work out the points).
        "reasons": [
            {
                "code": "thin_file",
                "text": "Little credit history yet: no bills on record",
                "direction": "lowers",
                "points": 86,
                "points_without_listing": None,
                "under_dispute": False,
            },
            {
                "code": "credit_utilisation_pct",
                "text": "No credit line on record",
                "direction": "lowers",
                "points": 37,
                "points_without_listing": None,
                "under_dispute": False,
            },
            {
                "code": "avg_balance_3m",
                "text": "No account balance on record",
                "direction": "lowers",
                "points": 35,
                "points_without_listing": None,
                "under_dispute": False,
            },
            {
                "code": "purchases_12m",
                "text": "0 purchases in the last 12 months",
                "direction": "lowers",
                "points": 35,
                "points_without_listing": None,
                "under_dispute": False,
            },
        ],
        "notice": None,
    }
    assert client.get(SCORE).json() == response.json()
    profile = ConsumerProfile.objects.get(user=carol)
    assert (profile.is_opted_in, profile.consent_version, profile.score, profile.score_as_of) == (
        True,
        "2026-11",
        600,
        services.today(),
    )


def test_the_score_body_has_the_published_types(ann):
    # given
    Bill.objects.create(person=ann, kind="credit_card", amount="100.00", due_on=day(40), paid_on=day(50))
    services.score_recompute(person=ann)

    # when
    body = token_client(ann).get(SCORE).json()

    # then
    assert [type(body[key]) for key in ("score", "band", "as_of", "model_version")] == [int, str, str, str]
    assert 350 <= body["score"] <= 950
    assert body["band"] == Band.for_score(body["score"])
    assert [d["key"] for d in body["dimensions"]] == list(DIMENSIONS)
    assert [type(d["weight"]) for d in body["dimensions"]] == [float] * 5
    assert sum(d["weight"] for d in body["dimensions"]) == pytest.approx(1)
    assert all(0 <= d["score"] <= 100 and type(d["score"]) is int for d in body["dimensions"])
    assert body["reasons"][0] == {
        "code": "thin_file",
        "text": "Little credit history yet: 1 month of bills",
        "direction": "lowers",
        "points": 84,
        "points_without_listing": None,
        "under_dispute": False,
    }
    assert all(
        (type(r["code"]), type(r["text"]), r["direction"] in ("lowers", "raises"), type(r["points"]))
        == (str, str, True, int)
        for r in body["reasons"]
    )


def test_opting_in_twice_keeps_one_snapshot_for_the_day(ann):
    # when
    response = token_client(ann).post(OPT_IN)

    # then
    assert (response.status_code, response.json()["score"]) == (200, 600)
    assert ScoreSnapshot.objects.filter(person=ann).count() == 1


def test_merchant_staff_cannot_opt_in_or_see_a_score(make_merchant_staff):
    # given
    staff = make_merchant_staff("ford")
    client = token_client(staff)

    # when
    opt_in = client.post(OPT_IN)
    score = client.get(SCORE)

    # then
    assert (opt_in.status_code, opt_in.json()) == (
        403,
        {"detail": "Only consumers can opt in to scoring.", "code": "not_a_consumer"},
    )
    assert (score.status_code, score.json()) == (403, NOT_OPTED_IN)
    assert ConsumerProfile.objects.filter(user=staff).exists() is False


@pytest.mark.parametrize(("method", "path"), [("get", SCORE), ("get", HISTORY), ("post", OPT_OUT)])
def test_a_consumer_who_never_opted_in_is_refused_403_not_opted_in(make_consumer, method, path):
    # given
    erin = make_consumer("erin", opted_in=False)

    # when
    response = getattr(token_client(erin), method)(path)

    # then
    assert (response.status_code, response.json()) == (403, NOT_OPTED_IN)
    profile = ConsumerProfile.objects.get(user=erin)
    assert (profile.is_opted_in, profile.opted_out_at) == (False, None)
    assert ScoreSnapshot.objects.filter(person=erin).count() == 0


def test_opting_out_answers_204_and_then_the_score_and_history_are_refused(ann):
    # given
    client = token_client(ann)

    # when
    response = client.post(OPT_OUT)

    # then
    assert (response.status_code, response.content) == (204, b"")
    assert [
        (r.status_code, r.json()) for r in (client.get(SCORE), client.get(HISTORY), client.post(OPT_OUT))
    ] == [(403, NOT_OPTED_IN)] * 3
    profile = ConsumerProfile.objects.get(user=ann)
    assert (profile.is_opted_in, profile.opted_out_at is not None) == (False, True)


def test_the_score_is_computed_on_first_read_when_no_snapshot_exists(ann):
    # given: scores wiped, say by a data repair
    ScoreSnapshot.objects.filter(person=ann).delete()

    # when
    response = token_client(ann).get(SCORE)

    # then
    assert (response.status_code, response.json()["score"]) == (200, 600)
    assert ScoreSnapshot.objects.filter(person=ann).count() == 1


def test_the_score_shows_the_latest_snapshot(ann):
    # given: an older, lower score
    snapshot = services.score_recompute(person=ann, as_of=day(30))
    ScoreSnapshot.objects.filter(pk=snapshot.pk).update(score=500, band=Band.POOR)

    # when
    body = token_client(ann).get(SCORE).json()

    # then
    assert (body["as_of"], body["score"]) == (services.today().isoformat(), 600)


@pytest.mark.parametrize("snapshots", [1, 30])
def test_the_score_takes_four_queries_however_long_the_history(ann, django_assert_max_num_queries, snapshots):
    """Uncached: the token, the snapshot's version, the snapshot with its model, and the model
    that scored the person before (the "model changed" notice)."""
    # given
    for days_ago in range(1, snapshots):
        services.score_recompute(person=ann, as_of=day(days_ago))
    client = token_client(ann)

    # when / then
    with django_assert_max_num_queries(4):
        response = client.get(SCORE)
    assert response.status_code == 200


# --- history ----------------------------------------------------------------------------------


def test_history_lists_as_of_score_and_band_oldest_first(ann):
    # given
    services.score_recompute(person=ann, as_of=day(60))
    Bill.objects.create(
        person=ann,
        kind="credit_card",
        amount="100.00",
        due_on=day(45),
        paid_on=None,
        received_at=timezone.now() - datetime.timedelta(days=44),
    )
    services.score_recompute(person=ann, as_of=day(30))
    late = ScoreSnapshot.objects.get(person=ann, as_of=day(30))

    # when
    response = token_client(ann).get(HISTORY)

    # then
    assert response.status_code == 200
    assert response.json() == [
        {"as_of": day(60).isoformat(), "score": 600, "band": "good"},
        {"as_of": day(30).isoformat(), "score": late.score, "band": late.band},
        {"as_of": day(0).isoformat(), "score": 600, "band": "good"},
    ]
    assert late.score < 600


@pytest.mark.parametrize("snapshots", [1, 40])
def test_history_takes_three_queries_however_long_it_is(ann, django_assert_max_num_queries, snapshots):
    # given
    for days_ago in range(1, snapshots):
        services.score_recompute(person=ann, as_of=day(days_ago))
    client = token_client(ann)

    # when / then
    with django_assert_max_num_queries(3):
        response = client.get(HISTORY)
    assert len(response.json()) == snapshots


# --- ingestion: authentication ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("headers", "detail", "code"),
    [
        ({}, "A partner API key is required.", "not_authenticated"),
        ({"HTTP_AUTHORIZATION": "Api-Key"}, "Malformed API key.", "authentication_failed"),
        ({"HTTP_AUTHORIZATION": "Api-Key no-dot-in-it"}, "Malformed API key.", "authentication_failed"),
        (
            {"HTTP_AUTHORIZATION": "Api-Key abcd1234.wrong-secret"},
            "Invalid or revoked API key.",
            "authentication_failed",
        ),
        ({"HTTP_AUTHORIZATION": "Bearer something"}, "A partner API key is required.", "not_authenticated"),
    ],
)
def test_ingestion_without_a_valid_key_is_refused_with_401_and_stores_nothing(
    ann, partner, headers, detail, code
):
    # given
    services.partner_key_issue(partner=partner)
    before = stored_counts()

    # when
    response = APIClient().post(
        INGEST, {"events": every_kind_of_event(contact="ann")}, format="json", **headers
    )

    # then
    assert (response.status_code, response.json()) == (401, {"detail": detail, "code": code})
    assert response["WWW-Authenticate"] == "Api-Key"
    assert stored_counts() == before


def test_a_persons_token_is_no_partner_key(ann):
    # given
    client = token_client(ann)

    # when
    response = client.post(
        INGEST,
        {"events": [event("balance", {"amount": "1", "as_of": day(1).isoformat()}, id="1")]},
        format="json",
    )

    # then
    assert (response.status_code, response.json()["code"]) == (401, "not_authenticated")
    assert IngestedEvent.objects.count() == 0


def test_a_revoked_key_and_a_replaced_key_stop_working(ann, partner):
    # given
    old_key = services.partner_key_issue(partner=partner)
    new_key = services.partner_key_issue(partner=partner)
    body = {"events": [event("balance", {"amount": "10.00", "as_of": day(1).isoformat()}, id="1")]}
    old, new = APIClient(), APIClient()
    old.credentials(HTTP_AUTHORIZATION=f"Api-Key {old_key}")
    new.credentials(HTTP_AUTHORIZATION=f"Api-Key {new_key}")

    # when
    with_old = old.post(INGEST, body, format="json")
    services.partner_key_revoke(partner=partner)
    after_revoke = new.post(INGEST, body, format="json")

    # then
    assert (with_old.status_code, with_old.json()["code"]) == (401, "authentication_failed")
    assert (after_revoke.status_code, after_revoke.json()["detail"]) == (401, "Invalid or revoked API key.")
    assert IngestedEvent.objects.count() == 0


# --- ingestion: accepted batches --------------------------------------------------------------


def test_every_kind_of_event_is_stored_and_feeds_the_persons_features(ann, make_consumer, partner, ingest):
    # given
    bob = make_consumer("bob")
    items = every_kind_of_event(contact="bob")

    # when
    response, queued = ingest(items)

    # then
    assert (response.status_code, response.json()) == (201, {"accepted": 9})
    assert [task for task in queued if task[0] != "core.notification_email"] == [
        ("scoring.recompute_person", (ann.pk, services.today().isoformat()))
    ]
    # the late bill and the court listing are told to ann, by email too
    assert [task[0] for task in queued].count("core.notification_email") == 2
    assert stored_counts() == {
        "Bill": 3,
        "Balance": 1,
        "CreditLine": 1,
        "Purchase": 1,
        "Identity": 1,
        "Contact": 1,
        "BlacklistEntry": 1,
        "IngestedEvent": 9,
    }
    assert list(
        IngestedEvent.objects.order_by("external_id").values_list("external_id", "kind", "person", "partner")
    ) == [(item["id"], item["type"], ann.pk, partner.pk) for item in items]
    assert IngestedEvent.objects.get(external_id="ev-4").payload == items[3]
    features = selectors.features_for_person(person=ann, as_of=services.today())
    assert (
        features.on_time_bills_24m,
        features.late_bills_12m,
        features.late_bills_12m_by_kind,
        features.overdue_unpaid,
        features.rent_on_time_12m,
        str(features.avg_balance_3m),
        features.credit_utilisation_pct,
        str(features.credit_limit),
        features.purchases_12m,
        features.active_days_90d,
        (features.real_name_verified, features.education, features.address_years),
        (features.phone_verified, features.email_verified),
        (features.confirmed_contacts, features.interactions_90d),
        features.blacklist,
    ) == (
        1,
        1,
        (("utility", 1),),
        1,
        1,
        "23000.00",
        15,
        "20000.00",
        1,
        1,
        (True, "bachelor", 3),
        (True, True),
        (0, 0),  # a partner's contact counts once the person confirms it (the profile page)
        BlacklistStatus(court=COURT, case_number=CASE, listed_on=day(40), months_since_lifted=None),
    )
    assert Contact.objects.get().contact == bob


def test_each_person_of_a_batch_is_rescored_once_after_the_commit(ann, make_consumer, ingest):
    # given
    bob = make_consumer("bob")
    items = [
        event("purchase", {"amount": "10.00", "occurred_on": day(1).isoformat()}, id="1", person="bob"),
        event("purchase", {"amount": "12.00", "occurred_on": day(1).isoformat()}, id="2"),
        event("purchase", {"amount": "14.00", "occurred_on": day(2).isoformat()}, id="3", person="bob"),
    ]

    # when
    response, queued = ingest(items)

    # then
    today = services.today().isoformat()
    assert response.status_code == 201
    assert queued == [
        ("scoring.recompute_person", (ann.pk, today)),
        ("scoring.recompute_person", (bob.pk, today)),
    ]


def test_a_late_bill_lowers_the_score_once_recomputed(ann, ingest):
    # given
    before = score_of(ann)

    # when
    response, queued = ingest(
        [event("bill_overdue", {"kind": "utility", "amount": "88.00", "due_on": day(10).isoformat()}, id="1")]
    )
    recompute_queued(queued)

    # then
    after = score_of(ann)
    assert response.status_code == 201
    assert (before["score"], after["score"] < 600) == (600, True)
    # With nothing else on file, what lowers the score most is how little there is: the late bill
    # (0.25 of credit_history, 22 points) ranks after the thin file and the missing data.
    assert [(r["code"], r["points"]) for r in after["reasons"]] == [
        ("thin_file", 72),
        ("avg_balance_3m", 35),
        ("purchases_12m", 35),
        ("active_days_90d", 35),
    ]
    assert after["reasons"][0]["text"] == "Little credit history yet: less than a month of bills"


def test_a_bill_paid_later_with_the_same_reference_is_no_longer_overdue(ann, ingest):
    # given
    overdue = {"kind": "credit_card", "amount": "500.00", "due_on": day(10).isoformat(), "reference": "CMB-7"}
    ingest([event("bill_overdue", overdue, id="1")])

    # when
    response, _queued = ingest([event("bill_paid", {**overdue, "paid_on": day(2).isoformat()}, id="2")])

    # then
    assert response.status_code == 201
    assert list(Bill.objects.values_list("reference", "paid_on")) == [("CMB-7", day(2))]
    features = selectors.features_for_person(person=ann, as_of=services.today())
    assert (features.late_bills_12m, features.overdue_unpaid) == (1, 0)


def test_a_listing_drops_the_score_below_550_and_names_the_court_and_case_first(ann, ingest):
    # given
    listing = {"court": COURT, "case_number": CASE, "listed_on": day(40).isoformat()}

    # when
    response, queued = ingest([event("blacklist_listed", listing, id="1")])
    recompute_queued(queued)

    # then
    body = score_of(ann)
    assert response.status_code == 201
    assert (body["score"] < 550, body["band"]) == (True, "poor")
    assert body["reasons"][0] == {
        "code": "blacklist_active",
        "text": f"Listed as a dishonest judgment debtor by {COURT}, case {CASE}, "
        f"since {date_format(day(40), 'DATE_FORMAT')}",
        "direction": "lowers",
        "points": 150,
        "points_without_listing": None,
        "under_dispute": False,
    }


def test_an_overturned_listing_restores_the_score_exactly(ann, make_consumer, ingest):
    # given: a person with some history, then wrongly listed
    make_consumer("bob")
    ingest([item for item in every_kind_of_event(contact="bob") if item["type"] != "blacklist_listed"])
    unlisted = services.score_recompute(person=ann)
    _response, queued = ingest(
        [
            event(
                "blacklist_listed",
                {"court": COURT, "case_number": CASE, "listed_on": day(40).isoformat()},
                id="L",
            )
        ]
    )
    recompute_queued(queued)
    listed = score_of(ann)

    # when
    response, queued = ingest(
        [
            event(
                "blacklist_lifted",
                {
                    "court": COURT,
                    "case_number": CASE,
                    "lifted_on": day(0).isoformat(),
                    "reason": "overturned",
                },
                id="U",
            )
        ]
    )
    recompute_queued(queued)

    # then
    body = score_of(ann)
    assert response.status_code == 201
    assert listed["score"] < 550
    assert (body["score"], body["band"]) == (unlisted.score, unlisted.band)
    assert [reason["code"] for reason in body["reasons"]] == [reason["code"] for reason in unlisted.reasons]
    entry = BlacklistEntry.objects.get()
    assert (entry.lifted_on, entry.lift_reason) == (day(0), "overturned")


def test_a_settled_listing_fades_and_says_when_it_was_lifted(ann, ingest):
    # given
    ingest(
        [
            event(
                "blacklist_listed",
                {"court": COURT, "case_number": CASE, "listed_on": day(400).isoformat()},
                id="L",
            )
        ]
    )
    lifted_on = selectors.months_before(services.today(), 2)

    # when
    response, queued = ingest(
        [
            event(
                "blacklist_lifted",
                {
                    "court": COURT,
                    "case_number": CASE,
                    "lifted_on": lifted_on.isoformat(),
                    "reason": "settled",
                },
                id="U",
            )
        ]
    )
    recompute_queued(queued)

    # then
    body = score_of(ann)
    assert response.status_code == 201
    assert body["score"] < 600
    assert body["reasons"][0] == {
        "code": "blacklist_recent",
        "text": f"Listing as a dishonest judgment debtor by {COURT}, case {CASE}, lifted 2 months ago",
        "direction": "lowers",
        "points": 145,
        "points_without_listing": None,
        "under_dispute": False,
    }


def test_a_listing_and_its_lifting_may_arrive_in_one_batch(ann, ingest):
    # when
    response, _queued = ingest(
        [
            event(
                "blacklist_listed",
                {"court": COURT, "case_number": CASE, "listed_on": day(40).isoformat()},
                id="L",
            ),
            event(
                "blacklist_lifted",
                {"court": COURT, "case_number": CASE, "lifted_on": day(5).isoformat(), "reason": "settled"},
                id="U",
            ),
        ]
    )

    # then
    assert response.status_code == 201
    assert list(BlacklistEntry.objects.values_list("listed_on", "lifted_on", "lift_reason")) == [
        (day(40), day(5), "settled")
    ]


# --- ingestion: refused batches store nothing -------------------------------------------------


def bad_batches() -> list:
    good = event("purchase", {"amount": "10.00", "occurred_on": "2026-01-02"}, id="good")
    return [
        pytest.param(
            [good, event("party", {}, id="x")],
            {"events[1].type": ['"party" is not a valid choice.']},
            id="type",
        ),
        pytest.param(
            [good, event("purchase", {"amount": "abc", "occurred_on": "2026-01-02"}, id="x")],
            {"events[1].data.amount": ["A valid number is required."]},
            id="amount",
        ),
        pytest.param(
            [good, event("purchase", {"amount": "1", "occurred_on": "2026-13-45"}, id="x")],
            {
                "events[1].data.occurred_on": [
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                ]
            },
            id="date",
        ),
        pytest.param(
            [good, event("purchase", {"amount": "1"}, id="x")],
            {"events[1].data.occurred_on": ["This field is required."]},
            id="missing",
        ),
        pytest.param(
            [good, event("purchase", {"amount": "1", "occurred_on": "2026-01-02"}, id="x", person="nobody")],
            {"events[1].person": ["No opted-in person has this username."]},
            id="unknown-person",
        ),
        pytest.param(
            [good, event("purchase", {"amount": "1", "occurred_on": "2026-01-02"}, id="x", person="erin")],
            {"events[1].person": ["No opted-in person has this username."]},
            id="not-opted-in",
        ),
        pytest.param(
            [good, {**good}],
            {"events[1].id": ["This event was already received (duplicate id)."]},
            id="duplicate-in-batch",
        ),
        pytest.param(
            [good, event("purchase", {"amount": "1", "occurred_on": "2026-01-02"}, id="earlier")],
            {"events[1].id": ["This event was already received (duplicate id)."]},
            id="duplicate-of-earlier-batch",
        ),
        pytest.param(
            [good, event("contact", {"contact": "ann", "confirmed_on": "2026-01-02"}, id="x")],
            {"events[1].data.contact": ["A person cannot be their own contact."]},
            id="contact-self",
        ),
        pytest.param(
            [
                good,
                event(
                    "blacklist_lifted",
                    {
                        "court": COURT,
                        "case_number": "never listed",
                        "lifted_on": "2026-01-02",
                        "reason": "settled",
                    },
                    id="x",
                ),
            ],
            {"events[1].data.case_number": ["No listing with this court and case number."]},
            id="lift-unknown-case",
        ),
        pytest.param(
            [
                good,
                event(
                    "blacklist_listed",
                    {"court": COURT, "case_number": CASE, "listed_on": "2026-03-01"},
                    id="x",
                ),
                event(
                    "blacklist_lifted",
                    {"court": COURT, "case_number": CASE, "lifted_on": "2026-02-01", "reason": "settled"},
                    id="y",
                ),
            ],
            {"events[2].data.lifted_on": ["A listing cannot be lifted before it was listed."]},
            id="lift-before-listing",
        ),
        pytest.param(
            [good, "bill_paid", 3, None, []],
            {f"events[{index}]": ["Each event must be an object."] for index in range(1, 5)},
            id="non-objects",
        ),
    ]


@pytest.mark.parametrize(("items", "errors"), bad_batches())
def test_a_batch_with_one_bad_event_is_refused_whole_naming_index_and_field(
    ann, make_consumer, ingest, items, errors
):
    # given: an earlier batch, and a person who has not opted in
    make_consumer("erin", opted_in=False)
    ingest([event("balance", {"amount": "5.00", "as_of": day(3).isoformat()}, id="earlier")])
    before = stored_counts()

    # when
    response, queued = ingest(items)

    # then
    assert (response.status_code, response.json()) == (400, errors)
    assert stored_counts() == before
    assert queued == []


def test_ingestion_answers_alike_for_no_such_person_not_opted_in_and_merchant_staff(
    ann, make_consumer, make_merchant_staff, ingest
):
    # given: one username that does not exist, a consumer who never opted in, one who opted
    # out, and a merchant's staff member; none may be told apart by a partner
    make_consumer("erin", opted_in=False)
    services.consumer_opt_out(person=make_consumer("olga"))
    make_merchant_staff("ford")
    before = stored_counts()
    usernames = ["nobody", "erin", "olga", "ford-staff"]
    purchase = {"amount": "1.00", "occurred_on": "2026-01-02"}
    contact = {"confirmed_on": "2026-01-02"}

    # when
    response, queued = ingest(
        [event("purchase", purchase, id=f"p-{name}", person=name) for name in usernames]
        + [event("contact", {**contact, "contact": name}, id=f"c-{name}") for name in usernames]
    )

    # then
    same = ["No opted-in person has this username."]
    assert response.status_code == 400
    assert response.json() == {
        **{f"events[{index}].person": same for index in range(4)},
        **{f"events[{index}].data.contact": same for index in range(4, 8)},
    }
    assert stored_counts() == before
    assert queued == []


def test_a_batch_that_would_relist_a_lifted_case_after_its_lifting_is_refused(ann, ingest):
    # given
    ingest(
        [
            event(
                "blacklist_listed",
                {"court": COURT, "case_number": CASE, "listed_on": day(90).isoformat()},
                id="L",
            ),
            event(
                "blacklist_lifted",
                {"court": COURT, "case_number": CASE, "lifted_on": day(30).isoformat(), "reason": "settled"},
                id="U",
            ),
        ]
    )
    before = stored_counts()

    # when
    response, _queued = ingest(
        [
            event(
                "blacklist_listed",
                {"court": COURT, "case_number": CASE, "listed_on": day(10).isoformat()},
                id="L2",
            )
        ]
    )

    # then
    assert (response.status_code, response.json()) == (
        400,
        {"events[0].data.listed_on": ["This case was lifted before that date."]},
    )
    assert stored_counts() == before
    assert list(BlacklistEntry.objects.values_list("listed_on", "lifted_on")) == [(day(90), day(30))]


@pytest.mark.parametrize(
    "body",
    ["not json", '{"events": [1, 2', "\ufeff{}", '{"events": ' + "[" * 50_000 + "]" * 50_000 + "}"],
)
def test_a_body_that_is_not_json_is_refused_with_400_parse_error(ann, partner_client, body):
    # given
    before = stored_counts()

    # when
    response = partner_client.post(INGEST, body, content_type="application/json")

    # then
    assert (response.status_code, response.json()["code"]) == (400, "parse_error")
    assert stored_counts() == before


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        ("events=1&events=2", "application/x-www-form-urlencoded"),
        ("events=1", "multipart/form-data; boundary=x"),
    ],
)
def test_a_form_body_is_415_the_api_speaks_json_only(partner_client, body, content_type):
    before = stored_counts()

    response = partner_client.post(INGEST, body, content_type=content_type)

    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert stored_counts() == before


@pytest.mark.parametrize(
    ("body", "content_type", "expected"),
    [
        ("null", "application/json", {"events": ["Send a non-empty list of events."]}),
        ('"events"', "application/json", {"events": ["Send a non-empty list of events."]}),
        ("{}", "application/json", {"events": ["Send a non-empty list of events."]}),
        ('{"events": []}', "application/json", {"events": ["Send a non-empty list of events."]}),
        ('{"events": {"0": {}}}', "application/json", {"events": ["Send a non-empty list of events."]}),
        ('{"events": "a,b"}', "application/json", {"events": ["Send a non-empty list of events."]}),
        (
            json.dumps(
                {
                    "events": [
                        {"id": str(n), "type": "balance", "person": "ann", "data": {}} for n in range(1001)
                    ]
                }
            ),
            "application/json",
            {"events": ["At most 1000 events per batch."]},
        ),
        (
            '{"events": [{"id": "1", "type": "balance", "person": "ann",'
            ' "data": {"amount": {"a": [[[]]]}, "as_of": [1]}}]}',
            "application/json",
            {
                "events[0].data.amount": ["A valid number is required."],
                "events[0].data.as_of": [
                    "Date has wrong format. Use one of these formats instead: YYYY-MM-DD."
                ],
            },
        ),
        (
            '{"events": [{"id": "1\\u0000", "type": "balance", "person": "ann", "data": {}}]}',
            "application/json",
            {"events[0].id": ["Null characters are not allowed."]},
        ),
        # Text no database holds is refused by the JSON parser (core/text_input.py), which
        # names the field, or the object holding a bad key; an infinite number by ingestion.
        *[
            (
                '{"events": [{"id": "1", "type": "balance", "person": "ann",'
                ' "data": {"amount": "1.00", "as_of": "2026-01-02", ' + unread + "}}]}",
                "application/json",
                expected,
            )
            for unread, expected in (
                ('"note": "\\u0000"', {"events[0].data.note": ["Null characters are not allowed."]}),
                ('"note\\u0000": 1', {"events[0].data": ["Null characters are not allowed."]}),
                (
                    '"\\ud800": "x"',
                    {
                        "events[0].data": [
                            "This text holds an invalid character (a lone surrogate): send valid Unicode."
                        ]
                    },
                ),
                ('"note": 1e400', {"events[0]": [str(UNSTORABLE)]}),
            )
        ],
    ],
)
def test_malformed_bodies_are_refused_with_400_never_500(ann, partner_client, body, content_type, expected):
    # given
    before = stored_counts()

    # when
    response = partner_client.post(INGEST, body, content_type=content_type)

    # then
    assert (response.status_code, response.json()) == (400, expected)
    assert stored_counts() == before


def test_the_score_says_the_scoring_model_changed_beside_the_score(make_consumer, make_challenger):
    # given: ann was scored yesterday by the launch model, today by its successor
    ann = make_consumer("ann")
    launch = ScoringModel.objects.get(is_active=True)
    successor = make_challenger("2027.1")
    services.scoring_model_activate(model=successor, actor=successor.approved_by)
    ScoreSnapshot.objects.filter(person=ann).update(as_of=services.today() - datetime.timedelta(days=1))
    services.score_recompute(person=ann)

    # when
    response = token_client(ann).get("/api/v1/me/score/")

    # then
    assert response.status_code == 200
    assert (response.json()["model_version"], response.json()["notice"]) == (
        "2027.1",
        {
            "code": "model_changed",
            "text": "The scoring model changed: your score is now computed by model 2027.1 "
            f"(before: {launch.version}).",
            "previous_model_version": launch.version,
        },
    )


# --- the score's cache: keyed by the snapshot, so every change is seen on the next request ----


def test_a_cached_score_costs_the_token_and_one_indexed_row(derived_cache, ann, django_assert_num_queries):
    # given: the payload cached by a first request
    client = token_client(ann)
    first = client.get(SCORE).json()

    # when
    with django_assert_num_queries(2):  # the token with its login, the latest snapshot's id and time
        again = client.get(SCORE)

    # then
    assert again.json() == first
    assert again.json()["score"] == 600


def test_a_new_event_is_in_the_score_on_the_next_request(derived_cache, ann, ingest):
    # given: the score of a new person, cached
    client = token_client(ann)
    before = client.get(SCORE).json()

    # when: an unpaid bill arrives and its recompute runs, as a worker would
    response, queued = ingest(
        [
            event(
                "bill_overdue",
                {"kind": "credit_card", "amount": "900.00", "due_on": day(40).isoformat()},
                id="o1",
            )
        ]
    )
    recompute_queued(queued)
    after = client.get(SCORE).json()

    # then: the next request shows the rewritten snapshot of today, not the cached one
    snapshot = selectors.score_current(person=ann)
    assert response.status_code == 201
    assert before["score"] == 600
    assert after["score"] == snapshot.score < 600
    assert [reason["code"] for reason in after["reasons"]] == [reason["code"] for reason in snapshot.reasons]


def test_a_new_snapshot_is_the_score_on_the_next_request(derived_cache, ann):
    # given
    client = token_client(ann)
    client.get(SCORE)
    Bill.objects.create(person=ann, kind="credit_card", issuer="ICBC", amount="500", due_on=day(30))
    tomorrow = services.today() + datetime.timedelta(days=1)

    # when: the next day's snapshot is written
    snapshot = services.score_recompute(person=ann, as_of=tomorrow)
    after = client.get(SCORE).json()

    # then
    assert (after["as_of"], after["score"]) == (tomorrow.isoformat(), snapshot.score)
    assert snapshot.score < 600


def test_an_opt_out_is_seen_on_the_next_request(derived_cache, ann):
    # given
    client = token_client(ann)
    assert client.get(SCORE).status_code == 200

    # when
    services.consumer_opt_out(person=ann)
    response = client.get(SCORE)

    # then
    assert (response.status_code, response.json()) == (403, NOT_OPTED_IN)


def test_the_cached_score_follows_the_language_of_each_request(derived_cache, ann):
    # given: a reason to read, and the English payload cached
    Bill.objects.create(person=ann, kind="credit_card", issuer="ICBC", amount="500", due_on=day(30))
    services.score_recompute(person=ann)
    client = token_client(ann)
    english = client.get(SCORE, HTTP_ACCEPT_LANGUAGE="en").json()

    # when
    chinese = client.get(SCORE, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    english_again = client.get(SCORE, HTTP_ACCEPT_LANGUAGE="en").json()

    # then: the same reasons, each in the language asked for
    snapshot = selectors.score_current(person=ann)
    with translation.override("zh-hans"):
        expected_chinese = [
            engine.reason_text(reason["code"], reason["direction"], reason["params"])
            for reason in snapshot.reasons
        ]
    assert [reason["text"] for reason in chinese["reasons"]] == expected_chinese
    assert [reason["text"] for reason in english["reasons"]] != expected_chinese
    assert english_again == english
    assert {key: value for key, value in chinese.items() if key != "reasons"} == {
        key: value for key, value in english.items() if key != "reasons"
    }
