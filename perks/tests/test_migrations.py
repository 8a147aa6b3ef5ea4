"""perks/migrations/0005: existing promotions brought onto the coarse grid, never granting more."""

import importlib

import pytest

ROUNDING = importlib.import_module("perks.migrations.0005_promotion_thresholds_multiple_of_50")


@pytest.mark.parametrize(("value", "rounded"), [(350, 350), (351, 400), (640, 650), (650, 650), (910, 950)])
def test_thresholds_round_up_to_the_next_multiple_of_50(value, rounded):
    assert ROUNDING.round_up(value, 50) == rounded


def test_tiers_round_up_and_colliding_tiers_keep_the_highest_original_bound():
    tiers = [
        {"min_score": 640, "benefit": "Level 640"},
        {"min_score": 650, "benefit": "Level 650"},
        {"min_score": 660, "benefit": "Level 660"},
        {"min_score": 700, "benefit": "Level 700"},
        {"min_score": 730, "benefit": "Level 730", "benefit_zh": "730 级"},
    ]

    assert ROUNDING.round_tiers(tiers) == [
        {"min_score": 650, "benefit": "Level 650"},
        {"min_score": 700, "benefit": "Level 700"},
        {"min_score": 750, "benefit": "Level 730", "benefit_zh": "730 级"},
    ]


def test_sub_scores_round_up_and_an_online_tier_beside_a_counter_check_moves_to_the_counter():
    tree = {
        "all": [
            {"attr": "dimension", "key": "credit_history", "gte": 60},
            {
                "any": [
                    {"counter": "ticket_class", "in": ["first"]},
                    {"attr": "membership_tier", "in": ["platinum"]},
                ]
            },
            {
                "any": [
                    {"attr": "membership_tier", "in": ["gold"]},
                    {"attr": "dimension", "key": "identity", "gte": 99},
                ]
            },
        ]
    }

    assert ROUNDING.round_conditions(tree) == {
        "all": [
            {"attr": "dimension", "key": "credit_history", "gte": 75},
            {
                "any": [
                    {"counter": "ticket_class", "in": ["first"]},
                    {"counter": "membership_tier", "in": ["platinum"]},
                ]
            },
            {
                "any": [
                    {"attr": "membership_tier", "in": ["gold"]},
                    {"attr": "dimension", "key": "identity", "gte": 100},
                ]
            },
        ]
    }
