"""perks/eligibility.py: who may claim a promotion and what they get, decided over plain facts.

Pure decisions: promotions here are unsaved model instances, people are PersonFacts.
"""

from decimal import Decimal

import pytest
from django.utils import timezone, translation
from hypothesis import given
from hypothesis import strategies as st

from accounts.models import Merchant
from perks import eligibility
from perks.conditions import Facts
from perks.eligibility import PersonFacts
from perks.models import BenefitType, Promotion

LOUNGE = {
    "any": [{"counter": "ticket_class", "in": ["first"]}, {"counter": "membership_tier", "in": ["platinum"]}]
}
CREDIT_75 = {"attr": "dimension", "key": "credit_history", "gte": 75}
TIERS = [
    {"min_score": 700, "benefit": "Deposit waived and a free helmet", "benefit_zh": "免押金并送头盔"},
    {"min_score": 800, "benefit": "Deposit waived and free delivery"},
]


def promotion(**fields: object) -> Promotion:
    values: dict[str, object] = {
        "merchant": Merchant(name="Ford", slug="ford"),
        "title": "Deposit-free bike",
        "benefit_type": BenefitType.DEPOSIT_WAIVER,
        "amount": Decimal("299.00"),
        "min_score": 650,
        "conditions": {},
        "regions": [],
        "tiers": [],
        "min_account_age_days": 0,
        "starts_at": timezone.now(),
    }
    values.update(fields)
    return Promotion(**values)


def person(**fields: object) -> PersonFacts:
    values: dict[str, object] = {
        "opted_in": True,
        "score": 700,
        "blacklisted": False,
        "facts": Facts(),
        "account_age_days": 365,
        "identity_verified": True,
    }
    values.update(fields)
    return PersonFacts(**values)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


# assess ---------------------------------------------------------------------------------------


def test_a_person_at_the_threshold_is_eligible_and_told_what_the_merchant_learns():
    assessment = eligibility.assess(promotion=promotion(min_score=700), person=person(score=700))

    assert assessment == eligibility.Assessment(
        eligible=True,
        points_away=0,
        unmet=[],
        at_counter=[],
        pending={},
        benefit="Deposit of ¥299.00 waived",
        disclosure="Ford will learn that your score is 700 or more, never the number.",
    )


def test_one_point_short_is_not_eligible_and_says_how_far():
    assessment = eligibility.assess(promotion=promotion(min_score=700), person=person(score=699))

    assert (assessment.eligible, assessment.points_away, assessment.unmet) == (
        False,
        1,
        ["A score of 700 or more"],
    )
    assert (assessment.pending, assessment.disclosure) == ({}, "")


@pytest.mark.parametrize("who", [person(opted_in=False), person(score=None)])
def test_without_consent_or_a_score_the_only_step_is_to_opt_in(who):
    assessment = eligibility.assess(promotion=promotion(), person=who)

    assert (assessment.eligible, assessment.points_away, assessment.unmet) == (
        False,
        None,
        ["Opt in to scoring"],
    )


def test_a_blacklisted_person_is_refused_whatever_the_score():
    assessment = eligibility.assess(promotion=promotion(), person=person(score=950, blacklisted=True))

    assert (assessment.eligible, assessment.points_away, assessment.unmet) == (
        False,
        0,
        ["Not on the court blacklist"],
    )


def test_every_unmet_requirement_is_named_in_order():
    assessment = eligibility.assess(
        promotion=promotion(
            min_score=800, min_account_age_days=30, regions=["zhejiang"], conditions=CREDIT_75
        ),
        person=person(score=700, blacklisted=True, account_age_days=3),
    )

    assert assessment.unmet == [
        "Not on the court blacklist",
        "Your account must be 30 days old",
        "A score of 800 or more",
        "Living in Zhejiang",
        "Credit history of at least 75 out of 100",
    ]
    assert (assessment.eligible, assessment.points_away) == (False, 100)


def test_counter_checks_leave_a_person_eligible_with_the_checks_pending():
    assessment = eligibility.assess(promotion=promotion(conditions=LOUNGE), person=person())

    assert (assessment.eligible, assessment.pending) == (True, LOUNGE)
    assert assessment.at_counter == [
        "First-class ticket (checked at the counter)",
        "Platinum membership (checked at the counter)",
    ]


def test_the_counter_checks_do_not_depend_on_what_the_person_meets_online():
    tree = {"all": [{"any": [{"attr": "membership_tier", "in": ["platinum"]}, LOUNGE]}]}
    platinum = eligibility.assess(
        promotion=promotion(conditions=tree), person=person(facts=Facts(membership_tier="platinum"))
    )
    standard = eligibility.assess(promotion=promotion(conditions=tree), person=person())

    assert platinum.pending == standard.pending
    assert platinum.at_counter == standard.at_counter


def test_an_online_condition_met_is_disclosed_to_the_merchant():
    assessment = eligibility.assess(
        promotion=promotion(conditions=CREDIT_75),
        person=person(facts=Facts(dimensions={"credit_history": 80})),
    )

    assert assessment.eligible is True
    assert assessment.disclosure == (
        "Ford will learn that your score is 650 or more, never the number. "
        "It will also learn that you meet this: Credit history of at least 75 out of 100."
    )


@given(st.integers(350, 950), st.integers(350, 950))
def test_a_higher_score_is_never_further_away(low, high):
    low, high = sorted((low, high))
    offer = promotion(min_score=700)

    nearer = eligibility.assess(promotion=offer, person=person(score=high))
    further = eligibility.assess(promotion=offer, person=person(score=low))

    assert nearer.points_away <= further.points_away
    assert nearer.eligible >= further.eligible
    assert further.points_away == max(700 - low, 0)


# effective_conditions, account_unmet ------------------------------------------------------------


def test_regions_fold_into_the_condition_tree():
    region = {"attr": "region", "in": ["zhejiang", "shanghai"]}

    assert eligibility.effective_conditions(promotion()) == {}
    assert eligibility.effective_conditions(promotion(regions=["zhejiang", "shanghai"])) == region
    assert eligibility.effective_conditions(
        promotion(regions=["zhejiang", "shanghai"], conditions=LOUNGE)
    ) == {"all": [region, LOUNGE]}


@pytest.mark.parametrize(
    ("required", "age", "unmet"),
    [
        (0, 0, []),
        (30, 30, []),
        (30, 29, ["Your account must be 30 days old"]),
        (1, 0, ["Your account must be 1 day old"]),
    ],
)
def test_an_account_younger_than_required_is_named_with_the_days(required, age, unmet):
    assert (
        eligibility.account_unmet(
            promotion=promotion(min_account_age_days=required), person=person(account_age_days=age)
        )
        == unmet
    )


# brackets, tiers, benefits ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "bracket"),
    [
        (650, (650, 699)),
        (699, (650, 699)),
        (700, (700, 799)),
        (799, (700, 799)),
        (800, (800, None)),
        (950, (800, None)),
    ],
)
def test_the_bracket_runs_from_the_bound_reached_to_just_under_the_next(score, bracket):
    assert eligibility.score_bracket(promotion=promotion(tiers=TIERS), score=score) == bracket


def test_without_tiers_the_bracket_is_open_from_the_threshold():
    assert eligibility.score_bracket(promotion=promotion(min_score=650), score=900) == (650, None)


def test_the_disclosure_names_a_closed_bracket():
    assert eligibility.disclosure_text(promotion=promotion(tiers=TIERS), score=720) == (
        "Ford will learn that your score is from 700 to 799, never the number."
    )


@pytest.mark.parametrize(
    ("score", "tier"),
    [(None, None), (650, None), (700, TIERS[0]), (799, TIERS[0]), (800, TIERS[1]), (950, TIERS[1])],
)
def test_the_highest_tier_the_score_reaches_applies(score, tier):
    assert eligibility.tier_for(tiers=TIERS, score=score) == tier


def test_a_tiers_benefit_is_given_in_chinese_when_it_has_one():
    offer = promotion(tiers=TIERS)

    with translation.override("zh-hans"):
        chinese = [eligibility.benefit_text(promotion=offer, score=score) for score in (720, 820)]

    assert eligibility.benefit_text(promotion=offer, score=720) == "Deposit waived and a free helmet"
    assert chinese == ["免押金并送头盔", "Deposit waived and free delivery"]


@pytest.mark.parametrize(
    ("benefit_type", "trial_days", "amount", "text"),
    [
        (BenefitType.TRIAL, 3, None, "Free 3-day trial"),
        (BenefitType.DEPOSIT_WAIVER, None, Decimal("1299.00"), "Deposit of ¥1,299.00 waived"),
        (BenefitType.DEPOSIT_WAIVER, None, None, "Deposit waived"),
        (BenefitType.CREDIT_LINE, None, Decimal("5000"), "Credit line up to ¥5,000.00"),
        (BenefitType.PRIORITY, None, None, "Priority service"),
        (BenefitType.ACCESS, None, None, "Access"),
    ],
)
def test_the_benefit_without_tiers_is_said_in_words_with_rmb_to_the_fen(
    benefit_type, trial_days, amount, text
):
    assert (
        eligibility.base_benefit_text(benefit_type=benefit_type, trial_days=trial_days, amount=amount) == text
    )


def test_below_every_tier_the_base_benefit_applies():
    assert (
        eligibility.benefit_text(promotion=promotion(tiers=TIERS), score=650) == "Deposit of ¥299.00 waived"
    )
