"""The consumer's score pages through Django's test client: who gets in, what they see, what changes."""

import datetime
import re
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from accounts.models import CONSENT_VERSION, ConsumerProfile
from scoring import selectors, services, views
from scoring.models import (
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    CreditLine,
    DataSource,
    Dispute,
    Identity,
    Partner,
    Purchase,
    ScoreSnapshot,
)
from scoring.selectors import months_before
from scoring.tests.test_browser import a_year_of_life

pytestmark = pytest.mark.django_db

PASSWORD = "a-Long-pass-950"
DIMENSION_NAMES = [
    "Credit history",
    "Fulfilment capacity",
    "Behaviour and preferences",
    "Identity and characteristics",
    "Connections",
]


def add_signals(person, *, today: datetime.date, bills: int = 12, late: int = 2, unpaid: int = 0) -> None:
    """A year of monthly card bills (the newest `late` paid late), a balance, a credit line, an identity."""
    for index in range(bills):
        due_on = (
            months_before(today, index + 1) if index < 12 else today - datetime.timedelta(days=400 + index)
        )
        is_unpaid = index < unpaid
        is_late = not is_unpaid and index < unpaid + late
        Bill.objects.create(
            person=person,
            kind=BillKind.CREDIT_CARD,
            issuer="ICBC Credit Card",
            amount=Decimal("812.40"),
            due_on=due_on,
            paid_on=None if is_unpaid else due_on + datetime.timedelta(days=12 if is_late else -2),
        )
    Balance.objects.create(person=person, as_of=today - datetime.timedelta(days=20), amount=Decimal("6400"))
    CreditLine.objects.create(
        person=person,
        provider="Huabei",
        as_of=today - datetime.timedelta(days=10),
        limit=Decimal("10000"),
        used=Decimal("8000"),
    )
    Identity.objects.create(person=person, real_name_verified=False, education="bachelor")
    Purchase.objects.create(
        person=person, occurred_on=today - datetime.timedelta(days=3), amount=Decimal("40")
    )


@pytest.fixture
def today() -> datetime.date:
    return services.today()


@pytest.fixture
def person(make_consumer, today):
    person = make_consumer("ann", opted_in=False)
    add_signals(person, today=today)
    services.consumer_opt_in(person=person)
    return person


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def text_of(response) -> str:
    """The page's visible text with tags dropped and whitespace squeezed, for phrase assertions."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- Who gets in -----------------------------------------------------------------------------


def test_the_dashboard_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(reverse("scoring:dashboard"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_merchant_staff_are_sent_to_their_console(client, make_merchant_staff):
    client.force_login(make_merchant_staff("ford"))

    for name in ("scoring:dashboard", "scoring:opt_out"):
        response = client.get(reverse(name), follow=True)

        assert response.redirect_chain[-1][0] == reverse("perks:console")


def test_platform_staff_are_sent_to_the_admin(client, django_user_model):
    client.force_login(
        django_user_model.objects.create_user(username="root", password=PASSWORD, is_staff=True)
    )

    response = client.get(reverse("scoring:dashboard"))

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:after_login")


# --- An opted-in person's dashboard -------------------------------------------------------------


def test_dashboard_shows_score_band_gauge_and_as_of(signed_in, person):
    snapshot = ScoreSnapshot.objects.get(person=person)

    response = signed_in.get(reverse("scoring:dashboard"))

    assert response.status_code == 200
    html = response.content.decode()
    text = text_of(response)
    assert f'<span class="dash-gauge__number">{snapshot.score}</span>' in html
    assert f'<span class="badge badge--{snapshot.band}">{snapshot.get_band_display()}</span>' in html
    assert 'role="img" aria-labelledby="gauge-title gauge-desc"' in html
    assert f"The marker is at {snapshot.score}" in text
    assert f"scoring model {snapshot.model.version}" in text
    assert html.count('class="dash-gauge__arc ') == 5


def test_dashboard_lists_the_five_dimensions_with_weights_and_sub_scores(signed_in, person):
    snapshot = ScoreSnapshot.objects.get(person=person)

    response = signed_in.get(reverse("scoring:dashboard"))

    text = text_of(response)
    html = response.content.decode()
    for name, weight, key in zip(
        DIMENSION_NAMES,
        ["35", "25", "20", "15", "5"],
        ["credit_history", "fulfilment_capacity", "behaviour", "identity", "connections"],
        strict=True,
    ):
        assert f"{name} weight {weight}% {getattr(snapshot, key)}/100" in text
        assert f'id="dim-{key}"' in html


def test_credit_history_opens_to_the_latest_bills_with_late_ones_marked(signed_in):
    response = signed_in.get(reverse("scoring:dashboard"))

    html = response.content.decode()
    assert html.count('class="dash-bills__row ') == 12
    assert html.count("dash-bills__row--late") == 2
    assert "Paid 12 days late" in text_of(response)
    assert "Huabei: ¥8,000 of ¥10,000 used" in text_of(response)


def test_reasons_say_what_lowers_and_what_raises_with_advice(signed_in, person):
    snapshot = ScoreSnapshot.objects.get(person=person)
    lowering = [reason for reason in snapshot.reasons if reason["direction"] == "lowers"]

    response = signed_in.get(reverse("scoring:dashboard"))

    text = text_of(response)
    assert lowering[0]["code"] == "late_bills_12m"
    assert "2 bills paid late in the last 12 months (credit card)" in text
    assert "Pay bills by their due date; late payments weigh less after 12 months" in text
    assert text.count("dash-reason--lowers") == 0  # classes are not text
    assert response.content.decode().count('class="dash-reason dash-reason--lowers"') == len(lowering)


def test_history_chart_has_one_point_per_snapshot_and_a_table(signed_in, person, today):
    for days in (90, 60, 30):
        services.score_recompute(person=person, as_of=today - datetime.timedelta(days=days))

    response = signed_in.get(reverse("scoring:dashboard"))

    html = response.content.decode()
    assert html.count('class="dash-history__point') == 4
    assert 'class="dash-history__line"' in html
    assert html.count('class="dash-history__band-line"') >= 1
    assert "Show the scores as a table" in html


def test_a_listed_person_sees_the_court_and_case_number(
    client, make_consumer, today, django_assert_max_num_queries
):
    person = make_consumer("bo")
    BlacklistEntry.objects.create(
        person=person,
        court="Hangzhou Intermediate People's Court",
        case_number="(2026) Zhe 01 Zhi 88",
        listed_on=today - datetime.timedelta(days=40),
    )
    snapshot = services.score_recompute(person=person)
    client.force_login(person)

    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("scoring:dashboard"))

    text = text_of(response)
    assert snapshot.band == "poor"
    assert "A court has listed you as a dishonest judgment debtor" in text
    assert "Hangzhou Intermediate People&#x27;s Court" in text
    assert "(2026) Zhe 01 Zhi 88" in text
    assert "We answer every dispute within 20 days" in text


def test_a_person_not_listed_sees_no_listing_panel(signed_in):
    response = signed_in.get(reverse("scoring:dashboard"))

    assert 'id="listing"' not in response.content.decode()


# --- Opting in ---------------------------------------------------------------------------------------


def test_a_person_not_opted_in_sees_the_explanation_and_the_opt_in_form(client, make_consumer):
    client.force_login(make_consumer("cy", opted_in=False))

    response = client.get(reverse("scoring:dashboard"))

    html = response.content.decode()
    text = text_of(response)
    assert f'action="{reverse("scoring:opt_in")}"' in html
    assert 'name="csrfmiddlewaretoken"' in html
    assert f'name="consent_version" value="{CONSENT_VERSION}"' in html
    assert f"Consent text version {CONSENT_VERSION}" in text
    assert "nobody loses points because of their friends" in text
    assert "Merchants never see your score" in text
    assert "dash-gauge" not in html


def test_opting_in_scores_a_fresh_person_600(client, make_consumer):
    person = make_consumer("di", opted_in=False)
    client.force_login(person)

    response = client.post(
        reverse("scoring:opt_in"), {"consent": "on", "consent_version": CONSENT_VERSION}, follow=True
    )

    assert response.redirect_chain == [(reverse("scoring:dashboard"), 302)]
    assert '<span class="dash-gauge__number">600</span>' in response.content.decode()
    assert ConsumerProfile.objects.get(user=person).is_opted_in is True
    assert ScoreSnapshot.objects.get(person=person).score == 600


def test_opting_in_without_consent_changes_nothing(client, make_consumer):
    person = make_consumer("ed", opted_in=False)
    client.force_login(person)

    response = client.post(reverse("scoring:opt_in"), {"consent_version": CONSENT_VERSION})

    assert response.status_code == 200
    assert "Tick the box to agree" in response.content.decode()
    assert ConsumerProfile.objects.get(user=person).is_opted_in is False
    assert ScoreSnapshot.objects.filter(person=person).count() == 0


def test_opting_in_to_an_old_consent_text_changes_nothing(client, make_consumer):
    person = make_consumer("fa", opted_in=False)
    client.force_login(person)

    response = client.post(reverse("scoring:opt_in"), {"consent": "on", "consent_version": "1999-01"})

    assert "The consent text has changed" in response.content.decode()
    assert ConsumerProfile.objects.get(user=person).is_opted_in is False


def test_get_on_the_opt_in_address_goes_back_to_the_dashboard(signed_in):
    response = signed_in.get(reverse("scoring:opt_in"))

    assert response.status_code == 302
    assert response["Location"] == reverse("scoring:dashboard")


# --- Opting out ------------------------------------------------------------------------------------


def test_opt_out_asks_for_confirmation_and_states_the_consequences(signed_in, person):
    response = signed_in.get(reverse("scoring:opt_out"))

    text = text_of(response)
    assert response.status_code == 200
    assert "We stop computing your score" in text
    assert "Merchants no longer see you" in text
    assert "The history of your claims is kept" in text
    assert ConsumerProfile.objects.get(user=person).is_opted_in is True


def test_opt_out_post_stops_scoring(signed_in, person):
    response = signed_in.post(reverse("scoring:opt_out"), follow=True)

    profile = ConsumerProfile.objects.get(user=person)
    assert profile.is_opted_in is False
    assert profile.opted_out_at is not None
    assert response.redirect_chain == [(reverse("scoring:dashboard"), 302)]
    assert "You have opted out" in text_of(response)
    assert f'action="{reverse("scoring:opt_in")}"' in response.content.decode()


# --- What if -----------------------------------------------------------------------------------------


def test_what_if_paying_the_overdue_bill_gives_exactly_the_score_of_paying_it_and_stores_nothing(
    client, make_consumer, today
):
    person = make_consumer("bo", opted_in=False)
    add_signals(person, today=today, late=2, unpaid=1)
    services.consumer_opt_in(person=person)
    client.force_login(person)
    current = ScoreSnapshot.objects.get(person=person).score
    snapshots, bills = ScoreSnapshot.objects.count(), list(Bill.objects.values_list("id", "paid_on"))

    response = client.get(reverse("scoring:dashboard"), {"what_if": "1", "pay_overdue": "on"})

    simulation = response.context["simulation"]
    simulated = simulation["simulated"].score
    assert simulation["current"].score == current
    assert simulated > current
    assert f'data-testid="simulated-score"><span class="visually-hidden">to </span>{simulated}' in (
        response.content.decode()
    )
    assert f"{simulation['delta']} points higher" in text_of(response)
    assert "Paid now it counts as paid late, not on time" in text_of(response)
    assert ScoreSnapshot.objects.count() == snapshots
    assert list(Bill.objects.values_list("id", "paid_on")) == bills
    # Really paying it: the bill is paid late (not on time), and the recomputed score is the same.
    Bill.objects.filter(person=person, paid_on__isnull=True).update(paid_on=today)
    assert services.score_recompute(person=person).score == simulated


def test_what_if_lower_credit_line_use_and_verified_identity_raise_the_score(signed_in, person):
    current = ScoreSnapshot.objects.get(person=person).score

    utilisation = signed_in.get(reverse("scoring:dashboard"), {"what_if": "1", "utilisation": "10"})
    identity = signed_in.get(reverse("scoring:dashboard"), {"what_if": "1", "verify_identity": "on"})

    assert utilisation.context["simulation"]["simulated"].score > current
    assert identity.context["simulation"]["simulated"].score > current


def test_what_if_without_a_change_asks_for_one(signed_in):
    response = signed_in.get(reverse("scoring:dashboard"), {"what_if": "1"})

    assert "Choose at least one change to see its effect." in text_of(response)


def test_what_if_rejects_an_unknown_utilisation(signed_in):
    response = signed_in.get(reverse("scoring:dashboard"), {"what_if": "1", "utilisation": "7"})

    assert response.context["simulation"] is None
    assert "Select a valid choice" in text_of(response)


def test_what_if_disables_options_that_cannot_apply(client, make_consumer):
    client.force_login(make_consumer("gu"))

    response = client.get(reverse("scoring:dashboard"))

    form = response.context["what_if"]
    assert form.fields["pay_overdue"].disabled is True
    assert form.fields["utilisation"].disabled is True
    assert form.fields["verify_identity"].disabled is False


# --- Cost and language ---------------------------------------------------------------------------------


# session, user, merchant membership (role), consumer profile, current snapshot, 11 feature
# queries (identity facts and contacts read twice: current and revised, issue 14), history,
# active listings, latest bills, rent payments, credit line, disputes.
# The simulator adds the active scoring model, read for the baseline and for the changed copy.
# One more than before: the switched-off data sources the dashboard names (issue 16).
# Notifications (issue 16) replaced the banner from the last two snapshots (up to 4 queries) by
# the unread count in the navigation and the newest unread notices (one each); the goal panel
# reads the goal and, without one, the perks above the score (two); the dimensions' year chart
# reads the year's sub-scores (one).
NOTIFICATION_QUERIES = 2 + 2 + 1
DASHBOARD_QUERIES = 25 + NOTIFICATION_QUERIES
SIMULATOR_QUERIES = 27 + NOTIFICATION_QUERIES


@pytest.mark.parametrize(("snapshots", "bills"), [(2, 3), (40, 60)])
def test_dashboard_queries_do_not_grow_with_snapshots_or_signals(
    client, make_consumer, today, django_assert_max_num_queries, snapshots, bills
):
    person = make_consumer("ha", opted_in=False)
    add_signals(person, today=today, bills=bills, late=2, unpaid=1)
    for index in range(60 - bills):
        Purchase.objects.create(person=person, occurred_on=today - datetime.timedelta(days=index), amount=1)
    services.consumer_opt_in(person=person)
    for days in range(1, snapshots):
        services.score_recompute(person=person, as_of=today - datetime.timedelta(days=days * 7))
    client.force_login(person)
    assert ScoreSnapshot.objects.filter(person=person).count() == snapshots

    with django_assert_max_num_queries(DASHBOARD_QUERIES):
        response = client.get(reverse("scoring:dashboard"))
    with django_assert_max_num_queries(SIMULATOR_QUERIES):
        simulated = client.get(reverse("scoring:dashboard"), {"what_if": "1", "pay_overdue": "on"})

    assert response.status_code == 200
    assert simulated.context["simulation"]["delta"] > 0


def test_dashboard_renders_in_chinese(client, person):
    client.force_login(person)

    response = client.get(reverse("scoring:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans")

    html = response.content.decode()
    assert '<html lang="zh-hans">' in html
    assert "你的信用分" in html
    assert "信用历史" in html
    assert "如果……会怎样" in html


# --- Disputes ------------------------------------------------------------------------------------------


@pytest.fixture
def listed(make_consumer, today):
    person = make_consumer("ji")
    entry = BlacklistEntry.objects.create(
        person=person,
        court="Beijing Chaoyang District People's Court",
        case_number="(2026) Jing 0105 Zhi 77",
        listed_on=today - datetime.timedelta(days=30),
    )
    services.score_recompute(person=person)
    return person, entry


def test_a_listed_person_disputes_the_listing_from_the_dashboard(client, listed, today):
    person, entry = listed
    client.force_login(person)

    page = client.get(reverse("scoring:dashboard"))
    response = client.post(
        reverse("scoring:dispute_create"),
        {"subject": str(entry.pk), "signal": "", "reason": "I paid the judgment debt in full in March."},
        follow=True,
    )

    assert f'<input type="hidden" name="subject" value="{entry.pk}">' in page.content.decode()
    dispute = Dispute.objects.get(person=person)
    assert (dispute.blacklist_entry, dispute.status) == (entry, Dispute.Status.OPEN)
    assert dispute.due_by == today + datetime.timedelta(days=20)
    assert response.redirect_chain == [(reverse("scoring:dashboard") + "#disputes", 302)]
    text = text_of(response)
    assert "We have received your dispute and will answer by" in text
    assert "Listing by Beijing Chaoyang District People&#x27;s Court, case (2026) Jing 0105 Zhi 77" in text
    assert "Answer due by" in text


def test_disputing_other_data_needs_to_say_which(signed_in, person):
    response = signed_in.post(
        reverse("scoring:dispute_create"), {"subject": "other", "signal": " ", "reason": "It is wrong."}
    )

    assert response.status_code == 400
    assert "Say which data is wrong." in text_of(response)
    assert Dispute.objects.filter(person=person).count() == 0


def test_a_second_open_dispute_about_the_same_listing_is_refused(client, listed):
    person, entry = listed
    services.dispute_create(person=person, blacklist_entry=entry, reason="Not my case.")
    client.force_login(person)

    response = client.post(
        reverse("scoring:dispute_create"), {"subject": str(entry.pk), "reason": "Still not my case."}
    )

    assert response.status_code == 400
    assert "You already have an open dispute about this record." in text_of(response)
    assert Dispute.objects.filter(person=person).count() == 1


def test_nobody_can_dispute_another_persons_listing(client, listed, make_consumer):
    _, entry = listed
    other = make_consumer("ko")
    client.force_login(other)

    response = client.post(reverse("scoring:dispute_create"), {"subject": str(entry.pk), "reason": "Mine?"})

    assert "Choose the record you dispute with “Dispute this” beside it." in text_of(response)
    assert Dispute.objects.count() == 0


def test_accepting_a_dispute_lifts_the_listing_as_overturned_and_restores_the_score(listed, today):
    person, entry = listed
    listed_score = ScoreSnapshot.objects.get(person=person, as_of=today).score
    dispute = services.dispute_create(person=person, blacklist_entry=entry, reason="Not my case.")

    services.dispute_accept(dispute=dispute, response="The court confirmed the listing was an error.")

    dispute.refresh_from_db()
    entry.refresh_from_db()
    assert dispute.status == Dispute.Status.ACCEPTED
    assert dispute.resolved_at is not None
    assert (entry.lifted_on, entry.lift_reason) == (today, BlacklistEntry.LiftReason.OVERTURNED)
    assert listed_score < 550
    assert ScoreSnapshot.objects.get(person=person, as_of=today).score == 600


def test_rejecting_a_dispute_needs_a_reason_and_records_it(listed):
    person, entry = listed
    dispute = services.dispute_create(person=person, blacklist_entry=entry, reason="Not my case.")

    with pytest.raises(ValidationError):
        services.dispute_reject(dispute=dispute, response="  ")
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.OPEN

    services.dispute_reject(dispute=dispute, response="The court confirmed the judgment is unpaid.")

    dispute.refresh_from_db()
    entry.refresh_from_db()
    assert (dispute.status, dispute.response) == (
        Dispute.Status.REJECTED,
        "The court confirmed the judgment is unpaid.",
    )
    assert entry.lifted_on is None
    with pytest.raises(ValidationError):
        services.dispute_accept(dispute=dispute)


def test_staff_accept_a_dispute_with_the_admin_action(client, listed, django_user_model, today):
    person, entry = listed
    dispute = services.dispute_create(person=person, blacklist_entry=entry, reason="Not my case.")
    staff = django_user_model.objects.create_superuser(
        username="staff", password=PASSWORD, email="s@example.com"
    )
    client.force_login(staff)

    response = client.post(
        reverse("admin:scoring_dispute_changelist"),
        {"action": "accept", "_selected_action": [dispute.pk]},
        follow=True,
    )

    assert "Answered 1 dispute(s)." in response.content.decode()
    dispute.refresh_from_db()
    assert dispute.status == Dispute.Status.ACCEPTED
    assert ScoreSnapshot.objects.get(person=person, as_of=today).score == 600


def test_the_person_sees_the_answer_to_a_dispute(client, listed):
    person, entry = listed
    dispute = services.dispute_create(person=person, blacklist_entry=entry, reason="Not my case.")
    services.dispute_reject(dispute=dispute, response="The judgment is still unpaid.")
    client.force_login(person)

    response = client.get(reverse("scoring:dashboard"))

    text = text_of(response)
    assert "Rejected" in text
    assert "Our answer: The judgment is still unpaid." in text


def test_an_opted_in_person_without_a_score_yet_is_told_it_is_coming(client, make_consumer):
    person = make_consumer("lu", opted_in=False)
    ConsumerProfile.objects.filter(user=person).update(is_opted_in=True)
    client.force_login(person)

    response = client.get(reverse("scoring:dashboard"))

    assert response.status_code == 200
    assert "Your score is on its way" in text_of(response)


# --- The score's cards, cached per snapshot and language ----------------------------------------


def fresh_cards(person, *, today: datetime.date) -> str:
    """The cards rendered now from the database, bypassing the cache."""
    version = selectors.score_current_version(person=person)
    since = today - datetime.timedelta(days=views.HISTORY_DAYS)
    return views._score_cards(person=person, snapshot_id=version[0], since=since, today=today)["score_cards"]


def test_the_cached_cards_are_the_cards_of_the_current_snapshot(derived_cache, signed_in, person, today):
    # given: the cards cached by a first visit
    first = signed_in.get(reverse("scoring:dashboard"))

    # when
    again = signed_in.get(reverse("scoring:dashboard"))

    # then
    assert first.context["score_cards"] == again.context["score_cards"] == fresh_cards(person, today=today)


def test_a_new_event_shows_in_the_cards_on_the_next_visit(derived_cache, signed_in, person, today):
    # given
    before = signed_in.get(reverse("scoring:dashboard")).context["score_cards"]
    old_score = selectors.score_current(person=person).score

    # when: an unpaid bill arrives and today's snapshot is rewritten
    Bill.objects.create(
        person=person,
        kind=BillKind.CREDIT_CARD,
        issuer="ICBC",
        amount=Decimal("900"),
        due_on=today - datetime.timedelta(days=40),
    )
    snapshot = services.score_recompute(person=person)
    after = signed_in.get(reverse("scoring:dashboard")).context["score_cards"]

    # then
    assert snapshot.score < old_score
    assert after == fresh_cards(person, today=today) != before


def test_a_new_snapshot_shows_in_the_cards_and_history_on_the_next_visit(
    derived_cache, signed_in, person, today
):
    # given
    before = signed_in.get(reverse("scoring:dashboard")).context["score_cards"]

    # when: last month's snapshot is written (the current one is unchanged, the history is not)
    services.score_recompute(person=person, as_of=today - datetime.timedelta(days=30))
    after = signed_in.get(reverse("scoring:dashboard")).context["score_cards"]

    # then
    assert after == fresh_cards(person, today=today) != before


def test_an_opt_out_shows_the_opt_in_page_on_the_next_visit(derived_cache, signed_in, person):
    # given
    assert "score_cards" in signed_in.get(reverse("scoring:dashboard")).context

    # when
    services.consumer_opt_out(person=person)
    response = signed_in.get(reverse("scoring:dashboard"))

    # then
    assert response.status_code == 200
    assert "score_cards" not in response.context
    assert response.templates[0].name == "scoring/opt_in.html"


def test_the_cards_follow_the_language_of_each_visit(derived_cache, signed_in, person, today):
    # given
    english = signed_in.get(reverse("scoring:dashboard"), HTTP_ACCEPT_LANGUAGE="en").context["score_cards"]

    # when
    chinese = signed_in.get(reverse("scoring:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans").context[
        "score_cards"
    ]

    # then
    with translation.override("zh-hans"):
        expected = fresh_cards(person, today=today)
    assert chinese == expected != english
    assert "你的分数" in chinese


# Once cached: session, user, merchant membership (role), consumer profile, the versions of the
# current snapshot, of the year's snapshots and of the person's data (one statement), and the
# notifications' last two snapshots. Before the person's data was cached: 21.
# Notifications (issue 16): the banner's query gone; the unread count, notices and goal panel (2)
# added; the dimensions' year chart is drawn with the cached cards (one query only when they are).
CACHED_DASHBOARD_QUERIES = 7 + NOTIFICATION_QUERIES - 1


def test_cached_cards_read_versions_instead_of_the_snapshot_and_history(
    derived_cache, signed_in, django_assert_num_queries
):
    # given: the cards cached
    signed_in.get(reverse("scoring:dashboard"))

    # when / then
    with django_assert_num_queries(CACHED_DASHBOARD_QUERIES):
        response = signed_in.get(reverse("scoring:dashboard"))
    assert response.status_code == 200


def test_under_a_listing_the_reasons_say_the_cap_masks_them_and_what_each_is_worth_without_it(
    client, make_consumer, today
):
    person = make_consumer("lu")
    a_year_of_life(person, today=today)
    services.score_recompute(person=person)
    unlisted = {r["code"]: r["points"] for r in ScoreSnapshot.objects.get(person=person).reasons}
    BlacklistEntry.objects.create(
        person=person, court="Hangzhou Court", case_number="(2026) Zhi 1", listed_on=today
    )
    services.score_recompute(person=person)
    client.force_login(person)

    text = text_of(client.get(reverse("scoring:dashboard")))

    late = next(r for r in ScoreSnapshot.objects.get(person=person).reasons if r["code"] == "late_bills_12m")
    assert late["points_without_listing"] == unlisted["late_bills_12m"] > late["points"]
    assert "While the court listing caps your score, it masks everything else" in text
    assert f"−{late['points']} points now −{unlisted['late_bills_12m']} points without the listing" in text  # noqa: RUF001 (the page writes a minus sign)
    # Someone on a court list is not sent to the perks they cannot get.
    assert "See the perks you can get" not in text


# --- The person's own data, cached under the version of its rows ---------------------------------


def test_an_ingested_bill_shows_on_the_next_visit_before_any_recompute(
    derived_cache, signed_in, person, today
):
    # given: the page seen, its data cached
    before = signed_in.get(reverse("scoring:dashboard")).context
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")

    # when: a partner reports an unpaid bill (its recompute has not run yet)
    services.events_ingest(
        partner=partner,
        batch=[
            {
                "id": "overdue-1",
                "type": "bill_overdue",
                "person": person.username,
                "data": {
                    "kind": "utility",
                    "amount": "300.00",
                    "due_on": (today - datetime.timedelta(days=5)).isoformat(),
                },
            }
        ],
    )
    after = signed_in.get(reverse("scoring:dashboard")).context

    # then: the bill and the features it changes are on the page at once
    assert before["features"].overdue_unpaid == 0
    assert after["features"] == selectors.features_for_person(person=person, as_of=today)
    assert after["features"].overdue_unpaid == 1
    newest = after["bills"][0]
    assert (newest["bill"].kind, newest["status"], newest["days"]) == (BillKind.UTILITY, "overdue", 5)


def test_a_switched_off_source_is_named_on_the_next_visit(derived_cache, signed_in, person):
    # given
    assert signed_in.get(reverse("scoring:dashboard")).context["sources_off"] == []

    # when
    services.source_consent_set(person=person, source=DataSource.PURCHASES, enabled=False)
    response = signed_in.get(reverse("scoring:dashboard"))

    # then: named, and already left out of the features the page shows
    assert [source["label"] for source in response.context["sources_off"]] == ["Purchases and active days"]
    assert (response.context["features"].purchases_12m, response.context["features"].active_days_90d) == (
        0,
        0,
    )


def test_a_dispute_shows_on_the_next_visit(derived_cache, signed_in, person, today):
    # given: a court listing, the page seen
    entry = BlacklistEntry.objects.create(
        person=person,
        court="Hangzhou Intermediate People's Court",
        case_number="(2026) Zhe 01 Zhi 88",
        listed_on=today - datetime.timedelta(days=40),
    )
    first = signed_in.get(reverse("scoring:dashboard")).context
    assert ([listing.pk for listing in first["listings"]], first["disputes"]) == ([entry.pk], [])

    # when
    dispute = services.dispute_create(person=person, blacklist_entry=entry, reason="Paid in full in May.")
    after = signed_in.get(reverse("scoring:dashboard")).context

    # then
    assert [item.pk for item in after["disputes"]] == [dispute.pk]


def test_the_bills_follow_the_language_of_each_visit(derived_cache, signed_in):
    # given: the data cached by an English visit
    english = text_of(signed_in.get(reverse("scoring:dashboard"), HTTP_ACCEPT_LANGUAGE="en"))

    # when
    chinese = text_of(signed_in.get(reverse("scoring:dashboard"), HTTP_ACCEPT_LANGUAGE="zh-hans"))

    # then
    with translation.override("zh-hans"):
        late = translation.gettext("Bills paid late, last 12 months")
    assert "Bills paid late, last 12 months" in english
    assert late in chinese != english
    assert "Bills paid late, last 12 months" not in chinese


def test_cached_data_is_the_data_read_fresh(derived_cache, signed_in, person, today):
    # given: the data cached by a first visit
    signed_in.get(reverse("scoring:dashboard"))

    # when
    cached = signed_in.get(reverse("scoring:dashboard")).context

    # then: what the cache gave is what reading it now gives
    fresh = views._person_data(person=person, today=today)
    assert cached["features"] == fresh.features
    assert [row["bill"].pk for row in cached["bills"]] == [row["bill"].pk for row in fresh.bills]
    assert [row["bill"].pk for row in cached["rent_payments"]] == [
        row["bill"].pk for row in fresh.rent_payments
    ]
    assert fresh.credit_line is not None
    assert cached["credit_line"].pk == fresh.credit_line.pk
