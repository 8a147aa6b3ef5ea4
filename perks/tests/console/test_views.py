"""perks/console/views.py, the merchant console: pages, isolation, forms, counter, audience."""

import csv
import datetime
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape

from accounts.models import ConsumerProfile, MembershipTier, Region, User
from perks import services, webhooks
from perks.models import BenefitType, Category, Claim, CounterCheck, Promotion, WebhookEndpoint
from tests.leaks import shows

pytestmark = pytest.mark.django_db

STEP_50 = (
    "min_score: must be a multiple of 50 (550, 600, 650, 700, 750 ...): a merchant may learn only which "
    "50-point bracket a score is in."
)

SHANGHAI_FORMAT = "%Y-%m-%dT%H:%M"


def local(moment: datetime.datetime) -> str:
    """A datetime as a datetime-local input in Shanghai sends it."""
    return timezone.localtime(moment).strftime(SHANGHAI_FORMAT)


def form_data(**changes: object) -> dict[str, object]:
    """A valid "new promotion" form, as the browser posts it, with some fields changed."""
    data: dict[str, object] = {
        "title": "Free 3-day test drive",
        "title_zh": "免费试驾三天",
        "description": "Take a new Ford home for 3 days.",
        "description_zh": "",
        "category": Category.TRY_BEFORE_BUY,
        "benefit_type": BenefitType.TRIAL,
        "trial_days": "3",
        "amount": "",
        "min_score": "750",
        "quantity": "20",
        "per_user_limit": "1",
        "pickup_days": "7",
        "starts_at": local(timezone.now() - datetime.timedelta(hours=1)),
        "ends_at": "",
        "cond_match": "all",
        "conditions_json": "",
        "tiers-TOTAL_FORMS": "2",
        "tiers-INITIAL_FORMS": "0",
        "tiers-MIN_NUM_FORMS": "0",
        "tiers-MAX_NUM_FORMS": "10",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def field_errors(html: str, field: str) -> str:
    """The error block the page shows next to one field (empty if none)."""
    match = re.search(rf'id="id_{field}_error">(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


@pytest.fixture
def staff_client(client, merchant_owner):
    client.force_login(merchant_owner)
    return client


@pytest.fixture
def trial(make_promotion):
    return make_promotion(
        title="Free 3-day test drive",
        category=Category.TRY_BEFORE_BUY,
        benefit_type=BenefitType.TRIAL,
        trial_days=3,
        amount=None,
        min_score=650,
        quantity=20,
    )


@pytest.fixture
def claim(trial, ann):
    return services.claim_create(promotion=trial, person=ann)


@pytest.fixture
def endpoint(merchant, merchant_owner):
    return webhooks.webhook_endpoint_create(
        merchant=merchant, url="https://hooks.ford.example/claims", actor=merchant_owner
    )


def console_pages(promotion: Promotion, claim: Claim, endpoint: WebhookEndpoint) -> list[str]:
    return [
        reverse("perks:console"),
        reverse("perks:console_promotion_create"),
        reverse("perks:console_promotion", args=[promotion.pk]),
        reverse("perks:console_promotion_edit", args=[promotion.pk]),
        reverse("perks:console_claims", args=[promotion.pk]),
        reverse("perks:console_claims_csv", args=[promotion.pk]),
        reverse("perks:console_verify"),
        reverse("perks:console_claim", args=[claim.pk]),
        reverse("perks:console_webhooks"),
        reverse("perks:console_webhook", args=[endpoint.pk]),
    ]


# Who gets in ---------------------------------------------------------------------------------


def test_every_console_page_answers_the_merchants_staff(staff_client, trial, claim, endpoint):
    for url in console_pages(trial, claim, endpoint):
        response = staff_client.get(url)

        assert response.status_code == 200, url


def test_another_merchants_promotion_claim_and_endpoint_are_not_found(
    client, other_owner, trial, claim, endpoint
):
    client.force_login(other_owner)
    object_pages = [
        reverse("perks:console_promotion", args=[trial.pk]),
        reverse("perks:console_promotion_edit", args=[trial.pk]),
        reverse("perks:console_claims", args=[trial.pk]),
        reverse("perks:console_claims_csv", args=[trial.pk]),
        reverse("perks:console_claim", args=[claim.pk]),
        reverse("perks:console_webhook", args=[endpoint.pk]),
    ]
    posts = [
        reverse("perks:console_promotion_status", args=[trial.pk]),
        reverse("perks:console_claim_mark", args=[claim.pk]),
        reverse("perks:console_webhook_disable", args=[endpoint.pk]),
    ]

    statuses = {url: client.get(url).status_code for url in object_pages}
    statuses |= {url: client.post(url, {"action": "end", "status": "returned"}).status_code for url in posts}

    assert set(statuses.values()) == {404}
    assert Promotion.objects.get().status == "active"
    assert Claim.objects.get().status == "active"
    assert WebhookEndpoint.objects.get().is_active is True


def test_a_consumer_is_refused_every_console_page(client, ann, trial, claim, endpoint):
    client.force_login(ann)

    statuses = {url: client.get(url).status_code for url in console_pages(trial, claim, endpoint)}

    assert set(statuses.values()) == {403}


def test_a_pending_merchant_is_sent_to_the_waiting_page(client, make_merchant_staff):
    pending = make_merchant_staff("tmall", approved=False)
    client.force_login(pending)

    response = client.get(reverse("perks:console"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:merchant_pending")


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(reverse("perks:console"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# Creating and editing ---------------------------------------------------------------------------


def test_a_promotion_made_with_the_form_is_a_draft_with_what_was_typed(staff_client, merchant):
    response = staff_client.post(
        reverse("perks:console_promotion_create"),
        form_data(
            **{
                "regions": ["shanghai", "zhejiang"],
                "tiers-0-min_score": "750",
                "tiers-0-benefit": "3-day test drive",
                "tiers-1-min_score": "850",
                "tiers-1-benefit": "7-day test drive",
                "tiers-1-benefit_zh": "试驾7天",
            }
        ),
    )

    promotion = Promotion.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("perks:console_promotion", args=[promotion.pk])
    assert promotion.merchant == merchant
    assert promotion.status == "draft"
    assert (promotion.min_score, promotion.trial_days, promotion.quantity, promotion.remaining) == (
        750,
        3,
        20,
        20,
    )
    assert promotion.title_zh == "免费试驾三天"
    assert promotion.regions == ["shanghai", "zhejiang"]
    assert promotion.conditions == {}
    assert promotion.tiers == [
        {"min_score": 750, "benefit": "3-day test drive"},
        {"min_score": 850, "benefit": "7-day test drive", "benefit_zh": "试驾7天"},
    ]


def test_the_start_is_read_as_shanghai_time(staff_client):
    staff_client.post(
        reverse("perks:console_promotion_create"),
        form_data(starts_at="2026-12-01T09:00", ends_at="2026-12-31T18:30"),
    )

    promotion = Promotion.objects.get()
    assert promotion.starts_at == datetime.datetime(2026, 12, 1, 1, 0, tzinfo=datetime.UTC)
    assert promotion.ends_at == datetime.datetime(2026, 12, 31, 10, 30, tzinfo=datetime.UTC)


def test_unlimited_stock_leaves_the_quantity_empty(staff_client):
    staff_client.post(reverse("perks:console_promotion_create"), form_data(quantity="", unlimited="on"))

    assert Promotion.objects.values_list("quantity", "remaining").get() == (None, None)


def test_a_quantity_is_asked_for_unless_unlimited(staff_client):
    response = staff_client.post(reverse("perks:console_promotion_create"), form_data(quantity=""))

    assert "Enter how many there are, or tick Unlimited." in field_errors(
        response.content.decode(), "quantity"
    )
    assert not Promotion.objects.exists()


INVALID_FORMS = [
    pytest.param(
        {"min_score": "960"}, "min_score", "Enter a score threshold from 350 to 950.", id="score-high"
    ),
    pytest.param(
        {"min_score": "340"}, "min_score", "Enter a score threshold from 350 to 950.", id="score-low"
    ),
    pytest.param(
        {"min_score": "755"},
        "min_score",
        STEP_50,
        id="step",
    ),
    pytest.param(
        {"starts_at": "2026-12-01T09:00", "ends_at": "2026-11-30T09:00"},
        "ends_at",
        "The end must be after the start.",
        id="end-before-start",
    ),
    pytest.param({"quantity": "-1"}, "quantity", "The quantity cannot be negative.", id="negative-quantity"),
    pytest.param({"trial_days": ""}, "trial_days", "A free trial needs its number of days.", id="trial-days"),
    pytest.param(
        {"benefit_type": "deposit_waiver", "trial_days": "", "amount": "0"},
        "amount",
        "Enter the amount in RMB, more than 0.",
        id="zero-amount",
    ),
    pytest.param(
        {"benefit_type": "deposit_waiver", "trial_days": "", "amount": "-5"},
        "amount",
        "Enter the amount in RMB, more than 0.",
        id="negative-amount",
    ),
    pytest.param(
        {"benefit_type": "credit_line", "trial_days": "", "amount": ""},
        "amount",
        "Enter the amount in RMB, more than 0.",
        id="missing-amount",
    ),
    pytest.param(
        {"benefit_type": "credit_line", "trial_days": "", "amount": "20000.005"},
        "amount",
        "Enter the amount with at most 2 decimal places.",
        id="fen-fractions",
    ),
    pytest.param(
        {"conditions_json": '{"all": [{"attr": "shoe_size", "in": ["42"]}]}'},
        "conditions_json",
        "At all[0]: unknown attribute 'shoe_size'; use one of: membership_tier, region, identity_verified, "
        "dimension.",
        id="unknown-attribute",
    ),
    pytest.param(
        {"conditions_json": '{"all": [{"attr": "region", "in": ["shanghai"]}, {"any": []}]}'},
        "conditions_json",
        "At all[1]: 'any' must not be empty.",
        id="empty-group",
    ),
    pytest.param(
        {"conditions_json": '{"all": ['},
        "conditions_json",
        "This is not valid JSON (line 1, column 10: Expecting value).",
        id="not-json",
    ),
]


@pytest.mark.parametrize(("changes", "field", "message"), INVALID_FORMS)
def test_each_refusal_is_shown_next_to_its_field_and_nothing_is_saved(staff_client, changes, field, message):
    response = staff_client.post(reverse("perks:console_promotion_create"), form_data(**changes))

    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert escape(message) in field_errors(response.content.decode(), field)
    assert not Promotion.objects.exists()


def test_a_condition_made_in_the_builder_that_the_service_refuses_is_shown_on_the_builder(staff_client):
    # Both the builder and the JSON: the form asks for one of them.
    response = staff_client.post(
        reverse("perks:console_promotion_create"),
        form_data(cond_tiers=["gold"], conditions_json='{"attr": "identity_verified", "is": true}'),
    )

    assert "Use either the condition builder or the JSON, not both." in field_errors(
        response.content.decode(), "conditions_json"
    )
    assert not Promotion.objects.exists()


def test_a_tier_refused_by_the_service_is_shown_with_the_tiers(staff_client):
    response = staff_client.post(
        reverse("perks:console_promotion_create"),
        form_data(**{"tiers-0-min_score": "700", "tiers-0-benefit": "Too low"}),
    )

    assert response.context["form"].tier_errors == [
        "Tier 1: min_score must be at least the promotion's threshold (750)."
    ]
    assert (
        "Tier 1: min_score must be at least the promotion&#x27;s threshold (750)."
        in response.content.decode()
    )
    assert not Promotion.objects.exists()


def test_the_edit_form_shows_the_promotion_and_saves_changes(staff_client, trial):
    page = staff_client.get(reverse("perks:console_promotion_edit", args=[trial.pk]))
    data = form_data(title="Free 5-day test drive", trial_days="5", min_score="700")

    response = staff_client.post(reverse("perks:console_promotion_edit", args=[trial.pk]), data)

    trial.refresh_from_db()
    assert page.context["form"].initial["min_score"] == 650
    assert response.status_code == 302
    assert (trial.title, trial.trial_days, trial.min_score, trial.status) == (
        "Free 5-day test drive",
        5,
        700,
        "active",
    )


def test_a_condition_tree_the_builder_cannot_draw_is_edited_as_json(staff_client, make_promotion):
    tree = {
        "any": [{"all": [{"attr": "region", "in": ["shanghai"]}]}, {"attr": "identity_verified", "is": True}]
    }
    promotion = make_promotion(conditions=tree)

    form = staff_client.get(reverse("perks:console_promotion_edit", args=[promotion.pk])).context["form"]

    assert form.initial["cond_match"] == "all"
    assert form.initial["conditions_json"].startswith('{\n  "any"')


# Status buttons -------------------------------------------------------------------------------------


def promotion_in(make_promotion, status: str) -> Promotion:
    promotion = make_promotion(status="draft", ends_at=timezone.now() + datetime.timedelta(days=30))
    path = {"draft": [], "active": ["active"], "paused": ["active", "paused"], "ended": ["active", "ended"]}
    for step in path[status]:
        promotion = services.promotion_update(promotion=promotion, status=step)
    return promotion


@pytest.mark.parametrize(
    ("status", "buttons"),
    [("draft", ["activate"]), ("active", ["pause", "end"]), ("paused", ["resume", "end"]), ("ended", [])],
)
def test_only_the_allowed_moves_have_buttons(staff_client, make_promotion, status, buttons):
    promotion = promotion_in(make_promotion, status)

    html = staff_client.get(reverse("perks:console_promotion", args=[promotion.pk])).content.decode()

    assert re.findall(r'name="action" value="(\w+)"', html) == buttons


MOVES = [
    ("draft", "activate", "active"),
    ("draft", "pause", "draft"),
    ("draft", "resume", "draft"),
    ("draft", "end", "draft"),
    ("active", "activate", "active"),
    ("active", "resume", "active"),
    ("active", "pause", "paused"),
    ("active", "end", "ended"),
    ("paused", "activate", "paused"),
    ("paused", "pause", "paused"),
    ("paused", "resume", "active"),
    ("paused", "end", "ended"),
    ("ended", "activate", "ended"),
    ("ended", "resume", "ended"),
    ("ended", "pause", "ended"),
    ("ended", "end", "ended"),
]


@pytest.mark.parametrize(("status", "action", "after"), MOVES)
def test_status_buttons_move_only_along_allowed_transitions(
    staff_client, make_promotion, status, action, after
):
    promotion = promotion_in(make_promotion, status)

    response = staff_client.post(
        reverse("perks:console_promotion_status", args=[promotion.pk]), {"action": action}, follow=True
    )

    promotion.refresh_from_db()
    assert promotion.status == after
    assert response.redirect_chain == [(reverse("perks:console_promotion", args=[promotion.pk]), 302)]


def test_a_refused_move_shows_the_services_reason(staff_client, make_promotion):
    promotion = promotion_in(make_promotion, "draft")

    response = staff_client.post(
        reverse("perks:console_promotion_status", args=[promotion.pk]), {"action": "end"}, follow=True
    )

    assert [str(message) for message in response.context["messages"]] == [
        "A promotion cannot go from draft to ended."
    ]


def test_an_unknown_action_changes_nothing(staff_client, make_promotion):
    promotion = promotion_in(make_promotion, "draft")

    staff_client.post(reverse("perks:console_promotion_status", args=[promotion.pk]), {"action": "delete"})

    assert Promotion.objects.get().status == "draft"


# Audience and preview -------------------------------------------------------------------------------


def population(make_consumer, size: int, score: int) -> None:
    people = [make_consumer(f"person{number}") for number in range(size)]
    ConsumerProfile.objects.filter(user__in=people).update(score=score)


def audience_cells(html: str) -> list[str]:
    table = re.search(r'<table class="table console-table" id="audience-table">(.*?)</table>', html, re.S)
    assert table is not None
    return [cell.strip() for cell in re.findall(r'<td class="num">(.*?)</td>', table.group(1), re.S)]


def qualifying_text(html: str) -> str:
    match = re.search(r'id="audience-qualifying">(.*?)</span>', html, re.S)
    assert match is not None
    return match.group(1).strip()


def test_an_audience_of_five_is_shown_as_fewer_than_ten(staff_client, make_consumer, make_promotion):
    population(make_consumer, 5, 760)
    promotion = make_promotion(min_score=750, status="draft")

    html = staff_client.get(reverse("perks:console_promotion", args=[promotion.pk])).content.decode()

    assert qualifying_text(html) == "fewer than 10"
    assert set(audience_cells(html)) == {"fewer than 10"}
    assert "&lt;10" in html  # the chart marks the bucket without a number


def test_an_audience_of_twenty_five_is_shown_rounded_down_to_tens(
    staff_client, make_consumer, make_promotion
):
    population(make_consumer, 25, 760)
    promotion = make_promotion(min_score=750, status="draft")

    html = staff_client.get(reverse("perks:console_promotion", args=[promotion.pk])).content.decode()

    assert qualifying_text(html) == "20"
    assert audience_cells(html).count("20") == 1
    assert set(audience_cells(html)) == {"fewer than 10", "20"}


def test_the_audience_counts_only_the_promotions_region_and_names_what_the_counter_checks(
    staff_client, make_consumer, make_promotion
):
    population(make_consumer, 24, 760)
    ConsumerProfile.objects.filter(user__username__in=[f"person{n}" for n in range(12)]).update(
        region="shanghai"
    )
    promotion = make_promotion(
        min_score=750,
        status="draft",
        regions=["shanghai"],
        conditions={"counter": "ticket_class", "in": ["first"]},
    )

    html = staff_client.get(reverse("perks:console_promotion", args=[promotion.pk])).content.decode()

    assert qualifying_text(html) == "10"
    assert "Checked at your counter, so not known here" in html
    assert "<li>First-class ticket (checked at the counter)</li>" in html


def test_a_new_promotion_has_no_category_until_one_is_chosen(staff_client):
    page = staff_client.get(reverse("perks:console_promotion_create"))
    refused = staff_client.post(reverse("perks:console_promotion_create"), form_data(category=""))

    assert page.context["form"]["category"].value() is None
    assert '<option value="" selected>Choose a category</option>' in page.content.decode()
    assert field_errors(refused.content.decode(), "category").count("This field is required.") == 1
    assert Promotion.objects.count() == 0


def test_the_form_has_one_region_picker(staff_client):
    html = staff_client.get(reverse("perks:console_promotion_create")).content.decode()

    assert html.count('name="regions"') == len(Region.choices)
    assert "cond_regions" not in html


def test_the_preview_shows_the_consumers_card_and_every_condition(staff_client, make_promotion):
    promotion = make_promotion(
        min_score=650,
        benefit_type=BenefitType.ACCESS,
        amount=None,
        title="Station lounge",
        conditions={
            "any": [
                {"counter": "ticket_class", "in": ["first"]},
                {"counter": "membership_tier", "in": ["platinum"]},
            ]
        },
    )

    html = staff_client.get(reverse("perks:console_promotion", args=[promotion.pk])).content.decode()

    assert 'class="perk-card perk-card--eligible"' in html
    assert "A score of 650 or more" in html
    assert "Not on the court blacklist" in html
    assert (
        "First-class ticket (checked at the counter) or Platinum membership (checked at the counter)" in html
    )


def test_a_live_promotion_shows_its_sell_out_forecast(staff_client, trial, ann):
    services.claim_create(promotion=trial, person=ann)
    Claim.objects.update(claimed_at=timezone.now() - datetime.timedelta(hours=10))

    response = staff_client.get(reverse("perks:console_promotion", args=[trial.pk]))

    assert response.context["overview"].sellout is not None
    assert "At the claim rate so far, the last unit goes around" in response.content.decode()


# Claims list and export ------------------------------------------------------------------------------


def test_claims_are_filtered_by_status_and_day(staff_client, trial, make_consumer, given_score):
    codes = []
    for number in range(3):
        person = given_score(make_consumer(f"buyer{number}"), 700)
        codes.append(services.claim_create(promotion=trial, person=person).code)
    Claim.objects.filter(code=codes[0]).update(claimed_at=timezone.now() - datetime.timedelta(days=3))
    services.claim_hand_over(merchant=trial.merchant, code=codes[1])
    today = timezone.localdate().isoformat()
    url = reverse("perks:console_claims", args=[trial.pk])

    active_today = staff_client.get(url, {"status": "active", "date_from": today, "date_to": today})
    older = staff_client.get(
        url, {"date_to": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}
    )

    assert [claim.code for claim in active_today.context["claims"]] == [codes[2]]
    assert [claim.code for claim in older.context["claims"]] == [codes[0]]


def test_the_claims_page_counts_claims_per_day_and_trial_conversion(
    staff_client, trial, make_consumer, given_score
):
    for number, outcome in enumerate(["returned", "converted", "converted", None]):
        person = given_score(make_consumer(f"driver{number}"), 700)
        claim = services.claim_create(promotion=trial, person=person)
        services.claim_hand_over(merchant=trial.merchant, code=claim.code)
        if outcome:
            services.claim_mark(merchant=trial.merchant, claim=claim, status=outcome)

    response = staff_client.get(reverse("perks:console_claims", args=[trial.pk]))

    conversion = response.context["conversion"]
    assert (conversion.returned, conversion.converted, conversion.overdue) == (1, 2, 0)
    assert conversion.percent == 67
    assert response.context["chart"].total == 4
    assert response.context["chart"].bars[-1].count == 4
    assert 'id="conversion-rate">67 percent</span>' in response.content.decode()


def test_the_csv_export_has_the_apis_columns_and_no_score_or_person(staff_client, trial, ann, given_score):
    given_score(ann, 713)
    claim = services.claim_create(promotion=trial, person=ann)

    response = staff_client.get(reverse("perks:console_claims_csv", args=[trial.pk]))

    body = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert rows[0] == [
        "id",
        "code",
        "status",
        "benefit",
        "claimed_at",
        "pickup_deadline",
        "verified_at",
        "due_back",
        "closed_at",
    ]
    # The status in the words of the console's table, which shows the same claim as "Active".
    assert [row[:4] for row in rows[1:]] == [[str(claim.pk), claim.code, "Active", "Free 3-day trial"]]
    table = staff_client.get(reverse("perks:console_claims", args=[trial.pk])).content.decode()
    assert '<span class="badge badge--success">Active</span>' in table
    assert "score" not in body.lower()
    assert not shows(body, 713)
    assert not shows(body, "ann")


def test_a_spreadsheet_formula_in_a_benefit_is_exported_as_text(staff_client, make_promotion, ann):
    promotion = make_promotion(tiers=[{"min_score": 650, "benefit": "=HYPERLINK(1)"}])
    services.claim_create(promotion=promotion, person=ann)

    body = staff_client.get(reverse("perks:console_claims_csv", args=[promotion.pk])).content.decode(
        "utf-8-sig"
    )

    assert list(csv.reader(io.StringIO(body)))[1][3] == "'=HYPERLINK(1)"


# Query counts ------------------------------------------------------------------------------------


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


# Session, user, merchant staff and merchant, then the page's own reads.
HOME_QUERIES = 6  # + promotions counted, one page of them with their claim counts
CLAIMS_QUERIES = 9  # + promotion, claims counted, per day, conversion, one page of claims
PROMOTION_QUERIES = 7  # + promotion with claim counts, audience, first claim (forecast)


def test_the_console_home_reads_a_fixed_number_of_queries(
    staff_client, make_promotion, ann, django_assert_max_num_queries
):
    make_promotion(title="First")
    url = reverse("perks:console")
    few = queries_for(staff_client, url)
    for number in range(10):
        promotion = make_promotion(title=f"Promotion {number}")
        services.claim_create(promotion=promotion, person=ann)

    with django_assert_max_num_queries(HOME_QUERIES):
        staff_client.get(url)
    assert queries_for(staff_client, url) == few


def test_the_claims_list_reads_a_fixed_number_of_queries(
    staff_client, trial, make_consumer, given_score, django_assert_max_num_queries
):
    url = reverse("perks:console_claims", args=[trial.pk])
    services.claim_create(promotion=trial, person=given_score(make_consumer("first"), 700))
    few = queries_for(staff_client, url)
    for number in range(12):
        services.claim_create(promotion=trial, person=given_score(make_consumer(f"more{number}"), 700))

    with django_assert_max_num_queries(CLAIMS_QUERIES):
        staff_client.get(url)
    assert queries_for(staff_client, url) == few


def test_the_promotion_page_reads_a_fixed_number_of_queries(
    staff_client, trial, make_consumer, given_score, django_assert_max_num_queries
):
    url = reverse("perks:console_promotion", args=[trial.pk])
    services.claim_create(promotion=trial, person=given_score(make_consumer("first"), 700))
    few = queries_for(staff_client, url)
    for number in range(12):
        services.claim_create(promotion=trial, person=given_score(make_consumer(f"more{number}"), 700))

    with django_assert_max_num_queries(PROMOTION_QUERIES):
        staff_client.get(url)
    assert queries_for(staff_client, url) == few


# At the counter ---------------------------------------------------------------------------------------


def test_a_valid_code_is_checked_and_nothing_is_used_before_the_hand_over(staff_client, claim):
    response = staff_client.post(reverse("perks:console_verify"), {"code": claim.code.lower()})

    claim.refresh_from_db()
    html = response.content.decode()
    assert response.status_code == 200
    assert (claim.status, claim.verified_at) == ("active", None)
    assert 'class="console-result__verdict">Valid</p>' in html
    assert "Hand over: Free 3-day trial." in html
    assert f'<input type="hidden" name="code" value="{claim.code}">' in html
    assert 'id="confirm-hand-over">Confirm hand-over</button>' in html


def test_confirming_the_hand_over_honours_the_code_and_offers_the_undo(staff_client, claim, clock):
    response = staff_client.post(reverse("perks:console_hand_over"), {"code": claim.code}, follow=True)

    claim.refresh_from_db()
    assert response.redirect_chain == [(reverse("perks:console_claim", args=[claim.pk]) + "?handed=1", 302)]
    assert claim.status == "in_use"
    html = response.content.decode()
    assert "Handed over: Free 3-day trial." in html
    assert 'class="console-result__verdict">Handed over</p>' in html
    assert f'id="claim-due-back">{date_format(claim.due_back, "DATE_FORMAT")}<' in html
    assert 'id="undo-hand-over">Undo the hand-over</button>' in html
    assert response.context["undo_until"] == clock.now + datetime.timedelta(minutes=5)


def test_undoing_a_hand_over_makes_the_code_valid_again(staff_client, claim, clock):
    staff_client.post(reverse("perks:console_hand_over"), {"code": claim.code})
    clock.advance(minutes=4)

    response = staff_client.post(reverse("perks:console_hand_over_undo", args=[claim.pk]), follow=True)
    again = staff_client.post(reverse("perks:console_verify"), {"code": claim.code})

    claim.refresh_from_db()
    assert (claim.status, claim.verified_at, claim.due_back) == ("active", None, None)
    assert [str(message) for message in response.context["messages"]] == [
        "Handed over: Free 3-day trial.",
        "Hand-over undone: the code is valid again and nothing was used.",
    ]
    assert response.context["undo_until"] is None
    assert again.context["result"].valid is True


def test_the_undo_is_gone_after_five_minutes(staff_client, claim, clock):
    staff_client.post(reverse("perks:console_hand_over"), {"code": claim.code})
    clock.advance(minutes=5)

    page = staff_client.get(reverse("perks:console_claim", args=[claim.pk]))
    refused = staff_client.post(reverse("perks:console_hand_over_undo", args=[claim.pk]), follow=True)

    assert 'id="undo-hand-over"' not in page.content.decode()
    assert [str(message) for message in refused.context["messages"]] == [
        "A hand-over can be undone for 5 minutes only."
    ]
    assert Claim.objects.get().status == "in_use"


def test_a_code_used_meanwhile_is_not_handed_over_twice(staff_client, claim):
    staff_client.post(reverse("perks:console_verify"), {"code": claim.code})
    staff_client.post(reverse("perks:console_hand_over"), {"code": claim.code})

    second = staff_client.post(reverse("perks:console_hand_over"), {"code": claim.code})

    assert second.status_code == 200
    assert second.context["result"].reason == "not_active"
    assert list(CounterCheck.objects.order_by("pk").values_list("outcome", flat=True)) == [
        "checked",
        "verified",
        "not_valid",
    ]


@pytest.mark.parametrize(
    "scanned",
    [
        "https://portal.example/claims/{code}/",
        "https://portal.example/c/{code}",
        "http://x.example/v?code={code}",
    ],
)
def test_a_scanned_url_ending_in_the_code_is_read_as_the_code(staff_client, claim, scanned):
    response = staff_client.post(reverse("perks:console_verify"), {"code": scanned.format(code=claim.code)})

    assert response.status_code == 200
    assert response.context["result"].valid is True
    assert response.context["result"].claim == claim


def test_an_unknown_code_is_not_valid(staff_client, claim):
    response = staff_client.post(reverse("perks:console_verify"), {"code": "ZZZZZZZZZZ"})

    assert response.status_code == 200
    assert response.context["result"].reason == "unknown"
    assert "None of your promotions has a claim with this code." in response.content.decode()
    assert Claim.objects.get().status == "active"


def test_another_merchants_code_looks_unknown_at_the_counter(client, other_owner, claim):
    client.force_login(other_owner)

    response = client.post(reverse("perks:console_verify"), {"code": claim.code})

    assert response.context["result"].reason == "unknown"
    assert Claim.objects.get().status == "active"


def test_a_used_code_is_not_valid_twice(staff_client, claim):
    staff_client.post(reverse("perks:console_hand_over"), {"code": claim.code})

    response = staff_client.post(reverse("perks:console_verify"), {"code": claim.code})

    assert response.context["result"].reason == "not_active"
    assert "This claim is in use: it cannot be used again." in response.content.decode()


def test_the_counter_is_throttled_like_the_api(staff_client, claim, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "perks_verify": "2/min",
        },
    }
    for _attempt in range(2):
        staff_client.post(reverse("perks:console_verify"), {"code": "ZZZZZZZZZZ"})

    response = staff_client.post(reverse("perks:console_verify"), {"code": claim.code})

    assert response.status_code == 429
    assert "Too many codes checked in a minute." in response.content.decode()
    assert Claim.objects.get().status == "active"


def test_the_counter_never_shows_the_score(staff_client, trial, ann, given_score):
    given_score(ann, 713)
    claim = services.claim_create(promotion=trial, person=ann)

    verified = staff_client.post(reverse("perks:console_verify"), {"code": claim.code}, follow=True)

    assert not shows(verified.content, 713)
    assert not shows(verified.content, "ann")


def test_a_returned_trial_is_recorded_once(staff_client, claim):
    staff_client.post(reverse("perks:console_hand_over"), {"code": claim.code})
    page = staff_client.get(reverse("perks:console_claim", args=[claim.pk]))
    mark = reverse("perks:console_claim_mark", args=[claim.pk])

    staff_client.post(mark, {"status": "returned"})
    again = staff_client.post(mark, {"status": "converted"}, follow=True)

    assert page.context["marks"] == ["returned", "converted"]
    assert Claim.objects.get().status == "returned"
    assert [str(message) for message in again.context["messages"]] == [
        "Recorded: returned.",
        "A claim that is returned cannot be marked bought.",
    ]


def test_overdue_is_offered_only_after_the_due_date(staff_client, claim):
    services.claim_hand_over(merchant=claim.promotion.merchant, code=claim.code)
    Claim.objects.update(due_back=timezone.localdate() - datetime.timedelta(days=1))

    page = staff_client.get(reverse("perks:console_claim", args=[claim.pk]))
    staff_client.post(reverse("perks:console_claim_mark", args=[claim.pk]), {"status": "overdue"})

    assert page.context["marks"] == ["returned", "converted", "overdue"]
    assert Claim.objects.get().status == "overdue"


# The station lounge: made in the console, checked at the counter ------------------------------------------

LOUNGE_FORM = {
    "title": "Station lounge at busy seasons",
    "category": Category.ACCESS,
    "benefit_type": BenefitType.ACCESS,
    "trial_days": "",
    "min_score": "650",
    "quantity": "",
    "unlimited": "on",
    "cond_match": "any",
    "cond_counter_ticket_class": ["first"],
    "cond_counter_membership_tier": ["platinum"],
}


@pytest.fixture
def lounge(staff_client):
    staff_client.post(reverse("perks:console_promotion_create"), form_data(**LOUNGE_FORM))
    promotion = Promotion.objects.get()
    staff_client.post(reverse("perks:console_promotion_status", args=[promotion.pk]), {"action": "activate"})
    promotion.refresh_from_db()
    return promotion


def test_the_lounge_condition_is_built_from_the_form(lounge):
    assert lounge.status == "active"
    assert lounge.min_score == 650
    assert lounge.conditions == {
        "any": [
            {"counter": "ticket_class", "in": ["first"]},
            {"counter": "membership_tier", "in": ["platinum"]},
        ]
    }


def test_an_online_tier_or_a_ticket_is_refused_and_says_why(staff_client):
    # "Platinum online, or first class at the counter" would let the counter's answer tell the
    # merchant whether the person is platinum: the builder's any may not mix the two kinds.
    response = staff_client.post(
        reverse("perks:console_promotion_create"),
        form_data(**{**LOUNGE_FORM, "cond_counter_membership_tier": None, "cond_tiers": ["platinum"]}),
    )

    assert response.status_code == 200
    assert (
        "At the root: an &#x27;any&#x27; may not mix online conditions with conditions checked at the "
        "counter" in field_errors(response.content.decode(), "cond_match")
    )
    assert Promotion.objects.count() == 0


@pytest.mark.parametrize(
    ("tier", "ticket", "valid"),
    [
        (MembershipTier.PLATINUM, "first", True),
        (MembershipTier.PLATINUM, "second", True),
        (MembershipTier.STANDARD, "first", True),
        (MembershipTier.STANDARD, "second", False),
    ],
)
def test_the_lounge_at_the_counter_for_each_ticket_class_and_tier(
    staff_client, lounge, make_consumer, given_score, tier, ticket, valid
):
    person = given_score(make_consumer("traveller"), 700)
    claim = services.claim_create(promotion=lounge, person=person)

    response = staff_client.post(
        reverse("perks:console_hand_over"),
        {"code": claim.code, "fact_ticket_class": ticket, "fact_membership_tier": tier},
        follow=True,
    )

    claim.refresh_from_db()
    assert (claim.status == "used") is valid
    assert ("Handed over: Access." in response.content.decode()) is valid
    assert ("What you saw at the counter does not meet" in response.content.decode()) is not valid


def test_the_counter_asks_for_the_ticket_class_when_it_is_open(
    staff_client, lounge, make_consumer, given_score
):
    person = given_score(make_consumer("traveller"), 700)
    claim = services.claim_create(promotion=lounge, person=person)

    response = staff_client.post(reverse("perks:console_verify"), {"code": claim.code})

    html = response.content.decode()
    assert response.context["result"].reason == "check_needed"
    assert response.context["needed"] == ["ticket_class", "membership_tier"]
    assert "First-class ticket (checked at the counter)" in html
    assert 'name="fact_ticket_class"' in html
    assert Claim.objects.get().status == "active"


# Webhook endpoints in the console ---------------------------------------------------------------------


def test_a_new_endpoints_secret_is_shown_once(staff_client):
    response = staff_client.post(
        reverse("perks:console_webhooks"), {"url": "https://hooks.ford.example/claims", "description": "CRM"}
    )
    endpoint = WebhookEndpoint.objects.get()

    first = staff_client.get(response["Location"])
    second = staff_client.get(response["Location"])

    assert response["Location"] == reverse("perks:console_webhook", args=[endpoint.pk])
    assert endpoint.secret.startswith("whsec_")
    assert endpoint.secret in first.content.decode()
    assert first["Cache-Control"] == "no-store, private"
    assert endpoint.secret not in second.content.decode()


def test_a_plain_http_endpoint_is_refused(staff_client):
    response = staff_client.post(
        reverse("perks:console_webhooks"), {"url": "http://hooks.ford.example/claims"}
    )

    assert "Use an HTTPS address: events are sent encrypted only." in field_errors(
        response.content.decode(), "url"
    )
    assert not WebhookEndpoint.objects.exists()


def test_an_endpoint_is_disabled_from_its_page(staff_client, endpoint):
    staff_client.post(reverse("perks:console_webhook_disable", args=[endpoint.pk]))

    endpoint.refresh_from_db()
    assert endpoint.is_active is False


def test_the_delivery_log_lists_the_events_sent_to_an_endpoint(staff_client, endpoint, trial, ann):
    services.claim_create(promotion=trial, person=ann)

    response = staff_client.get(reverse("perks:console_webhook", args=[endpoint.pk]))

    assert [delivery.event for delivery in response.context["deliveries"]] == ["claim.created"]
    assert "claim.created" in response.content.decode()


def test_merchant_staff_can_be_a_second_login(client, merchant, trial):
    # Any staff member of the merchant, not only its owner, works in the console.
    user = User.objects.create_user(username="clerk", password="a-Long-pass-950")
    merchant.staff.create(user=user, role="staff")
    client.force_login(user)

    assert client.get(reverse("perks:console_promotion", args=[trial.pk])).status_code == 200


def test_the_minimum_account_age_is_set_in_the_form_and_shown_on_the_promotion(staff_client):
    response = staff_client.post(
        reverse("perks:console_promotion_create"), form_data(min_account_age_days="30")
    )

    promotion = Promotion.objects.get()
    page = staff_client.get(reverse("perks:console_promotion", args=[promotion.pk])).content.decode()
    assert response.status_code == 302
    assert promotion.min_account_age_days == 30
    assert "Account age needed" in page
    assert "30 days" in page
