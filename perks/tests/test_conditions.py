"""perks/conditions.py: the condition tree's validation, words and three-valued evaluation."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from perks.conditions import (
    Evaluation,
    Facts,
    counter_part,
    describe,
    evaluate,
    online_part,
    validate_conditions,
    validate_counter_facts,
)

FIRST_CLASS = {"counter": "ticket_class", "in": ["first"]}
PLATINUM = {"attr": "membership_tier", "in": ["platinum"]}
CREDIT_75 = {"attr": "dimension", "key": "credit_history", "gte": 75}
PLATINUM_CARD = {"counter": "membership_tier", "in": ["platinum"]}
# The station lounge: first class or platinum, both checked at the counter (an online
# condition may not share an "any" with a counter check).
LOUNGE = {"any": [FIRST_CLASS, PLATINUM_CARD]}
PLATINUM_FACTS = Facts(membership_tier="platinum")
STANDARD_FACTS = Facts(membership_tier="standard")


def messages_of(tree: object) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        validate_conditions(tree)
    return caught.value.messages


def nested(depth: int) -> dict:
    tree: dict = PLATINUM
    for _level in range(depth - 1):
        tree = {"all": [tree]}
    return tree


# Validation ---------------------------------------------------------------------------------


def test_the_empty_tree_means_no_conditions():
    assert validate_conditions({}) == {}
    assert validate_conditions(None) == {}


@pytest.mark.parametrize(
    "tree",
    [
        PLATINUM,
        LOUNGE,
        {"attr": "region", "in": ["zhejiang", "shanghai"]},
        {"attr": "identity_verified", "is": True},
        {"attr": "dimension", "key": "credit_history", "gte": 75},
        {"all": [PLATINUM, {"any": [FIRST_CLASS, {"counter": "membership_tier", "in": ["gold"]}]}]},
        {"all": [{"any": [PLATINUM, {"attr": "identity_verified", "is": True}]}, FIRST_CLASS]},
    ],
)
def test_valid_trees_come_back_unchanged(tree):
    assert validate_conditions(tree) == tree


@pytest.mark.parametrize(
    ("tree", "message"),
    [
        ([], 'At the root: expected an object such as {"all": [...]} or {"attr": ...}.'),
        (
            {"attr": "age", "in": ["30"]},
            "At the root: unknown attribute 'age'; use one of: "
            "membership_tier, region, identity_verified, dimension.",
        ),
        (
            {"all": [PLATINUM, {"attr": "shoe_size", "in": ["42"]}]},
            "At all[1]: unknown attribute 'shoe_size'; "
            "use one of: membership_tier, region, identity_verified, dimension.",
        ),
        ({"all": []}, "At the root: 'all' must not be empty."),
        ({"any": [PLATINUM, {"any": []}]}, "At any[1]: 'any' must not be empty."),
        ({"all": PLATINUM}, "At the root: 'all' must be a list of conditions."),
        (
            {"none": [PLATINUM]},
            "At the root: a node needs exactly one of the keys all, any, attr or counter.",
        ),
        (
            {"all": [PLATINUM], "any": [PLATINUM]},
            "At the root: a node needs exactly one of the keys all, any, attr or counter.",
        ),
        (
            {"attr": "membership_tier", "in": ["diamond"]},
            "At the root: unknown value 'diamond'; use one of: standard, gold, platinum.",
        ),
        (
            {"attr": "membership_tier", "in": "platinum"},
            "At the root: 'in' must be a non-empty list of values.",
        ),
        ({"attr": "membership_tier", "in": []}, "At the root: 'in' must be a non-empty list of values."),
        (
            {"attr": "membership_tier", "in": [7]},
            "At the root: unknown value 7; use one of: standard, gold, platinum.",
        ),
        ({"attr": "membership_tier", "in": ["gold", "gold"]}, "At the root: 'in' lists a value twice."),
        ({"attr": "membership_tier", "in": ["gold"], "gte": 3}, "At the root: unknown key 'gte'."),
        ({"attr": "identity_verified", "is": "yes"}, "At the root: 'is' must be true or false."),
        (
            {"attr": "dimension", "key": "wealth", "gte": 50},
            "At the root: unknown dimension 'wealth'; use one "
            "of: credit_history, fulfilment_capacity, behaviour, identity, connections.",
        ),
        (
            {"attr": "dimension", "key": "identity", "gte": 101},
            "At the root: 'gte' must be a whole number from 0 to 100.",
        ),
        (
            {"attr": "dimension", "key": "identity", "gte": True},
            "At the root: 'gte' must be a whole number from 0 to 100.",
        ),
        (
            {"attr": "dimension", "key": "identity", "gte": 5.5},
            "At the root: 'gte' must be a whole number from 0 to 100.",
        ),
        (
            {"counter": "shoe_size", "in": ["42"]},
            "At the root: unknown counter fact 'shoe_size'; use one of: ticket_class, membership_tier.",
        ),
        (
            {"any": [{"counter": "ticket_class", "in": ["cattle"]}]},
            "At any[0]: unknown value 'cattle'; use one of: first, business, second.",
        ),
        (
            {"all": [{"any": [PLATINUM, "platinum"]}]},
            'At all[0].any[1]: expected an object such as {"all": [...]} or {"attr": ...}.',
        ),
    ],
)
def test_invalid_trees_are_refused_with_where_and_why(tree, message):
    assert messages_of(tree) == [message]


def test_five_levels_are_allowed_and_six_refused():
    assert validate_conditions(nested(5)) == nested(5)

    assert messages_of(nested(6)) == [
        "At all[0].all[0].all[0].all[0].all[0]: a condition tree may be at most 5 levels deep."
    ]


def test_a_very_deep_tree_is_refused_without_recursing_through_it():
    assert messages_of(nested(5000))[0].endswith("a condition tree may be at most 5 levels deep.")


def test_thirty_nodes_are_allowed_and_thirty_one_refused():
    thirty = {"any": [PLATINUM] * 29}
    thirty_one = {"any": [PLATINUM] * 30}

    assert validate_conditions(thirty) == thirty
    assert messages_of(thirty_one) == ["At any[29]: a condition tree may have at most 30 nodes."]


def test_long_unknown_values_are_cut_short_in_the_message():
    message = messages_of({"attr": "x" * 10_000, "in": ["gold"]})[0]

    assert len(message) < 200
    assert message.startswith("At the root: unknown attribute 'xxxxxxxx")


def test_counter_facts_must_be_known_facts_with_known_values():
    assert validate_counter_facts(None) == {}
    assert validate_counter_facts({"ticket_class": "first"}) == {"ticket_class": "first"}
    with pytest.raises(ValidationError) as unknown_fact:
        validate_counter_facts({"shoe_size": "42"})
    with pytest.raises(ValidationError) as unknown_value:
        validate_counter_facts({"ticket_class": "cattle"})
    with pytest.raises(ValidationError) as not_an_object:
        validate_counter_facts(["first"])

    assert unknown_fact.value.messages == ["Unknown counter fact 'shoe_size'."]
    assert unknown_value.value.messages == [
        "Unknown ticket class 'cattle'; use one of: first, business, second."
    ]
    assert not_an_object.value.messages == ['Expected an object such as {"ticket_class": "first"}.']


# Words --------------------------------------------------------------------------------------


def test_each_leaf_has_words():
    assert describe(PLATINUM) == "Platinum membership"
    assert describe(FIRST_CLASS) == "First-class ticket (checked at the counter)"
    assert describe({"attr": "region", "in": ["zhejiang"]}) == "Living in Zhejiang"
    assert describe({"attr": "identity_verified", "is": True}) == "Verified real-name identity"
    assert (
        describe({"attr": "dimension", "key": "credit_history", "gte": 60})
        == "Credit history of at least 60 out of 100"
    )


def test_groups_read_as_and_and_or_with_brackets_around_inner_groups():
    assert describe({"all": [PLATINUM, LOUNGE]}) == (
        "Platinum membership and (First-class ticket (checked at the counter) or Platinum membership "
        "(checked at the counter))"
    )


def test_words_follow_the_active_language():
    with translation.override("zh-hans"):
        words = [describe(PLATINUM), describe(FIRST_CLASS), describe(LOUNGE)]

    assert words == ["铂金会员", "一等座车票（柜台核验）", "一等座车票（柜台核验）或铂金会员（柜台核验）"]  # noqa: RUF001


# Evaluation: the station lounge, 650 and (first-class ticket or platinum) --------------------


def test_the_lounge_is_open_for_the_counter_whatever_the_persons_tier():
    # Platinum online or not, the counter is asked the same: it never learns the online tier.
    expected = Evaluation(
        met=None,
        unmet=[],
        at_counter=[
            "First-class ticket (checked at the counter)",
            "Platinum membership (checked at the counter)",
        ],
        pending=LOUNGE,
    )

    assert evaluate(LOUNGE, PLATINUM_FACTS) == expected
    assert evaluate(LOUNGE, STANDARD_FACTS) == expected


@pytest.mark.parametrize(
    ("tier", "ticket", "met"),
    [
        ("platinum", "first", True),
        ("platinum", "second", True),
        ("standard", "first", True),
        ("standard", "second", False),
    ],
)
def test_lounge_at_the_counter_resolves_all_four_combinations(tier, ticket, met):
    evaluation = evaluate(LOUNGE, None, {"ticket_class": ticket, "membership_tier": tier})

    assert evaluation.met is met
    assert evaluation.at_counter == []
    assert evaluation.unmet == (
        []
        if met
        else ["First-class ticket (checked at the counter) or Platinum membership (checked at the counter)"]
    )


def test_a_claims_pending_checks_resolve_with_the_counter_facts_alone():
    pending = evaluate(LOUNGE, STANDARD_FACTS).pending

    assert evaluate(pending, None, {"ticket_class": "first"}).met is True
    assert evaluate(pending, None, {"ticket_class": "business", "membership_tier": "gold"}).met is False
    assert evaluate(pending, None, {"ticket_class": "business"}).met is None
    assert evaluate(pending, None, {}).met is None


# What the counter may learn ------------------------------------------------------------------

MIXED_ANY = (
    "an 'any' may not mix online conditions with conditions checked at the counter: the counter's "
    "answer would tell you which online condition the person met. Put them in separate groups, or "
    "check both at the counter."
)


@pytest.mark.parametrize(
    ("tree", "where"),
    [
        ({"any": [FIRST_CLASS, PLATINUM]}, "the root"),
        ({"all": [PLATINUM, {"any": [{"all": [FIRST_CLASS]}, CREDIT_75]}]}, "all[1]"),
    ],
)
def test_an_any_mixing_online_and_counter_conditions_is_refused(tree, where):
    assert messages_of(tree) == [f"At {where}: {MIXED_ANY}"]


@pytest.mark.parametrize("gte", [1, 10, 60, 74, 99])
def test_a_sub_score_condition_is_a_multiple_of_25(gte):
    assert messages_of({"attr": "dimension", "key": "identity", "gte": gte}) == [
        "At the root: 'gte' must be a multiple of 25 (0, 25, 50, 75 or 100): a merchant may learn only "
        "a coarse bracket of a sub-score."
    ]


@pytest.mark.parametrize("gte", [0, 25, 50, 75, 100])
def test_sub_score_brackets_of_25_are_accepted(gte):
    tree = {"attr": "dimension", "key": "identity", "gte": gte}

    assert validate_conditions(tree) == tree


def test_the_counters_checks_follow_from_the_tree_alone():
    tree = {"all": [CREDIT_75, {"any": [PLATINUM, {"attr": "region", "in": ["zhejiang"]}]}, LOUNGE]}

    assert counter_part(tree) == LOUNGE
    assert online_part(tree) == {
        "all": [CREDIT_75, {"any": [PLATINUM, {"attr": "region", "in": ["zhejiang"]}]}]
    }
    assert counter_part({"all": [CREDIT_75, PLATINUM]}) == {}
    assert online_part(LOUNGE) == {}


def test_all_lists_every_unmet_leaf():
    tree = {
        "all": [
            PLATINUM,
            {"attr": "region", "in": ["zhejiang"]},
            {"attr": "dimension", "key": "identity", "gte": 80},
            {"attr": "identity_verified", "is": True},
        ]
    }
    facts = Facts(
        membership_tier="gold", region="zhejiang", identity_verified=False, dimensions={"identity": 60}
    )

    assert evaluate(tree, facts) == Evaluation(
        met=False,
        unmet=[
            "Platinum membership",
            "Identity and characteristics of at least 80 out of 100",
            "Verified real-name identity",
        ],
        at_counter=[],
        pending={},
    )


def test_a_false_child_makes_all_false_even_with_a_counter_check_open():
    evaluation = evaluate({"all": [FIRST_CLASS, PLATINUM]}, STANDARD_FACTS)

    assert (evaluation.met, evaluation.unmet, evaluation.at_counter) == (False, ["Platinum membership"], [])


def test_a_missing_sub_score_is_not_met():
    assert evaluate({"attr": "dimension", "key": "behaviour", "gte": 0}, Facts()).met is False


def test_the_empty_tree_is_met():
    assert evaluate({}, Facts()) == Evaluation(met=True, unmet=[], at_counter=[], pending={})


# Properties ---------------------------------------------------------------------------------

leaves = st.sampled_from(
    [
        PLATINUM,
        FIRST_CLASS,
        {"attr": "membership_tier", "in": ["gold", "standard"]},
        {"attr": "region", "in": ["zhejiang"]},
        {"attr": "identity_verified", "is": True},
        {"attr": "dimension", "key": "credit_history", "gte": 60},
    ]
)
trees = st.recursive(
    leaves,
    lambda children: st.builds(
        lambda kind, items: {kind: items},
        st.sampled_from(["all", "any"]),
        st.lists(children, min_size=1, max_size=3),
    ),
    max_leaves=8,
)
facts_strategy = st.builds(
    Facts,
    membership_tier=st.sampled_from(["standard", "gold", "platinum"]),
    region=st.sampled_from(["zhejiang", "shanghai"]),
    identity_verified=st.booleans(),
    dimensions=st.fixed_dictionaries({"credit_history": st.integers(0, 100)}),
)


@given(tree=trees, facts=facts_strategy, ticket=st.sampled_from(["first", "second"]))
def test_the_counter_settles_exactly_what_was_left_open_online(tree, facts, ticket):
    online = evaluate(tree, facts)
    at_counter = evaluate(tree, facts, {"ticket_class": ticket})
    settled_from_pending = evaluate(online.pending, None, {"ticket_class": ticket}).met

    assert at_counter.met is not None
    assert at_counter.met is (online.met if online.met is not None else settled_from_pending)


@given(tree=trees, facts=facts_strategy)
def test_unmet_words_are_given_exactly_when_the_tree_is_not_met(tree, facts):
    evaluation = evaluate(tree, facts)

    assert bool(evaluation.unmet) is (evaluation.met is False)
    assert bool(evaluation.at_counter) is (evaluation.met is None)
