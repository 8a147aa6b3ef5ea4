"""The profile page (/accounts/profile/) through Django's test client: identity, declared facts,
contacts to confirm and the per-source switches, and the dashboard's links to it."""

import datetime
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import RealNameIdentity
from core.models import AuditEntry
from scoring import selectors, services, tasks
from scoring.models import Bill, BillKind, Contact, Declaration, Identity, Purchase, SourceConsent

pytestmark = pytest.mark.django_db

PROFILE = "/accounts/profile/"
NUMBER = "11010519491231002X"


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(throttle_rates):
    throttle_rates()


@pytest.fixture
def ann(make_consumer):
    return make_consumer("ann", verified=False)


@pytest.fixture
def signed_in(client, ann):
    client.force_login(ann)
    return client


def run_queued_recomputes(unsent_tasks) -> None:
    for name, args in unsent_tasks():
        if name == "scoring.recompute_person":
            tasks.recompute_person(*args)


def reported_contact(person, username: str, make_consumer) -> Contact:
    return Contact.objects.create(
        person=person,
        contact=make_consumer(username),
        confirmed_on=services.today() - datetime.timedelta(days=30),
        interactions_90d=12,
    )


# --- Who gets in ---------------------------------------------------------------------------------


def test_the_profile_asks_anonymous_visitors_to_sign_in(client):
    response = client.get(PROFILE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_merchant_staff_are_sent_to_their_console(client, make_merchant_staff):
    client.force_login(make_merchant_staff("ford"))

    assert client.get(PROFILE, follow=True).redirect_chain[-1][0] == reverse("perks:console")


def test_the_page_shows_every_section_in_a_fixed_number_of_queries(signed_in, django_assert_max_num_queries):
    # + the unread notifications for the navigation, the notification settings (issue 16)
    with django_assert_max_num_queries(14):
        response = signed_in.get(PROFILE)

    text = text_of(response)
    assert response.status_code == 200
    for section in ('id="identity"', 'id="declared"', 'id="contacts"', 'id="sources"'):
        assert section in response.content.decode()
    assert "Status: Not verified" in text
    assert "Phone number Not verified yet Email address Not verified yet" in text
    assert "self-declared" in text and "it does not count toward your score" in text


# --- Identity ------------------------------------------------------------------------------------


def test_submitting_on_the_page_shows_the_request_waiting(signed_in, ann):
    response = signed_in.post(reverse("profile:identity"), {"legal_name": "Wang Fang", "id_number": NUMBER})

    assert (response.status_code, response.url) == (302, f"{PROFILE}#identity")
    text = text_of(signed_in.get(PROFILE))
    assert "Status: Waiting for verification" in text
    assert "ending in 002X" in text
    assert NUMBER not in signed_in.get(PROFILE).content.decode()


def test_a_bad_number_is_shown_next_to_its_field(signed_in, ann):
    response = signed_in.post(
        reverse("profile:identity"), {"legal_name": "Wang Fang", "id_number": "110105194902300026"}
    )

    assert response.status_code == 400
    assert 'id="id_id_number_error"' in response.content.decode()
    assert "Characters 7 to 14 of this number are not a possible birth date." in text_of(response)
    assert not RealNameIdentity.objects.exists()


def test_a_number_another_profile_holds_is_refused_clearly_on_the_page(signed_in, ann, make_consumer):
    bob = make_consumer("bob", verified=False)
    identity = account_services.identity_submit(user=bob, legal_name="Wang Fang", id_number=NUMBER)
    services.real_name_decide(identity=identity, verified=True, decided_by="partner:idcheck")

    response = signed_in.post(reverse("profile:identity"), {"legal_name": "Wang Fang", "id_number": NUMBER})

    assert response.status_code == 409
    assert "This ID number is already verified for another profile. One real person has one profile" in (
        text_of(response)
    )
    assert not RealNameIdentity.objects.filter(user=ann).exists()
    assert AuditEntry.objects.filter(action="identity.taken", actor=ann).count() == 1


def test_the_demo_verifier_verifies_on_the_page(signed_in, ann, settings):
    settings.IDENTITY_DEMO_VERIFIER = True

    response = signed_in.post(
        reverse("profile:identity"), {"legal_name": "Wang Fang", "id_number": NUMBER}, follow=True
    )

    text = text_of(response)
    assert "Your real name is verified. You can claim perks now." in text
    assert "Status: Verified" in text
    assert 'action="/accounts/profile/identity/"' not in response.content.decode()  # nothing left to submit


# --- Declared education and address --------------------------------------------------------------


def test_declared_facts_are_kept_apart_and_do_not_move_the_score(signed_in, ann):
    features_before = selectors.features_for_person(person=ann, as_of=services.today())

    response = signed_in.post(
        reverse("profile:declaration"),
        {"education": "master", "address": "1 Nanjing Road", "address_since": "2015-03-01"},
        follow=True,
    )

    declared = Declaration.objects.get(person=ann)
    assert (declared.education, declared.address, declared.address_since) == (
        "master",
        "1 Nanjing Road",
        datetime.date(2015, 3, 1),
    )
    assert selectors.features_for_person(person=ann, as_of=services.today()) == features_before
    text = text_of(response)
    assert "Saved. It is shown as self-declared." in text
    # What verifying them would be worth, by the active model: master's 0.15 and 10+ years' 0.4
    # of the identity dimension (weight 0.15, 350 points up): 7.875 and 21 points.
    assert "If a partner verified the education you declare, it would add 8 points today." in text
    assert "If a partner verified the address you declare, it would add 21 points today." in text


def test_a_future_date_is_refused_naming_the_field(signed_in, ann):
    response = signed_in.post(
        reverse("profile:declaration"), {"education": "", "address_since": "2999-01-01"}
    )

    assert response.status_code == 400
    assert "Give a date in the past." in text_of(response)
    assert not Declaration.objects.exists()


# --- Contacts ------------------------------------------------------------------------------------


def test_a_reported_contact_counts_only_once_confirmed(signed_in, ann, make_consumer, unsent_tasks):
    contact = reported_contact(ann, "bo", make_consumer)
    assert selectors.features_for_person(person=ann, as_of=services.today()).confirmed_contacts == 0
    before = selectors.score_current(person=ann).score

    response = signed_in.post(reverse("profile:contact", args=[contact.pk]), {"decision": "confirm"})

    assert (response.status_code, response.url) == (302, f"{PROFILE}#contacts")
    contact.refresh_from_db()
    assert contact.status == "confirmed"
    features = selectors.features_for_person(person=ann, as_of=services.today())
    assert (features.confirmed_contacts, features.interactions_90d) == (1, 12)
    run_queued_recomputes(unsent_tasks)
    # connections: 0.1 (one contact) + 0.15 (12 interactions) = 0.25 of 0.05 x 350 = 4.375 points
    assert selectors.score_current(person=ann).score == before + 4


def test_a_contact_marked_not_mine_does_not_count(signed_in, ann, make_consumer):
    contact = reported_contact(ann, "bo", make_consumer)
    Contact.objects.filter(pk=contact.pk).update(status=Contact.Status.CONFIRMED)

    signed_in.post(reverse("profile:contact", args=[contact.pk]), {"decision": "reject"})

    contact.refresh_from_db()
    assert contact.status == "rejected"
    assert selectors.features_for_person(person=ann, as_of=services.today()).confirmed_contacts == 0


def test_another_persons_contact_is_not_found(signed_in, make_consumer):
    bob = make_consumer("bob")
    theirs = reported_contact(bob, "cy", make_consumer)

    response = signed_in.post(reverse("profile:contact", args=[theirs.pk]), {"decision": "confirm"})

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "reported"


# --- Data sources --------------------------------------------------------------------------------


def add_history(person, today: datetime.date) -> None:
    """Six card bills paid on time, one paid late, and a purchase a week for three months."""
    for months_ago in range(1, 8):
        due = selectors.months_before(today, months_ago)
        paid = due + datetime.timedelta(days=9 if months_ago == 1 else -1)
        Bill.objects.create(
            person=person, kind=BillKind.CREDIT_CARD, amount=Decimal("500"), due_on=due, paid_on=paid
        )
    for week in range(12):
        Purchase.objects.create(
            person=person, occurred_on=today - datetime.timedelta(days=7 * week + 1), amount=Decimal("30")
        )


def test_a_switched_off_source_stops_counting_from_the_next_recompute(signed_in, ann):
    today = services.today()
    add_history(ann, today)
    counted = services.score_recompute(person=ann).score

    response = signed_in.post(reverse("profile:source"), {"source": "purchases", "enabled": "0"}, follow=True)

    assert "Switched off. This data stops counting from the next recompute" in text_of(response)
    assert SourceConsent.objects.get(person=ann, source="purchases").is_enabled is False
    # until the next recompute, the score shown still counts the purchases, and says so
    assert selectors.score_current(person=ann).score == counted
    dashboard = text_of(signed_in.get(reverse("scoring:dashboard")))
    assert "Purchases and active days: still in the score shown here" in dashboard
    # the next recompute leaves them out
    without = services.score_recompute(person=ann).score
    features = selectors.features_for_person(person=ann, as_of=today)
    assert (features.purchases_12m, features.active_days_90d) == (0, 0)
    assert without < counted
    assert "Purchases and active days: not counted in this score." in text_of(
        signed_in.get(reverse("scoring:dashboard"))
    )
    assert AuditEntry.objects.filter(action="consent.source", actor=ann).count() == 1


def test_switching_off_bills_never_hides_a_late_payment(signed_in, ann):
    add_history(ann, services.today())

    signed_in.post(reverse("profile:source"), {"source": "bills", "enabled": "0"})

    features = selectors.features_for_person(person=ann, as_of=services.today())
    assert (features.on_time_bills_24m, features.history_months, features.late_bills_12m) == (0, 0, 1)


def test_switching_a_source_back_on_counts_it_again(signed_in, ann):
    add_history(ann, services.today())
    signed_in.post(reverse("profile:source"), {"source": "purchases", "enabled": "0"})

    signed_in.post(reverse("profile:source"), {"source": "purchases", "enabled": "1"})

    assert selectors.features_for_person(person=ann, as_of=services.today()).purchases_12m == 12


def test_an_unknown_source_changes_nothing(signed_in, ann):
    response = signed_in.post(reverse("profile:source"), {"source": "horoscope", "enabled": "0"})

    assert (response.status_code, response.url) == (302, f"{PROFILE}#sources")
    assert not SourceConsent.objects.exists()


# --- The dashboard points here -------------------------------------------------------------------


def test_the_advice_to_verify_and_the_simulator_lever_link_to_the_profile(signed_in, ann):
    Identity.objects.create(person=ann, real_name_verified=True, phone_verified=True)
    services.score_recompute(person=ann)

    html = signed_in.get(reverse("scoring:dashboard")).content.decode()

    assert html.count('href="/accounts/profile/#identity"') >= 3  # two raising reasons and the simulator
    assert "Do it on your profile" in html
