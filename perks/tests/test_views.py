"""The consumer's perks pages through Django's test client: perks, claiming, claims, shares."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import CONSENT_VERSION
from core.keys import key_hash
from perks import services
from perks.demo import LOUNGE
from perks.models import BenefitType, Category, Claim, CounterCheck, Goal, Promotion, Share
from perks.qr import qr_svg
from scoring import services as scoring_services

pytestmark = pytest.mark.django_db

PERKS_URL = "/perks/"
MY_CLAIMS_URL = "/claims/"
SHARES_URL = "/shares/"

# Pinned query counts, the same for 3 and for 15 promotions, claims or shares. Every signed-in
# page starts with 3: the session, the user, and the merchant membership (who is looking); a
# consumer's page adds the unread notifications counted for the navigation.
# Perks: the live promotions' version, my claims counted, my eligibility facts, my sub-scores
# (only as a condition needs them), my profile for the heading, whether a court lists me (for the
# banner); after any promotion changed, the live promotions and the next start are read again
# (once, then cached for everyone).
PERKS_PAGE_QUERIES = 12
# Confirmation: the promotion, then the perks page's reads.
CLAIM_CONFIRM_QUERIES = 10
# My claims and a claim: the claims with promotion and merchant, their counter checks.
MY_CLAIMS_QUERIES = 6
CLAIM_PAGE_QUERIES = 6
# Shares: my profile, my shares.
SHARES_PAGE_QUERIES = 6
# Public share: the share with its person's profile, the first name; the first view of the day
# queues telling its person (one outbox row; later views of the day cost nothing).
PUBLIC_SHARE_QUERIES = 3


def claim_url(promotion: Promotion) -> str:
    return reverse("perks:claim_confirm", kwargs={"pk": promotion.pk})


def car_trial(make_promotion, **fields):
    values = {
        "title": "Free 3-day test drive",
        "category": Category.TRY_BEFORE_BUY,
        "benefit_type": BenefitType.TRIAL,
        "trial_days": 3,
        "amount": None,
        "min_score": 750,
        "quantity": 5,
    }
    return make_promotion(**{**values, **fields})


def library_card(make_promotion, **fields):
    values = {
        "title": "Library card",
        "category": Category.LIBRARY,
        "benefit_type": BenefitType.ACCESS,
        "amount": None,
        "min_score": 550,
    }
    return make_promotion(**{**values, **fields})


def lounge(make_promotion, **fields):
    values = {
        "title": "Station lounge",
        "category": Category.ACCESS,
        "benefit_type": BenefitType.ACCESS,
        "amount": None,
        "min_score": 650,
        "conditions": LOUNGE,
    }
    return make_promotion(**{**values, **fields})


def key_on(response) -> str:
    """The idempotency key the confirmation page drew for its form."""
    match = re.search(r'name="idempotency_key" value="([^"]+)"', response.content.decode())
    assert match is not None
    return match.group(1)


def card_of(response, title: str) -> dict:
    """The perks page's card (as the template got it) for a promotion title."""
    cards = [card for group in response.context["groups"] for card in group["cards"]]
    matching = [card for card in cards if card["promotion"].title == title]
    assert len(matching) == 1
    return matching[0]


# The perks page ------------------------------------------------------------------------------


def test_perks_page_groups_live_perks_by_category_in_a_fixed_order(client, ann, make_promotion):
    library_card(make_promotion)
    car_trial(make_promotion)
    make_promotion()  # the deposit-free bike
    make_promotion(title="Draft bike", status=Promotion.Status.DRAFT)
    client.force_login(ann)

    response = client.get(PERKS_URL)

    assert response.status_code == 200
    assert [group["key"] for group in response.context["groups"]] == [
        Category.DEPOSIT_FREE,
        Category.TRY_BEFORE_BUY,
        Category.LIBRARY,
    ]
    html = response.content.decode()
    assert "Draft bike" not in html
    assert '<h2 class="perks-group__title" id="category-library">' in html


def test_perks_page_says_eligible_or_how_many_points_away_and_what_is_missing(client, ann, make_promotion):
    make_promotion()
    car_trial(make_promotion)
    client.force_login(ann)

    response = client.get(PERKS_URL)

    bike = card_of(response, "Deposit-free bike")
    car = card_of(response, "Free 3-day test drive")
    assert (bike["state"], car["state"]) == ("eligible", "not_eligible")
    assert car["perk"].points_away == 50
    assert car["perk"].unmet == ["A score of 750 or more"]
    html = response.content.decode()
    assert "You can claim this" in html
    assert "50 points away" in html
    assert "A score of 750 or more" in html
    assert "750 or more" in html
    assert "5 of 5" in html
    assert "Deposit of ¥299.00 waived" in html
    assert "Your score is <strong>700</strong> (Excellent)." in html


def test_perks_page_flags_conditions_checked_at_the_counter(client, ann, make_promotion):
    lounge(make_promotion)
    client.force_login(ann)

    response = client.get(PERKS_URL)

    card = card_of(response, "Station lounge")
    assert card["state"] == "eligible"
    assert card["perk"].at_counter == [
        "First-class ticket (checked at the counter)",
        "Platinum membership (checked at the counter)",
    ]
    html = response.content.decode()
    assert "Checked at the counter:" in html
    assert '<span class="perk-flag">At the counter</span> First-class ticket (checked at the counter)' in html


def test_perks_page_tells_a_listed_person_why_nothing_is_open(client, ann, blacklist, make_promotion):
    make_promotion()
    blacklist(ann)
    client.force_login(ann)

    response = client.get(PERKS_URL)

    assert response.context["listed"] is True
    assert card_of(response, "Deposit-free bike")["perk"].unmet == ["Not on the court blacklist"]
    html = response.content.decode()
    assert "While a court lists you as a dishonest judgment debtor, no perk is open to you." in html
    assert f"{reverse('scoring:dashboard')}#listing" in html


def test_perks_page_has_no_listing_banner_for_people_not_listed(client, ann, make_promotion):
    make_promotion()
    client.force_login(ann)

    response = client.get(PERKS_URL)

    assert response.context["listed"] is False
    assert "dishonest judgment debtor" not in response.content.decode()


def test_perks_page_filters_by_category_and_eligible_only(client, ann, make_promotion):
    make_promotion()
    car_trial(make_promotion)
    library_card(make_promotion)
    client.force_login(ann)

    by_category = client.get(PERKS_URL, {"category": Category.TRY_BEFORE_BUY})
    eligible_only = client.get(PERKS_URL, {"eligible": "on"})
    both = client.get(PERKS_URL, {"category": Category.TRY_BEFORE_BUY, "eligible": "on"})

    def titles(response) -> list[str]:
        return [card["promotion"].title for group in response.context["groups"] for card in group["cards"]]

    assert titles(by_category) == ["Free 3-day test drive"]
    assert titles(eligible_only) == ["Deposit-free bike", "Library card"]
    assert titles(both) == []
    assert "No perks match these filters." in both.content.decode()
    assert "Showing 2 perks of 3." in eligible_only.content.decode()


def test_eligible_only_leaves_out_perks_already_claimed_to_the_limit(client, ann, make_promotion):
    bike = make_promotion()
    make_promotion(title="Power bank")
    services.claim_create(promotion=bike, person=ann)
    client.force_login(ann)

    response = client.get(PERKS_URL, {"eligible": "on"})

    cards = [card for group in response.context["groups"] for card in group["cards"]]
    assert [card["promotion"].title for card in cards] == ["Power bank"]
    assert "You can claim 1 of the 2 perks on offer now." in response.content.decode()


def test_perks_page_ignores_an_unknown_category(client, ann, make_promotion):
    make_promotion()
    client.force_login(ann)

    response = client.get(PERKS_URL, {"category": "casino"})

    assert response.status_code == 200
    assert [group["key"] for group in response.context["groups"]] == [Category.DEPOSIT_FREE]


def test_perks_page_shows_perks_to_people_not_opted_in_and_asks_them_to_opt_in(
    client, make_consumer, make_promotion
):
    make_promotion()
    erin = make_consumer("erin", opted_in=False)
    client.force_login(erin)

    response = client.get(PERKS_URL)

    assert response.status_code == 200
    assert card_of(response, "Deposit-free bike")["state"] == "opt_in"
    html = response.content.decode()
    assert "You have not opted in to scoring" in html
    assert "Opt in to see if you qualify" in html
    assert reverse("scoring:dashboard") in html


def test_perks_pages_send_merchants_to_their_console_and_strangers_to_sign_in(
    client, merchant_owner, make_promotion
):
    promotion = make_promotion()
    anonymous = [client.get(url) for url in (PERKS_URL, claim_url(promotion), MY_CLAIMS_URL, SHARES_URL)]
    client.force_login(merchant_owner)

    merchant = [client.get(url) for url in (PERKS_URL, claim_url(promotion), MY_CLAIMS_URL, SHARES_URL)]

    assert [response.status_code for response in anonymous] == [302] * 4
    assert all(response.url.startswith("/accounts/login/") for response in anonymous)
    assert [response.url for response in merchant] == [reverse("accounts:after_login")] * 4


@pytest.mark.parametrize("count", [3, 15])
def test_perks_page_makes_a_fixed_number_of_queries(
    client, ann, make_promotion, django_assert_max_num_queries, count
):
    for number in range(count):
        make_promotion(title=f"Perk {number}", min_score=600 + 50 * (number % 7), quantity=10)
    make_promotion(title="Lounge", conditions={"attr": "dimension", "key": "identity", "gte": 50})
    client.force_login(ann)

    with django_assert_max_num_queries(PERKS_PAGE_QUERIES):
        response = client.get(PERKS_URL)

    assert sum(len(group["cards"]) for group in response.context["groups"]) == count + 1


# Claiming ------------------------------------------------------------------------------------


def test_confirmation_says_exactly_what_the_merchant_will_learn(client, ann, given_score, make_promotion):
    given_score(ann, 760)
    car = car_trial(make_promotion)
    client.force_login(ann)

    html = client.get(claim_url(car)).content.decode()

    assert "Ford will learn that your score is 750 or more, never the number." in html


def test_confirmation_names_the_bracket_of_the_tier_reached_and_the_conditions_met(
    client, ann, given_score, make_promotion
):
    given_score(ann, 720, credit_history=80)
    library = make_promotion(
        min_score=550,
        tiers=[
            {"min_score": 700, "benefit": "Borrow with your ID"},
            {"min_score": 800, "benefit": "No limit"},
        ],
        conditions={"attr": "dimension", "key": "credit_history", "gte": 75},
    )
    client.force_login(ann)

    html = client.get(claim_url(library)).content.decode()
    client.cookies["django_language"] = "zh-hans"
    chinese = client.get(claim_url(library)).content.decode()

    assert (
        "Ford will learn that your score is from 700 to 799, never the number. It will also learn that "
        "you meet this: Credit history of at least 75 out of 100." in html
    )
    assert "Ford 将得知你的分数在 700 到 799 分之间，但永远不会得知具体分数。" in chinese  # noqa: RUF001


def test_confirmation_states_the_obligations_of_a_trial(client, ann, given_score, make_promotion):
    given_score(ann, 760)
    car = car_trial(make_promotion)
    client.force_login(ann)

    response = client.get(claim_url(car))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Before you claim: what you agree to" in html
    assert "Return it within 3 days of picking it up, or buy it." in html
    assert "it counts as a late payment in your credit history" in html
    assert "Pick it up or use it within 7 days" in html
    assert "Confirm and claim" in html
    assert len(key_on(response)) >= 16
    assert Claim.objects.count() == 0


def test_confirmation_states_that_damage_is_charged_when_a_deposit_is_waived(client, ann, make_promotion):
    bike = make_promotion()
    client.force_login(ann)

    html = client.get(claim_url(bike)).content.decode()

    # Money reads as everywhere else: no decimals for whole yuan, thousands grouped.
    assert "The deposit of ¥299 is waived, but damage or loss is charged." in html


def test_confirmation_writes_a_large_amount_grouped_in_english_and_chinese(client, ann, make_promotion):
    car = make_promotion(amount=Decimal("100107.00"))
    client.force_login(ann)

    english = client.get(claim_url(car)).content.decode()
    chinese = client.get(claim_url(car), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "The deposit of ¥100,107 is waived" in english
    assert "免除 ¥100,107 押金" in chinese


def test_confirmation_lists_what_the_counter_checks(client, ann, make_promotion):
    promotion = lounge(make_promotion)
    client.force_login(ann)

    html = client.get(claim_url(promotion)).content.decode()

    assert '<h3 class="claim-counter__title">Checked at the counter</h3>' in html
    assert "First-class ticket (checked at the counter)" in html


def test_claim_then_see_code_and_qr_then_my_claims_then_cancel_returns_the_unit(
    client, ann, given_score, make_promotion
):
    given_score(ann, 760)
    car = car_trial(make_promotion)
    client.force_login(ann)
    key = key_on(client.get(claim_url(car)))

    response = client.post(claim_url(car), {"idempotency_key": key})

    claim = Claim.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("perks:claim_detail", kwargs={"pk": claim.pk})
    assert (claim.person, claim.status, claim.idempotency_key) == (ann, Claim.Status.ACTIVE, key)
    car.refresh_from_db()
    assert car.remaining == 4

    page = client.get(response.url)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'data-testid="claim-code">{claim.code}</p>' in html
    assert str(qr_svg(data=claim.code, title=f"QR code of claim code {claim.code}")) in html
    assert '<svg role="img"' in html
    assert "Set when you pick it up: 3 days later." in html
    assert "Cancel this claim" in html

    listing = client.get(MY_CLAIMS_URL).content.decode()
    assert "Free 3-day test drive" in listing
    assert claim.code in listing

    cancelled = client.post(reverse("perks:claim_cancel", kwargs={"pk": claim.pk}))

    assert cancelled.status_code == 302
    claim.refresh_from_db()
    car.refresh_from_db()
    assert (claim.status, car.remaining) == (Claim.Status.CANCELLED, 5)
    after = client.get(cancelled.url).content.decode()
    assert "Cancelled" in after
    assert "Cancel this claim" not in after


def test_a_claim_reads_in_chinese_with_the_benefit_in_chinese(client, ann, given_score, make_promotion):
    given_score(ann, 760)
    claim = services.claim_create(
        promotion=car_trial(make_promotion, title_zh="福特新车免费试驾3天"), person=ann
    )
    client.force_login(ann)
    client.cookies["django_language"] = "zh-hans"

    html = client.get(reverse("perks:claim_detail", kwargs={"pk": claim.pk})).content.decode()

    assert claim.benefit == "Free 3-day trial"
    assert "福特新车免费试驾3天" in html
    assert "<dd>免费试用 3 天</dd>" in html
    assert "你的领取码" in html


def test_the_same_idempotency_key_posted_twice_claims_once(client, ann, make_promotion):
    bike = make_promotion(quantity=10)
    client.force_login(ann)
    key = key_on(client.get(claim_url(bike)))

    first = client.post(claim_url(bike), {"idempotency_key": key})
    second = client.post(claim_url(bike), {"idempotency_key": key})

    claim = Claim.objects.get()
    assert first.url == second.url == reverse("perks:claim_detail", kwargs={"pk": claim.pk})
    bike.refresh_from_db()
    assert bike.remaining == 9


def test_a_claim_without_a_valid_key_claims_nothing(client, ann, make_promotion):
    bike = make_promotion()
    client.force_login(ann)

    response = client.post(claim_url(bike), {"idempotency_key": "short"})

    assert response.status_code == 400
    assert "This form has expired; nothing was claimed." in response.content.decode()
    assert Claim.objects.count() == 0


def test_claim_refused_when_not_eligible_names_what_is_missing_and_claims_nothing(
    client, ann, make_promotion
):
    car = car_trial(make_promotion)
    client.force_login(ann)

    response = client.post(claim_url(car), {"idempotency_key": "web-abcdefghijklmnop"})

    assert response.status_code == 403
    html = response.content.decode()
    assert "You do not meet this promotion&#x27;s conditions yet." in html
    assert "A score of 750 or more" in html
    assert "Nothing was claimed." in html
    assert 'data-code="not_eligible"' in html
    car.refresh_from_db()
    assert (Claim.objects.count(), car.remaining) == (0, 5)


def test_claim_refused_when_sold_out(client, ann, make_consumer, given_score, make_promotion):
    bike = make_promotion(quantity=1)
    bo = given_score(make_consumer("bo"), 700)
    services.claim_create(promotion=bike, person=bo)
    client.force_login(ann)

    response = client.post(claim_url(bike), {"idempotency_key": "web-abcdefghijklmnop"})

    assert response.status_code == 409
    assert 'data-code="sold_out"' in response.content.decode()
    assert "None left: this promotion is sold out." in response.content.decode()
    assert Claim.objects.filter(person=ann).count() == 0


def test_claim_refused_when_the_per_person_limit_is_reached(client, ann, make_promotion):
    bike = make_promotion(quantity=10)
    services.claim_create(promotion=bike, person=ann)
    client.force_login(ann)

    page = client.get(claim_url(bike))
    response = client.post(claim_url(bike), {"idempotency_key": "web-abcdefghijklmnop"})

    assert "You have already claimed this perk as often as it allows." in page.content.decode()
    assert response.status_code == 409
    assert 'data-code="limit_reached"' in response.content.decode()
    bike.refresh_from_db()
    assert (Claim.objects.filter(person=ann).count(), bike.remaining) == (1, 9)


def test_claim_refused_when_the_promotion_is_not_running(client, ann, make_promotion):
    bike = make_promotion()
    services.promotion_pause(promotion=bike)
    client.force_login(ann)

    page = client.get(claim_url(bike))
    response = client.post(claim_url(bike), {"idempotency_key": "web-abcdefghijklmnop"})

    assert page.status_code == 200
    assert "This promotion is not running at the moment." in page.content.decode()
    assert "Confirm and claim" not in page.content.decode()
    assert response.status_code == 409
    assert 'data-code="not_active"' in response.content.decode()
    assert Claim.objects.count() == 0


def test_people_not_opted_in_are_asked_to_opt_in_and_claim_nothing(client, make_consumer, make_promotion):
    bike = make_promotion()
    client.force_login(make_consumer("erin", opted_in=False))

    page = client.get(claim_url(bike))
    response = client.post(claim_url(bike), {"idempotency_key": "web-abcdefghijklmnop"})

    assert "Opt in to scoring to claim perks." in page.content.decode()
    assert "Confirm and claim" not in page.content.decode()
    assert response.status_code == 403
    assert "Opt in to scoring" in response.content.decode()
    assert Claim.objects.count() == 0


def test_drafts_and_unknown_promotions_are_not_found(client, ann, make_promotion):
    draft = make_promotion(status=Promotion.Status.DRAFT)
    client.force_login(ann)

    assert client.get(claim_url(draft)).status_code == 404
    assert client.get("/perks/999999/claim/").status_code == 404


def test_claims_of_others_are_not_found(client, ann, make_consumer, given_score, make_promotion):
    bike = make_promotion()
    bo = given_score(make_consumer("bo"), 700)
    claim = services.claim_create(promotion=bike, person=bo)
    client.force_login(ann)

    page = client.get(reverse("perks:claim_detail", kwargs={"pk": claim.pk}))
    cancel = client.post(reverse("perks:claim_cancel", kwargs={"pk": claim.pk}))

    assert (page.status_code, cancel.status_code) == (404, 404)
    claim.refresh_from_db()
    assert claim.status == Claim.Status.ACTIVE


def test_cancelling_a_used_claim_is_refused_with_a_message(client, ann, merchant, make_promotion):
    bike = make_promotion()
    claim = services.claim_create(promotion=bike, person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    client.force_login(ann)

    response = client.post(reverse("perks:claim_cancel", kwargs={"pk": claim.pk}), follow=True)

    claim.refresh_from_db()
    assert claim.status == Claim.Status.USED
    assert "Only an unused claim can be cancelled; this one is used." in response.content.decode()


def test_a_trial_in_use_shows_its_due_back_date(client, ann, given_score, merchant, make_promotion):
    given_score(ann, 760)
    claim = services.claim_create(promotion=car_trial(make_promotion), person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    claim.refresh_from_db()
    client.force_login(ann)

    html = client.get(reverse("perks:claim_detail", kwargs={"pk": claim.pk})).content.decode()

    assert "In use" in html
    assert "Due back" in html
    assert claim.due_back == timezone.localdate() + datetime.timedelta(days=3)
    assert "Cancel this claim" not in html


def test_my_claims_lists_which_merchants_checked_my_codes_and_when(
    client, ann, merchant, other_merchant, make_promotion
):
    claim = services.claim_create(promotion=make_promotion(), person=ann)
    services.claim_hand_over(merchant=other_merchant, code=claim.code)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    client.force_login(ann)

    response = client.get(MY_CLAIMS_URL)

    checks = [(item["check"].merchant.name, item["check"].outcome) for item in response.context["checks"]]
    assert sorted(checks) == [("Ford", "verified"), ("Meitu", "wrong_merchant")]
    html = response.content.decode()
    assert "Who checked my claims" in html
    assert "Refused: another merchant&#x27;s code" in html
    assert "Handed over" in html


def test_claim_page_shows_the_counter_checks_of_that_claim(client, ann, merchant, make_promotion):
    claim = services.claim_create(promotion=make_promotion(), person=ann)
    services.claim_hand_over(merchant=merchant, code=claim.code)
    client.force_login(ann)

    html = client.get(reverse("perks:claim_detail", kwargs={"pk": claim.pk})).content.decode()

    assert CounterCheck.objects.filter(claim=claim).count() == 1
    assert "Who checked this code" in html
    assert "<td>Ford</td>" in html


def test_an_opted_out_person_still_sees_their_claims(client, ann, make_promotion):
    claim = services.claim_create(promotion=make_promotion(), person=ann)
    scoring_services.consumer_opt_out(person=ann)
    client.force_login(ann)

    html = client.get(MY_CLAIMS_URL).content.decode()

    assert claim.code in html


@pytest.mark.parametrize("count", [3, 15])
def test_claim_pages_make_a_fixed_number_of_queries(
    client, ann, merchant, make_promotion, django_assert_max_num_queries, count
):
    claims = []
    for number in range(count):
        promotion = make_promotion(title=f"Perk {number}")
        claims.append(services.claim_create(promotion=promotion, person=ann))
        services.claim_hand_over(merchant=merchant, code=claims[-1].code)
    client.force_login(ann)

    with django_assert_max_num_queries(MY_CLAIMS_QUERIES):
        listing = client.get(MY_CLAIMS_URL)
    with django_assert_max_num_queries(CLAIM_PAGE_QUERIES):
        detail = client.get(reverse("perks:claim_detail", kwargs={"pk": claims[0].pk}))
    with django_assert_max_num_queries(CLAIM_CONFIRM_QUERIES):
        confirm = client.get(claim_url(claims[0].promotion))

    assert len(listing.context["past_rows"]) == count
    assert len(listing.context["checks"]) == count
    assert (detail.status_code, confirm.status_code) == (200, 200)


# Sharing -------------------------------------------------------------------------------------


def share_link(client, *, show: str = Share.Show.BAND, days: int = 30) -> Share:
    """Make a link on the page; the token is read from the answer, its only showing."""
    response = client.post(SHARES_URL, {"show": show, "expires_in_days": days})
    share = Share.objects.latest("pk")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    (share.token,) = re.findall(
        rf'id="share-url-{share.pk}" type="text" value="http://testserver/s/([A-Za-z0-9_-]+)/"',
        response.content.decode(),
    )
    assert share.token_hash == key_hash(share.token)
    return share


def public_url(share: Share) -> str:
    return reverse("perks:share_public", kwargs={"token": share.token})


def test_share_the_band_and_the_public_page_shows_name_band_and_date_but_no_score(client, ann, given_score):
    given_score(ann, 688)
    ann.first_name = "Ann"
    ann.last_name = "Lee-Secret"
    ann.save()
    client.force_login(ann)

    share = share_link(client, days=10)
    listing = client.get(SHARES_URL).content.decode()
    client.logout()
    response = client.get(public_url(share))

    assert share.show == Share.Show.BAND
    assert public_url(share) not in listing  # shown once, when made: only its hash is kept
    assert "The link was shown once, when it was made." in listing
    assert response.status_code == 200
    html = response.content.decode()
    assert "Verified by Credit Life" in html
    assert '<h1 id="page-title" class="verified__name">Ann</h1>' in html
    assert 'data-testid="shared-band">Very good</p>' in html
    assert "688" not in html
    assert "Lee-Secret" not in html
    assert 'data-testid="shared-score"' not in html
    assert response["Referrer-Policy"] == "no-referrer"
    assert "no-cache" in response["Cache-Control"]


def test_share_the_score_shows_the_number_too(client, ann, given_score):
    given_score(ann, 688)
    client.force_login(ann)

    share = share_link(client, show=Share.Show.SCORE)
    client.logout()
    html = client.get(public_url(share)).content.decode()

    assert 'data-testid="shared-score">Score <strong>688</strong> on a scale from 350 to 950' in html
    assert '<h1 id="page-title" class="verified__name">ann</h1>' in html


def test_share_form_refuses_bad_input_and_shares_nothing(client, ann):
    client.force_login(ann)

    response = client.post(SHARES_URL, {"show": "everything", "expires_in_days": 0})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"show", "expires_in_days"}
    assert Share.objects.count() == 0


def test_people_not_opted_in_cannot_share(client, make_consumer):
    erin = make_consumer("erin", opted_in=False)
    client.force_login(erin)

    page = client.get(SHARES_URL)
    response = client.post(SHARES_URL, {"show": "band", "expires_in_days": 30}, follow=True)

    assert "Opt in to scoring before you share your score." in page.content.decode()
    assert "Opt in to scoring before you share your score." in response.content.decode()
    assert Share.objects.count() == 0


def test_revoked_expired_and_opted_out_shares_are_not_found(client, ann, make_consumer, given_score):
    client.force_login(ann)
    revoked = share_link(client)
    expired = share_link(client)
    a_month_ago = timezone.now() - datetime.timedelta(days=30)
    Share.objects.filter(pk=expired.pk).update(
        created_at=a_month_ago, expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    bo = given_score(make_consumer("bo"), 650)
    client.force_login(bo)
    opted_out = share_link(client)
    scoring_services.consumer_opt_out(person=bo)
    client.force_login(ann)

    revoke = client.post(reverse("perks:share_revoke", kwargs={"pk": revoked.pk}))
    client.logout()

    assert revoke.status_code == 302
    revoked.refresh_from_db()
    assert revoked.revoked_at is not None
    statuses = [client.get(public_url(share)).status_code for share in (revoked, expired, opted_out)]
    assert statuses == [404, 404, 404]
    assert client.get("/s/not-a-token/").status_code == 404


def test_a_revoked_share_is_listed_as_revoked_without_its_link(client, ann):
    client.force_login(ann)
    share = share_link(client)
    client.post(reverse("perks:share_revoke", kwargs={"pk": share.pk}))

    html = client.get(SHARES_URL).content.decode()

    assert "Revoked" in html
    assert public_url(share) not in html


def test_nobody_revokes_another_persons_share(client, ann, make_consumer, given_score):
    client.force_login(ann)
    share = share_link(client)
    client.force_login(given_score(make_consumer("bo"), 650))

    response = client.post(reverse("perks:share_revoke", kwargs={"pk": share.pk}))

    share.refresh_from_db()
    assert response.status_code == 404
    assert share.revoked_at is None


@pytest.mark.parametrize("count", [3, 15])
def test_share_pages_make_a_fixed_number_of_queries(client, ann, django_assert_max_num_queries, count):
    shares = [services.share_create(person=ann, show="band", expires_in_days=30) for _number in range(count)]
    client.force_login(ann)

    with django_assert_max_num_queries(SHARES_PAGE_QUERIES):
        listing = client.get(SHARES_URL)
    client.logout()
    with django_assert_max_num_queries(PUBLIC_SHARE_QUERIES):
        public = client.get(public_url(shares[0]))

    assert len(listing.context["rows"]) == count
    assert public.status_code == 200


# --- The dashboard's goal panel ----------------------------------------------------------------------


def test_the_dashboard_offers_the_perks_above_the_score_as_goals(client, make_consumer, make_promotion):
    bo = make_consumer("bo")  # 600
    make_promotion(title="Umbrella", min_score=600)
    ford = car_trial(make_promotion)
    client.force_login(bo)

    html = client.get(reverse("scoring:dashboard")).content.decode()

    assert 'data-testid="goal-panel"' in html
    assert f'<option value="{ford.pk}">750 · Free 3-day test drive · Ford</option>' in html
    assert "Umbrella" not in html.split('data-testid="goal-panel"')[1].split("</section>")[0]


def test_setting_a_goal_shows_the_gap_and_the_quickest_path(client, make_consumer, make_promotion):
    bo = make_consumer("bo")  # 600, identity not yet feeding the score
    ford = car_trial(make_promotion, min_score=650)
    client.force_login(bo)

    response = client.post(reverse("perks:goal_set"), {"promotion": ford.pk}, follow=True)

    html = response.content.decode()
    assert "Your goal is set: Free 3-day test drive." in html
    assert "Your goal: 650 for Free 3-day test drive" in html
    assert "You are at 600: 50 points to go to 650." in html
    assert 'data-testid="goal-path"' in html
    assert Goal.objects.get(person=bo).promotion == ford


def test_a_goal_the_score_meets_says_so_and_links_to_the_claim(client, ann, make_promotion):
    ford = car_trial(make_promotion, min_score=700)  # ann: 700
    services.goal_set(person=ann, promotion_id=ford.pk)
    client.force_login(ann)

    html = client.get(reverse("scoring:dashboard")).content.decode()

    assert 'data-testid="goal-reached"' in html
    assert claim_url(ford) in html


def test_a_goal_for_a_perk_not_live_is_refused(client, ann, make_promotion):
    draft = make_promotion(status="draft")
    client.force_login(ann)

    response = client.post(reverse("perks:goal_set"), {"promotion": draft.pk}, follow=True)

    assert "Choose a perk that is live now." in response.content.decode()
    assert not Goal.objects.exists()


def test_clearing_a_goal_offers_the_choice_again(client, ann, make_promotion):
    services.goal_set(person=ann, promotion_id=car_trial(make_promotion).pk)
    client.force_login(ann)

    client.post(reverse("perks:goal_clear"))

    assert not Goal.objects.exists()


def test_the_dashboard_charts_each_dimension_beside_the_total(client, ann):
    client.force_login(ann)

    html = client.get(reverse("scoring:dashboard")).content.decode()

    assert 'data-testid="dimension-chart"' in html
    assert html.count('class="dash-dims-history__swatch') == 5
    assert "Your total went from 700 to 700." in html


# --- A claim's place, hours and due-back date; cancelling asks first ---------------------------------


@pytest.fixture
def car_claim(ann, given_score, make_promotion, merchant):
    merchant.address = "88 Century Avenue, Pudong, Shanghai"
    merchant.opening_hours = "Mon-Sun 09:00-20:00"
    merchant.save(update_fields=["address", "opening_hours"])
    given_score(ann, 760)
    car = car_trial(make_promotion, quantity=15)
    return services.claim_create(promotion=car, person=ann)


def test_cancelling_asks_first_and_says_what_is_given_back(client, ann, car_claim):
    client.force_login(ann)
    detail = client.get(reverse("perks:claim_detail", kwargs={"pk": car_claim.pk})).content.decode()
    cancel_url = reverse("perks:claim_cancel", kwargs={"pk": car_claim.pk})
    assert f'href="{cancel_url}"' in detail

    confirm = client.get(cancel_url)

    assert confirm.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", confirm.content.decode()))
    assert "Cancel this claim?" in text
    assert "You give back 1 of 15: someone else can claim it, and your code stops working at once." in text
    car_claim.refresh_from_db()
    assert car_claim.status == Claim.Status.ACTIVE

    client.post(cancel_url)

    car_claim.refresh_from_db()
    assert car_claim.status == Claim.Status.CANCELLED


def test_a_claim_says_where_and_when_and_gives_its_due_back_date_as_a_calendar_file(client, ann, car_claim):
    due_back = timezone.localdate() + datetime.timedelta(days=3)
    Claim.objects.filter(pk=car_claim.pk).update(due_back=due_back)
    client.force_login(ann)

    html = client.get(reverse("perks:claim_detail", kwargs={"pk": car_claim.pk})).content.decode()
    calendar = client.get(reverse("perks:claim_calendar", kwargs={"pk": car_claim.pk}))

    assert "88 Century Avenue, Pudong, Shanghai" in html
    assert "Mon-Sun 09:00-20:00" in html
    assert reverse("perks:claim_calendar", kwargs={"pk": car_claim.pk}) in html
    assert calendar["Content-Type"] == "text/calendar; charset=utf-8"
    body = calendar.content.decode()
    lines = body.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert f"DTSTART;VALUE=DATE:{due_back:%Y%m%d}" in lines
    assert f"DTEND;VALUE=DATE:{due_back + datetime.timedelta(days=1):%Y%m%d}" in lines
    assert "LOCATION:88 Century Avenue\\, Pudong\\, Shanghai" in lines
    assert all(len(line.encode()) <= 75 for line in lines)
    # The redeemable code stays out of a file that syncs to other services; the claim's page is linked.
    unfolded = body.replace("\r\n ", "")
    assert car_claim.code not in unfolded
    assert f"http://testserver{reverse('perks:claim_detail', kwargs={'pk': car_claim.pk})}" in unfolded


def test_a_line_break_in_a_merchants_text_cannot_add_a_calendar_line(client, ann, car_claim, merchant):
    Claim.objects.filter(pk=car_claim.pk).update(due_back=timezone.localdate() + datetime.timedelta(days=3))
    merchant.opening_hours = "9-18\rATTENDEE:mailto:evil@example.com\nX-INJECTED:1\r\nX-TOO:1"
    merchant.save(update_fields=["opening_hours"])
    client.force_login(ann)

    body = client.get(reverse("perks:claim_calendar", kwargs={"pk": car_claim.pk})).content.decode()

    lines = [line for line in body.replace("\r\n ", "").split("\r\n")]
    assert not any(line.startswith(("ATTENDEE", "X-INJECTED", "X-TOO")) for line in lines)
    assert "\r" not in body.replace("\r\n", "")


def test_a_claim_without_a_due_back_date_has_no_calendar_file(client, ann, car_claim):
    client.force_login(ann)

    assert client.get(reverse("perks:claim_calendar", kwargs={"pk": car_claim.pk})).status_code == 404


def test_opting_in_from_a_perk_returns_to_that_perk(client, make_consumer, make_promotion):
    erin = make_consumer("erin", opted_in=False)
    perk = make_promotion(min_score=600)
    client.force_login(erin)
    page = client.get(claim_url(perk)).content.decode()
    assert f'href="{reverse("scoring:dashboard")}?next={claim_url(perk)}"' in page

    opt_in = client.get(reverse("scoring:dashboard"), {"next": claim_url(perk)}).content.decode()
    assert f'<input type="hidden" name="next" value="{claim_url(perk)}">' in opt_in
    response = client.post(
        reverse("scoring:opt_in"),
        {"consent": "on", "consent_version": CONSENT_VERSION, "next": claim_url(perk)},
    )

    assert response.status_code == 302
    assert response.url == claim_url(perk)


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/perks/", "/\\evil.example"])
def test_opting_in_never_sends_a_person_to_another_site(client, make_consumer, target):
    client.force_login(make_consumer("erin", opted_in=False))

    response = client.post(
        reverse("scoring:opt_in"), {"consent": "on", "consent_version": CONSENT_VERSION, "next": target}
    )

    assert response.status_code == 302
    assert response.url == reverse("scoring:dashboard")


def test_what_if_lists_the_perks_the_simulated_score_would_unlock(client, make_consumer, make_promotion):
    from scoring import engine
    from scoring import selectors as scoring_selectors
    from scoring import services as scoring_services
    from scoring.models import Bill, BillKind

    # A bill 40 days past due keeps carol just under 600; the what-if pays it and verifies her.
    carol = make_consumer("carol")
    Bill.objects.create(
        person=carol,
        kind=BillKind.UTILITY,
        amount=Decimal("80.00"),
        due_on=timezone.localdate() - datetime.timedelta(days=40),
    )
    scoring_services.score_recompute(person=carol)
    levers = engine.Levers(pay_overdue=True, verify_identity=True, confirm_contacts=5)
    now = scoring_selectors.score_simulate(person=carol, levers=engine.Levers()).score
    then = scoring_selectors.score_simulate(person=carol, levers=levers).score
    reachable = (now // 50 + 1) * 50
    assert now < reachable <= then
    unlocked = make_promotion(title="Deposit-free bike", min_score=reachable)
    make_promotion(title="Out of reach", min_score=reachable + 100)
    client.force_login(carol)

    page = client.get(
        reverse("scoring:dashboard"),
        {"what_if": "1", "pay_overdue": "on", "verify_identity": "on", "confirm_contacts": "5"},
    ).content.decode()

    # The what-if panel only (the goal picker elsewhere on the page lists every perk).
    what_if = page[page.index('id="what-if"') :]
    what_if = what_if[: what_if.index("</details>")]
    assert "It would unlock 1 perk:" in what_if
    assert f'href="{claim_url(unlocked)}">Deposit-free bike</a>' in what_if
    assert "Out of reach" not in what_if
