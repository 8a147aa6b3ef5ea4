"""perks/selectors.py: the perks a person sees, audiences, claim lists, forecasts and shares."""

import datetime

import pytest
from django.utils import timezone

from accounts.models import ConsumerProfile, MembershipTier, RealNameIdentity, User
from perks import selectors, services
from perks.models import Claim, Promotion, Share
from scoring.models import Identity

from .factories import ClaimFactory, PersonFactory, PromotionFactory, ShareFactory

pytestmark = pytest.mark.django_db

LOUNGE = {
    "any": [{"counter": "ticket_class", "in": ["first"]}, {"counter": "membership_tier", "in": ["platinum"]}]
}


def perk_of(perks: list[selectors.Perk], promotion: Promotion) -> selectors.Perk:
    return next(perk for perk in perks if perk.promotion.pk == promotion.pk)


# perks_for_person ---------------------------------------------------------------------------


def test_perks_show_eligibility_and_points_away(make_promotion, ann):
    reachable = make_promotion(title="Bikes", min_score=650, quantity=20)
    exact = make_promotion(title="Books", min_score=700)
    far = make_promotion(title="Cars", min_score=750)

    perks = selectors.perks_for_person(person=ann)

    assert [(p.promotion.title, p.eligible, p.points_away, p.unmet) for p in perks] == [
        ("Bikes", True, 0, []),
        ("Books", True, 0, []),
        ("Cars", False, 50, ["A score of 750 or more"]),
    ]
    assert (perk_of(perks, reachable).remaining, perk_of(perks, exact).remaining) == (20, None)
    assert perk_of(perks, far).benefit == "Deposit of ¥299.00 waived"


def test_only_live_promotions_are_listed(make_promotion, ann, other_merchant):
    live = make_promotion(title="Live")
    make_promotion(title="Draft", status="draft")
    paused = make_promotion(title="Paused")
    services.promotion_pause(promotion=paused)
    make_promotion(title="Later", starts_at=timezone.now() + datetime.timedelta(days=1))
    other_merchant.status = "suspended"
    other_merchant.save(update_fields=["status"])
    make_promotion(title="Suspended merchant", merchant=other_merchant)

    assert [perk.promotion for perk in selectors.perks_for_person(person=ann)] == [live]


def test_the_lounge_for_a_standard_member_is_eligible_subject_to_the_counter(make_promotion, ann):
    make_promotion(conditions=LOUNGE)

    perk = selectors.perks_for_person(person=ann)[0]

    assert (perk.eligible, perk.unmet, perk.at_counter) == (
        True,
        [],
        ["First-class ticket (checked at the counter)", "Platinum membership (checked at the counter)"],
    )


def test_the_lounge_asks_a_platinum_member_the_same_counter_checks(make_promotion, ann, set_tier):
    # Platinum online decides nothing: the card is shown at the counter like the ticket.
    make_promotion(conditions=LOUNGE)
    set_tier(ann, MembershipTier.PLATINUM)

    perk = selectors.perks_for_person(person=ann)[0]

    assert (perk.eligible, perk.unmet, perk.at_counter) == (
        True,
        [],
        ["First-class ticket (checked at the counter)", "Platinum membership (checked at the counter)"],
    )


def test_the_lounge_below_its_threshold_still_says_what_the_counter_checks(make_promotion, ann, given_score):
    make_promotion(conditions=LOUNGE, min_score=650)
    given_score(ann, 600)

    perk = selectors.perks_for_person(person=ann)[0]

    assert (perk.eligible, perk.points_away, perk.unmet, perk.at_counter) == (
        False,
        50,
        ["A score of 650 or more"],
        ["First-class ticket (checked at the counter)", "Platinum membership (checked at the counter)"],
    )


def test_sub_score_conditions_read_the_latest_snapshot(make_promotion, ann, given_score):
    make_promotion(conditions={"attr": "dimension", "key": "credit_history", "gte": 75})
    given_score(ann, 700, credit_history=74)
    before = selectors.perks_for_person(person=ann)[0]
    given_score(ann, 700, credit_history=75)
    after = selectors.perks_for_person(person=ann)[0]

    assert (before.eligible, before.unmet) == (False, ["Credit history of at least 75 out of 100"])
    assert (after.eligible, after.unmet) == (True, [])


def test_a_person_not_opted_in_sees_what_to_do(make_promotion, make_consumer):
    make_promotion()

    perk = selectors.perks_for_person(person=make_consumer("erin", opted_in=False))[0]

    assert (perk.eligible, perk.points_away, perk.unmet) == (False, None, ["Opt in to scoring"])


def test_a_blacklisted_person_is_told_so(make_promotion, ann, blacklist, given_score):
    make_promotion(min_score=650)
    blacklist(ann)
    given_score(ann, 420)

    perk = selectors.perks_for_person(person=ann)[0]

    assert (perk.eligible, perk.points_away, perk.unmet) == (
        False,
        230,
        ["Not on the court blacklist", "A score of 650 or more"],
    )


def test_claims_left_counts_down_to_the_limit(make_promotion, ann):
    promotion = make_promotion(per_user_limit=2)
    services.claim_create(promotion=promotion, person=ann)

    assert selectors.perks_for_person(person=ann)[0].claims_left == 1


def test_the_perks_page_reads_a_fixed_number_of_queries(make_promotion, ann, django_assert_max_num_queries):
    for n in range(3):
        make_promotion(title=f"Perk {n}", conditions=LOUNGE)
    # The promotions' version, the units I hold, my eligibility facts and sub-scores; after a
    # promotion changed, the live promotions and the next start are read once more (then cached
    # for everyone).
    with django_assert_max_num_queries(6):
        assert len(selectors.perks_for_person(person=ann)) == 3
    for n in range(3, 15):
        make_promotion(title=f"Perk {n}", conditions={"attr": "dimension", "key": "identity", "gte": 25})

    with django_assert_max_num_queries(6):
        assert len(selectors.perks_for_person(person=ann)) == 15
    with django_assert_max_num_queries(4):
        assert len(selectors.perks_for_person(person=ann)) == 15


# promotion_audience -------------------------------------------------------------------------


def people(count: int, score: int) -> None:
    PersonFactory.create_batch(count, profile__score=score)


def bucket(audience: selectors.Audience, low: int) -> int | None:
    return next(item.count for item in audience.histogram if item.low == low)


def test_the_audience_counts_people_at_or_above_the_threshold():
    promotion = PromotionFactory(min_score=650)
    people(12, 650)
    people(10, 700)
    people(15, 640)

    audience = selectors.promotion_audience(promotion=promotion)

    assert audience.qualifying == 20
    assert (bucket(audience, 640), bucket(audience, 650), bucket(audience, 700)) == (10, 10, 10)


def test_counts_under_ten_are_withheld():
    promotion = PromotionFactory(min_score=650)
    people(9, 660)
    people(3, 600)

    audience = selectors.promotion_audience(promotion=promotion)

    assert audience.qualifying is None
    assert {item.count for item in audience.histogram} == {None}


def test_counts_are_rounded_down_so_two_thresholds_cannot_be_subtracted():
    people(14, 650)
    people(11, 700)

    at_650 = selectors.promotion_audience(promotion=PromotionFactory(min_score=650))
    at_700 = selectors.promotion_audience(promotion=PromotionFactory(min_score=700))

    assert (at_650.qualifying, at_700.qualifying) == (20, 10)


def test_the_histogram_runs_in_tens_from_100_below_to_100_above():
    audience = selectors.promotion_audience(promotion=PromotionFactory(min_score=650))

    assert [(item.low, item.high) for item in audience.histogram] == [
        (low, low + 9) for low in range(550, 750, 10)
    ]


def test_the_histogram_stops_at_the_ends_of_the_scale():
    low = selectors.promotion_audience(promotion=PromotionFactory(min_score=400))
    high = selectors.promotion_audience(promotion=PromotionFactory(min_score=900))

    assert (low.histogram[0].low, low.histogram[-1].high) == (350, 499)
    assert (high.histogram[0].low, high.histogram[-1].low, high.histogram[-1].high) == (800, 950, 950)


def test_the_audience_leaves_out_the_opted_out_and_the_blacklisted(blacklist):
    promotion = PromotionFactory(min_score=650)
    people(10, 700)
    opted_out = PersonFactory(profile__score=700)
    ConsumerProfile.objects.filter(user=opted_out).update(is_opted_in=False)
    blacklist(PersonFactory(profile__score=700))

    assert selectors.promotion_audience(promotion=promotion).qualifying == 10


def person_with(
    *, region: str = "other", tier: str = "standard", verified: bool = True, joined_days_ago: int = 400
) -> User:
    """A person scored 700 (no snapshot: give one with ``given_score`` for sub-scores)."""
    person = PersonFactory(
        profile__score=700,
        profile__region=region,
        profile__membership_tier=tier,
        date_joined=timezone.now() - datetime.timedelta(days=joined_days_ago),
    )
    Identity.objects.create(person=person, real_name_verified=verified)
    if not verified:  # the factory's people are verified; no identity row means unverified
        RealNameIdentity.objects.filter(user=person).delete()
    return person


AUDIENCE_CASES = {
    "region": ({"regions": ["zhejiang"]}, {"region": "zhejiang"}, {"region": "beijing"}),
    "membership tier": (
        {"conditions": {"attr": "membership_tier", "in": ["gold", "platinum"]}},
        {"tier": "gold"},
        {"tier": "standard"},
    ),
    "verified identity": (
        {"conditions": {"attr": "identity_verified", "is": True}},
        {"verified": True},
        {"verified": False},
    ),
    "account age": ({"min_account_age_days": 30}, {"joined_days_ago": 31}, {"joined_days_ago": 29}),
    "sub-score": (
        {"conditions": {"attr": "dimension", "key": "credit_history", "gte": 75}},
        {"credit_history": 75},
        {"credit_history": 70},
    ),
}


@pytest.mark.parametrize("case", AUDIENCE_CASES)
def test_the_audience_applies_every_condition_known_online(case, given_score):
    fields, meets, misses = AUDIENCE_CASES[case]
    promotion = PromotionFactory(min_score=650, **fields)
    for spec in [meets] * 10 + [misses] * 7:
        facts = {key: value for key, value in spec.items() if key != "credit_history"}
        given_score(person_with(**facts), 700, credit_history=spec.get("credit_history", 50))

    audience = selectors.promotion_audience(promotion=promotion)

    assert audience.qualifying == 10
    assert bucket(audience, 700) == 10
    assert audience.unknown_conditions == []
    eligible = [
        selectors.perks_for_person(person=person)
        for person in User.objects.filter(consumer__isnull=False).order_by("pk")
    ]
    assert (
        sum(1 for perks in eligible for perk in perks if perk.promotion == promotion and perk.eligible) == 10
    )


def test_an_all_of_online_and_counter_conditions_counts_the_online_part_and_names_the_counter_part():
    promotion = PromotionFactory(
        min_score=650,
        conditions={
            "all": [
                {"attr": "region", "in": ["shanghai"]},
                {"counter": "ticket_class", "in": ["first"]},
            ]
        },
    )
    for _ in range(10):
        person_with(region="shanghai")
    for _ in range(9):
        person_with(region="beijing")

    audience = selectors.promotion_audience(promotion=promotion)

    assert audience.qualifying == 10
    assert audience.unknown_conditions == ["First-class ticket (checked at the counter)"]


def test_an_any_of_online_conditions_counts_who_meets_either():
    promotion = PromotionFactory(
        min_score=650,
        conditions={
            "any": [{"attr": "region", "in": ["shanghai"]}, {"attr": "membership_tier", "in": ["platinum"]}]
        },
    )
    for _ in range(6):
        person_with(region="shanghai")
    for _ in range(6):
        person_with(tier="platinum")
    for _ in range(9):
        person_with()

    assert selectors.promotion_audience(promotion=promotion).qualifying == 10


def test_the_audience_with_conditions_is_still_one_query(django_assert_num_queries):
    promotion = PromotionFactory(
        min_score=650,
        regions=["shanghai"],
        min_account_age_days=7,
        conditions={
            "all": [
                {"attr": "identity_verified", "is": True},
                {"attr": "dimension", "key": "credit_history", "gte": 50},
                {"attr": "dimension", "key": "behaviour", "gte": 25},
            ]
        },
    )

    with django_assert_num_queries(1):
        assert selectors.promotion_audience(promotion=promotion).qualifying is None


def test_the_audience_is_one_query(django_assert_num_queries):
    promotion = PromotionFactory(min_score=650)

    with django_assert_num_queries(1):
        selectors.promotion_audience(promotion=promotion)


# Claims -------------------------------------------------------------------------------------


def test_claims_for_a_promotion_filter_by_status():
    promotion = PromotionFactory()
    active = ClaimFactory(promotion=promotion)
    ClaimFactory(promotion=promotion, status=Claim.Status.USED)
    ClaimFactory()

    assert list(selectors.claims_for_promotion(promotion=promotion, status="active")) == [active]
    assert selectors.claims_for_promotion(promotion=promotion).count() == 2


def test_claims_for_a_person_are_theirs_newest_first():
    person = PersonFactory()
    older = ClaimFactory(person=person, claimed_at=timezone.now() - datetime.timedelta(days=1))
    newer = ClaimFactory(person=person)
    ClaimFactory()

    assert list(selectors.claims_for_person(person=person)) == [newer, older]


# sellout_forecast ---------------------------------------------------------------------------

NOW = datetime.datetime(2026, 12, 10, 12, 0, tzinfo=datetime.UTC)


def test_the_forecast_extends_the_claim_rate_so_far():
    promotion = PromotionFactory(quantity=20, remaining=15, starts_at=NOW - datetime.timedelta(days=5))
    ClaimFactory(promotion=promotion, claimed_at=NOW - datetime.timedelta(days=6))

    assert selectors.sellout_forecast(promotion=promotion, now=NOW) == NOW + datetime.timedelta(days=15)


def test_the_rate_counts_from_the_first_claim_when_later_than_the_start():
    promotion = PromotionFactory(quantity=10, remaining=8, starts_at=NOW - datetime.timedelta(days=30))
    ClaimFactory(promotion=promotion, claimed_at=NOW - datetime.timedelta(days=2))

    assert selectors.sellout_forecast(promotion=promotion, now=NOW) == NOW + datetime.timedelta(days=8)


@pytest.mark.parametrize(
    "stock",
    [
        {"quantity": None, "remaining": None},
        {"quantity": 10, "remaining": 10},
        {"quantity": 10, "remaining": 0},
    ],
)
def test_no_forecast_without_a_limit_without_claims_or_once_sold_out(stock):
    promotion = PromotionFactory(starts_at=NOW - datetime.timedelta(days=5), **stock)

    assert selectors.sellout_forecast(promotion=promotion, now=NOW) is None


def test_no_forecast_for_a_sell_out_beyond_five_years():
    promotion = PromotionFactory(
        quantity=1_000_000, remaining=999_999, starts_at=NOW - datetime.timedelta(days=3000)
    )

    assert selectors.sellout_forecast(promotion=promotion, now=NOW) is None


def test_no_forecast_when_it_ends_before_selling_out():
    promotion = PromotionFactory(
        quantity=20,
        remaining=15,
        starts_at=NOW - datetime.timedelta(days=5),
        ends_at=NOW + datetime.timedelta(days=3),
    )

    assert selectors.sellout_forecast(promotion=promotion, now=NOW) is None


# share_public -------------------------------------------------------------------------------


def test_a_band_share_shows_the_band_and_date_only():
    person = PersonFactory(profile__score=712)
    share = ShareFactory(person=person, show=Share.Show.BAND)

    assert selectors.share_public(token=share.token) == selectors.PublicShare(
        band="excellent", as_of=timezone.localdate(), score=None, share_id=share.pk
    )


def test_a_score_share_shows_the_score_too():
    share = ShareFactory(person=PersonFactory(profile__score=655), show=Share.Show.SCORE)

    assert selectors.share_public(token=share.token).score == 655


@pytest.mark.parametrize(
    "change",
    [
        {"revoked_at": timezone.now()},
        {
            "created_at": timezone.now() - datetime.timedelta(days=2),
            "expires_at": timezone.now() - datetime.timedelta(seconds=1),
        },
    ],
)
def test_a_revoked_or_expired_share_shows_nothing(change):
    share = ShareFactory(person=PersonFactory(profile__score=700))
    Share.objects.filter(pk=share.pk).update(**change)

    assert selectors.share_public(token=share.token) is None


def test_a_share_of_someone_who_opted_out_shows_nothing():
    person = PersonFactory(profile__score=700)
    share = ShareFactory(person=person)
    ConsumerProfile.objects.filter(user=person).update(is_opted_in=False)

    assert selectors.share_public(token=share.token) is None


@pytest.mark.parametrize("token", ["", "nope", "x" * 10_000])
def test_an_unknown_token_shows_nothing(token):
    assert selectors.share_public(token=token) is None
