"""perks/console/forms.py: what staff type, parsed into what the services take, and the errors it names.

The forms check types and shapes only; the rules are the services' (their own tests).
"""

import datetime
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from perks.console import forms
from perks.models import BenefitType, Category, Claim, Promotion

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
LOUNGE = {
    "any": [{"counter": "ticket_class", "in": ["first"]}, {"counter": "membership_tier", "in": ["platinum"]}]
}


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def posted(**changes: object) -> dict[str, object]:
    """A valid new promotion as the browser posts it, with some fields changed (None: left out)."""
    data: dict[str, object] = {
        "title": "Free 3-day test drive",
        "category": Category.TRY_BEFORE_BUY,
        "benefit_type": BenefitType.TRIAL,
        "trial_days": "3",
        "min_score": "750",
        "quantity": "20",
        "per_user_limit": "1",
        "pickup_days": "7",
        "starts_at": "2026-12-01T09:30",
        "cond_match": "all",
        "tiers-TOTAL_FORMS": "2",
        "tiers-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def valid(**changes: object) -> forms.PromotionForm:
    form = forms.PromotionForm(data=posted(**changes))
    assert form.is_valid(), form.errors
    return form


def errors(**changes: object) -> dict[str, list[str]]:
    form = forms.PromotionForm(data=posted(**changes))
    assert not form.is_valid()
    return dict(form.errors)


# The promotion form -------------------------------------------------------------------------------


def test_a_valid_form_gives_the_services_their_values():
    values = valid(amount="2999.00", regions=["zhejiang", "beijing"]).service_values()

    assert (values["title"], values["title_zh"], values["description"]) == ("Free 3-day test drive", "", "")
    assert (values["min_score"], values["quantity"], values["amount"]) == (750, 20, Decimal("2999.00"))
    assert (values["conditions"], values["tiers"], values["min_account_age_days"]) == ({}, [], 0)
    assert values["regions"] == ["beijing", "zhejiang"]  # in the choices' order, whatever the ticking order


def test_the_start_is_read_as_shanghai_wall_time_whatever_the_active_zone(settings):
    settings.TIME_ZONE = "UTC"

    starts_at = valid(starts_at="2026-12-01T09:30").cleaned_data["starts_at"]

    assert starts_at == datetime.datetime(2026, 12, 1, 9, 30, tzinfo=SHANGHAI)
    assert starts_at == datetime.datetime(2026, 12, 1, 1, 30, tzinfo=datetime.UTC)


def test_unlimited_stock_has_no_quantity_and_no_quantity_needs_unlimited():
    assert valid(unlimited="on", quantity="5").cleaned_data["quantity"] is None
    assert errors(quantity="") == {"quantity": ["Enter how many there are, or tick Unlimited."]}


def test_the_builder_makes_one_leaf_or_a_group_in_the_choices_order():
    one = valid(cond_identity_verified="on").cleaned_data["conditions"]
    group = valid(
        cond_match="any",
        cond_tiers=["platinum", "gold"],
        cond_dimension="credit_history",
        cond_dimension_gte="75",
        cond_counter_ticket_class=["first"],
    ).cleaned_data["conditions"]

    assert one == {"attr": "identity_verified", "is": True}
    assert group == {
        "any": [
            {"attr": "membership_tier", "in": ["gold", "platinum"]},
            {"attr": "dimension", "key": "credit_history", "gte": 75},
            {"counter": "ticket_class", "in": ["first"]},
        ]
    }


@pytest.mark.parametrize(
    ("changes", "found"),
    [
        (
            {"cond_dimension": "credit_history"},
            {"cond_dimension_gte": ["Enter the sub-score the person needs, from 0 to 100."]},
        ),
        ({"cond_dimension_gte": "50"}, {"cond_dimension": ["Choose which sub-score."]}),
        (
            {"cond_dimension": "identity", "cond_dimension_gte": "101"},
            {"cond_dimension_gte": ["Enter a sub-score from 0 to 100."]},
        ),
    ],
)
def test_a_half_filled_sub_score_condition_names_the_missing_half(changes, found):
    assert errors(**changes) == found


def test_the_json_tree_is_used_when_the_builder_is_empty():
    form = valid(conditions_json=json.dumps(LOUNGE))

    assert (form.cleaned_data["conditions"], form.used_json) == (LOUNGE, True)


def test_the_builder_and_the_json_together_are_refused():
    assert errors(cond_identity_verified="on", conditions_json=json.dumps(LOUNGE)) == {
        "conditions_json": ["Use either the condition builder or the JSON, not both."]
    }


def test_broken_json_is_refused_with_where_and_why():
    assert errors(conditions_json='{"all": [}') == {
        "conditions_json": ["This is not valid JSON (line 1, column 10: Expecting value)."]
    }


def test_json_nested_too_deeply_is_refused():
    assert errors(conditions_json="[" * 100_000 + "]" * 100_000) == {
        "conditions_json": ["This JSON is nested too deeply."]
    }


@pytest.mark.parametrize(
    ("escape", "reason"),
    [
        ("\\u0000", "Null characters are not allowed."),
        ("\\ud800", "This text holds an invalid character (a lone surrogate): send valid Unicode."),
    ],
)
def test_a_json_escape_that_no_column_can_hold_is_refused(escape, reason):
    form = forms.PromotionForm(data=posted(conditions_json='{"attr": "region", "in": ["x' + escape + '"]}'))

    assert (form.is_valid(), dict(form.errors)) == (False, {"conditions_json": [reason]})
    assert "conditions" not in form.cleaned_data


def test_filled_tier_rows_are_kept_in_order_and_blank_ones_dropped():
    form = valid(
        **{
            "tiers-TOTAL_FORMS": "3",
            "tiers-0-min_score": "800",
            "tiers-0-benefit": "Free delivery",
            "tiers-0-benefit_zh": "免费送货",
            "tiers-2-min_score": "900",
            "tiers-2-benefit": "A year free",
        }
    )

    assert form.tier_values() == [
        {"min_score": 800, "benefit": "Free delivery", "benefit_zh": "免费送货"},
        {"min_score": 900, "benefit": "A year free"},
    ]


def test_a_services_refusal_lands_next_to_the_field_it_names():
    built, from_json = valid(cond_identity_verified="on"), valid(conditions_json=json.dumps(LOUNGE))
    refusal = ValidationError(
        {
            "min_score": ["Use steps of 50."],
            "tiers": ["Tiers must ascend."],
            "conditions": ["Unknown fact."],
            "remaining": ["Not a field of the form."],
        }
    )

    built.add_service_errors(refusal)
    from_json.add_service_errors(refusal)

    assert dict(built.errors) == {
        "min_score": ["Use steps of 50."],
        "cond_match": ["Unknown fact."],
        "__all__": ["Not a field of the form."],
    }
    assert dict(from_json.errors)["conditions_json"] == ["Unknown fact."]
    assert built.tier_errors == ["Tiers must ascend."]


def test_a_refusal_naming_no_field_goes_on_top():
    form = valid()

    form.add_service_errors(ValidationError("This promotion has ended."))

    assert dict(form.errors) == {"__all__": ["This promotion has ended."]}


# The builder shown again ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "tree",
    [
        {},
        {
            "all": [
                {"attr": "identity_verified", "is": True},
                {"attr": "dimension", "key": "behaviour", "gte": 50},
            ]
        },
        LOUNGE,
    ],
)
def test_a_tree_the_builder_can_draw_comes_back_unchanged(tree):
    initial = forms.builder_initial(tree)
    data = {key: ("on" if value is True else value) for key, value in initial.items()}

    assert valid(**data).cleaned_data["conditions"] == tree


@pytest.mark.parametrize(
    "tree",
    [
        {"all": [{"any": [{"attr": "region", "in": ["beijing"]}]}]},  # nested group
        # Regions are the promotion's own field (one picker), not a builder condition.
        {"attr": "region", "in": ["beijing", "zhejiang"]},
        {"attr": "identity_verified", "is": False},
        {"all": [{"attr": "region", "in": ["beijing"]}, {"attr": "region", "in": ["zhejiang"]}]},  # twice
    ],
)
def test_a_tree_the_builder_cannot_draw_goes_to_the_json_field(tree):
    assert forms.builder_initial(tree) is None


def test_an_existing_promotion_with_such_a_tree_shows_it_as_json():
    promotion = Promotion(conditions={"attr": "identity_verified", "is": False}, quantity=None, tiers=[])

    initial = forms.PromotionForm.initial_for(promotion)

    assert json.loads(initial["conditions_json"]) == {"attr": "identity_verified", "is": False}
    assert (initial["unlimited"], initial["cond_match"]) == (True, "all")


# Life cycle, the counter, claims ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "actions"),
    [("draft", ["activate"]), ("active", ["pause", "end"]), ("paused", ["resume", "end"]), ("ended", [])],
)
def test_only_the_moves_the_services_allow_are_offered(status, actions):
    assert forms.actions_for(status) == actions


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("abcd-2345", "ABCD2345"),
        ("  ab cd 23 45 ", "ABCD2345"),
        ("https://portal.example.com/claims/ABCD2345/", "ABCD2345"),
        ("https://portal.example.com/verify/?code=abcd-2345&x=1", "ABCD2345"),
        ("https://portal.example.com/claims/AB%20CD/", "ABCD"),
        ("https://portal.example.com/", ""),
        ("", ""),
    ],
)
def test_a_code_is_read_from_what_was_typed_or_scanned(text, code):
    assert forms.code_from_scan(text) == code


def test_verifying_without_a_code_names_the_field():
    form = forms.VerifyForm(data={"code": "https://portal.example.com/"})

    assert not form.is_valid()
    assert dict(form.errors) == {"code": ["Enter the code the person shows, or scan their QR code."]}


def test_the_counter_facts_are_only_those_staff_stated():
    stated = forms.VerifyForm(data={"code": "abcd", "fact_ticket_class": "first"})
    none = forms.VerifyForm(data={"code": "abcd"})

    assert stated.is_valid() and none.is_valid()
    assert (stated.cleaned_data["code"], stated.counter_facts(), none.counter_facts()) == (
        "ABCD",
        {"ticket_class": "first"},
        None,
    )


def test_the_counter_facts_a_tree_asks_about_are_listed_once_in_order():
    tree = {
        "all": [
            LOUNGE,
            {"counter": "ticket_class", "in": ["business"]},
            {"attr": "region", "in": ["beijing"]},
        ]
    }

    assert forms.counter_fact_names(tree) == ["ticket_class", "membership_tier"]
    assert forms.counter_fact_names({}) == []


@pytest.mark.parametrize(
    ("status", "due_back", "marks"),
    [
        ("active", None, []),
        ("in_use", datetime.date(2026, 12, 1), ["returned", "converted"]),
        ("in_use", datetime.date(2026, 11, 30), ["returned", "converted", "overdue"]),
        ("overdue", datetime.date(2026, 11, 1), ["returned", "converted"]),
        ("returned", datetime.date(2026, 11, 1), []),
    ],
)
def test_staff_may_mark_a_trial_overdue_only_after_its_due_date(status, due_back, marks):
    claim = Claim(status=status, due_back=due_back)

    assert forms.marks_for(claim, today=datetime.date(2026, 12, 1)) == marks


def test_the_claim_filter_reads_valid_filters():
    form = forms.ClaimFilterForm(data={"status": "used", "date_from": "2026-11-01", "date_to": "2026-11-30"})

    assert form.filters() == {
        "status": "used",
        "date_from": datetime.date(2026, 11, 1),
        "date_to": datetime.date(2026, 11, 30),
    }


NO_FILTER = {"status": None, "date_from": None, "date_to": None}
BAD_DAY = ["Choose a day from 2000-01-01 to 2999-12-31."]


@pytest.mark.parametrize(
    ("data", "found", "filters"),
    [
        (
            {"date_from": "2026-11-30", "date_to": "2026-11-01"},
            {"date_to": ["The last day must not be before the first."]},
            {**NO_FILTER, "date_from": datetime.date(2026, 11, 30)},
        ),
        (
            {"status": "used", "date_from": "0001-01-01"},
            {"date_from": BAD_DAY},
            {**NO_FILTER, "status": "used"},
        ),
        ({"date_to": "9999-12-31"}, {"date_to": BAD_DAY}, NO_FILTER),
        (
            {"status": "stolen"},
            {"status": ["Select a valid choice. stolen is not one of the available choices."]},
            NO_FILTER,
        ),
    ],
)
def test_a_bad_filter_is_named_and_ignored_and_the_valid_ones_still_apply(data, found, filters):
    form = forms.ClaimFilterForm(data=data)

    assert (form.is_valid(), dict(form.errors)) == (False, found)
    assert form.filters() == filters


def test_the_webhook_form_puts_a_services_refusal_at_its_field_or_on_top():
    form = forms.WebhookEndpointForm(data={"url": "http://example.com/hook"})
    assert form.is_valid()

    form.add_service_errors(
        ValidationError({"url": ["Use an https:// address."], "secret": ["Cannot rotate."]})
    )

    assert dict(form.errors) == {"url": ["Use an https:// address."], "__all__": ["Cannot rotate."]}
