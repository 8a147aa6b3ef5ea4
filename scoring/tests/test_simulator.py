"""The simulator (engine.levers, selectors.score_simulate, POST /api/v1/me/score/simulate/): every
action it offers gives the score the person gets by doing it, never more."""

import dataclasses
import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from accounts.services import api_token_issue
from scoring import engine, selectors, services
from scoring.models import Balance, Bill, BillKind, Contact, CreditLine, Identity, Purchase, ScoreSnapshot
from scoring.selectors import months_before

pytestmark = pytest.mark.django_db

SIMULATE = "/api/v1/me/score/simulate/"
_names = itertools.count()


def build_person(
    make_consumer,
    today,
    *,
    on_time: int,
    late: int,
    unpaid: int,
    used_pct: int | None,
    verified: bool,
    contacts: int,
    extras: bool = True,
):
    """A consumer with monthly card bills (the newest `unpaid` still unpaid, the next `late` paid
    late), and, with extras, a balance, a credit line, an identity, purchases and contacts."""
    person = make_consumer(f"p{next(_names)}", opted_in=False)
    for index in range(on_time + late + unpaid):
        due_on = months_before(today, index + 1)
        is_unpaid = index < unpaid
        is_late = not is_unpaid and index < unpaid + late
        Bill.objects.create(
            person=person,
            kind=BillKind.CREDIT_CARD,
            amount=Decimal("500.00"),
            due_on=due_on,
            paid_on=None if is_unpaid else due_on + datetime.timedelta(days=9 if is_late else -1),
        )
    if extras:
        Balance.objects.create(
            person=person, as_of=today - datetime.timedelta(days=5), amount=Decimal("3000")
        )
        if used_pct is not None:
            CreditLine.objects.create(
                person=person,
                as_of=today - datetime.timedelta(days=5),
                limit=Decimal("10000"),
                used=Decimal(100 * used_pct),
            )
        Identity.objects.create(person=person, real_name_verified=verified, education="bachelor")
        Purchase.objects.create(person=person, occurred_on=today - datetime.timedelta(days=3), amount=40)
        for _ in range(contacts):
            Contact.objects.create(
                person=person,
                contact=make_consumer(f"c{next(_names)}", opted_in=False),
                confirmed_on=today - datetime.timedelta(days=30),
                interactions_90d=2,
                status=Contact.Status.CONFIRMED,
            )
    services.consumer_opt_in(person=person)
    return person


def do_it_for_real(person, levers: engine.Levers, today, make_consumer) -> None:
    """Write the signals the actions would write."""
    if levers.pay_overdue:
        Bill.objects.filter(person=person, paid_on__isnull=True, due_on__lt=today).update(paid_on=today)
    if levers.utilisation_pct is not None:
        line = CreditLine.objects.filter(person=person).order_by("-as_of", "-id").first()
        if line is not None:
            CreditLine.objects.create(
                person=person, as_of=today, limit=line.limit, used=line.limit * levers.utilisation_pct / 100
            )
    if levers.verify_identity:
        Identity.objects.update_or_create(
            person=person,
            defaults={"real_name_verified": True, "phone_verified": True, "email_verified": True},
        )
    for _ in range(levers.confirm_contacts):
        # Confirming a contact, for real: only confirmed contacts count.
        Contact.objects.create(
            person=person,
            contact=make_consumer(f"c{next(_names)}", opted_in=False),
            confirmed_on=today,
            status=Contact.Status.CONFIRMED,
        )


DB_PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@DB_PROPERTY
@given(
    on_time=st.integers(0, 14),
    late=st.integers(0, 3),
    unpaid=st.integers(0, 2),
    used_pct=st.none() | st.integers(0, 100),
    verified=st.booleans(),
    contacts=st.integers(0, 3),
    levers=st.builds(
        engine.Levers,
        pay_overdue=st.booleans(),
        utilisation_pct=st.none() | st.integers(0, 100),
        verify_identity=st.booleans(),
        confirm_contacts=st.integers(0, 3),
    ),
)
def test_an_action_simulated_never_gains_more_than_doing_it_and_recomputing(
    make_consumer, on_time, late, unpaid, used_pct, verified, contacts, levers
):
    today = services.today()
    person = build_person(
        make_consumer,
        today,
        on_time=on_time,
        late=late,
        unpaid=unpaid,
        used_pct=used_pct,
        verified=verified,
        contacts=contacts,
    )
    current = selectors.features_for_person(person=person, as_of=today).credit_utilisation_pct
    if levers.utilisation_pct is not None and (current is None or levers.utilisation_pct >= current):
        levers = engine.Levers(**{**levers.__dict__, "utilisation_pct": None})  # not offered: not lower

    simulated = selectors.score_simulate(person=person, levers=levers).score
    do_it_for_real(person, levers, today, make_consumer)
    real = services.score_recompute(person=person).score

    assert simulated <= real
    assert simulated == real  # every one of these levers is exact


@DB_PROPERTY
@given(
    on_time=st.integers(0, 30),
    late=st.integers(0, 4),
    unpaid=st.integers(0, 2),
    months=st.integers(1, 24),
    pay_overdue=st.booleans(),
)
def test_paying_on_time_for_months_never_gains_more_than_those_months_of_bills_paid_on_time(
    make_consumer, on_time, late, unpaid, months, pay_overdue
):
    # Bills only, so nothing else ages while the months pass.
    today = services.today()
    person = build_person(
        make_consumer,
        today,
        on_time=on_time,
        late=late,
        unpaid=unpaid,
        used_pct=None,
        verified=False,
        contacts=0,
        extras=False,
    )
    levers = engine.Levers(on_time_months=months, pay_overdue=pay_overdue)
    bills_last_year = min(on_time + late + unpaid, 12)

    simulated = selectors.score_simulate(person=person, levers=levers).score
    do_it_for_real(person, levers, today, make_consumer)
    for month in range(1, months + 1):
        due_on = months_before(today, -month)
        for _ in range(bills_last_year // 12):
            Bill.objects.create(
                person=person,
                kind=BillKind.CREDIT_CARD,
                amount=Decimal("500.00"),
                due_on=due_on,
                paid_on=due_on,
            )
    later = months_before(today, -months)
    real = services.score_recompute(person=person, as_of=later).score

    assert simulated <= real


def test_paying_bobs_overdue_bills_counts_them_as_late_not_on_time(make_consumer):
    # bob: 24 months of two card bills, 2 paid late this year and 1 still unpaid, a 45% used line.
    today = services.today()
    bob = build_person(
        make_consumer, today, on_time=9, late=2, unpaid=1, used_pct=45, verified=True, contacts=2
    )
    before = selectors.features_for_person(person=bob, as_of=today)

    paid = selectors.score_simulate(person=bob, levers=engine.Levers(pay_overdue=True))
    now = selectors.score_simulate(person=bob, levers=engine.Levers())

    after = engine.apply_levers(before, engine.Levers(pay_overdue=True))
    assert (before.late_bills_12m, before.overdue_unpaid) == (3, 1)
    assert (after.late_bills_12m, after.overdue_unpaid, after.on_time_bills_24m) == (3, 0, 9)
    assert paid.score > now.score
    assert ScoreSnapshot.objects.filter(person=bob).count() == 1


# --- The API -----------------------------------------------------------------------------------------


def client_of(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_issue(user=person)}")
    return client


def test_the_simulate_api_answers_with_the_simulated_score_reasons_and_baseline(make_consumer):
    today = services.today()
    person = build_person(
        make_consumer, today, on_time=9, late=2, unpaid=1, used_pct=80, verified=False, contacts=1
    )
    expected = selectors.score_simulate(
        person=person, levers=engine.Levers(pay_overdue=True, utilisation_pct=10, verify_identity=True)
    )
    current = ScoreSnapshot.objects.get(person=person).score

    response = client_of(person).post(
        SIMULATE, {"pay_overdue": True, "utilisation_pct": 10, "verify_identity": True}, format="json"
    )

    assert response.status_code == 200
    body = response.json()
    assert (body["score"], body["band"], body["current_score"]) == (
        expected.score,
        str(expected.band),
        current,
    )
    assert body["change"] == expected.score - current > 0
    assert [d["key"] for d in body["dimensions"]] == list(engine.DIMENSIONS)
    assert [(r["code"], r["direction"], r["points"]) for r in body["reasons"]] == [
        (r.code, r.direction, r.points) for r in expected.reasons
    ]
    assert ScoreSnapshot.objects.get(person=person).score == current


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"utilisation_pct": 101}, "utilisation_pct"),
        ({"utilisation_pct": "half"}, "utilisation_pct"),
        ({"utilisation_pct": 90}, "utilisation_pct"),  # not lower than today's 80%
        ({"on_time_months": 25}, "on_time_months"),
        ({"on_time_months": -1}, "on_time_months"),
        ({"confirm_contacts": 51}, "confirm_contacts"),
        ({"pay_overdue": "maybe"}, "pay_overdue"),
        ({}, "non_field_errors"),
        ({"pay_overdue": False}, "non_field_errors"),
    ],
)
def test_the_simulate_api_names_the_bad_field(make_consumer, payload, field):
    today = services.today()
    person = build_person(
        make_consumer, today, on_time=3, late=0, unpaid=0, used_pct=80, verified=False, contacts=0
    )
    snapshots = ScoreSnapshot.objects.count()

    response = client_of(person).post(SIMULATE, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert ScoreSnapshot.objects.count() == snapshots


def test_the_simulate_api_needs_an_opted_in_consumer(make_consumer):
    person = make_consumer("nobody", opted_in=False)

    response = client_of(person).post(SIMULATE, {"verify_identity": True}, format="json")

    assert (response.status_code, response.json()["code"]) == (403, "not_opted_in")


# --- The quickest path to a goal (selectors.score_path_to) ---------------------------------------


def test_the_path_to_a_goal_takes_todays_actions_strongest_first_and_never_overstates(make_consumer):
    today = services.today()
    person = build_person(
        make_consumer, today, on_time=6, late=1, unpaid=2, used_pct=90, verified=False, contacts=0
    )
    current = selectors.score_current(person=person).score

    path = selectors.score_path_to(person=person, target=950)

    assert path.current == current
    assert path.gap == 950 - current
    assert [step.score for step in path.steps] == sorted(step.score for step in path.steps)
    now_steps = [step for step in path.steps if step.lever != "on_time_months"]
    assert {step.lever for step in now_steps} == {
        "pay_overdue",
        "utilisation_10",
        "verify_identity",
        "confirm_contacts_5",
    }
    # every step's score is the simulator's for all the actions up to it together
    all_now = engine.Levers(pay_overdue=True, utilisation_pct=10, verify_identity=True, confirm_contacts=5)
    assert now_steps[-1].score == selectors.score_simulate(person=person, levers=all_now).score
    assert path.reaches is False  # 950 is out of anyone's reach by these actions
    assert 0 < path.progress < 100


def test_a_reachable_goal_stops_at_the_first_step_that_reaches_it(make_consumer):
    today = services.today()
    person = build_person(
        make_consumer, today, on_time=6, late=0, unpaid=2, used_pct=90, verified=False, contacts=0
    )
    full = selectors.score_path_to(person=person, target=950)
    target = full.steps[0].score  # exactly what the strongest action alone gives

    path = selectors.score_path_to(person=person, target=target)

    assert path.reaches is True
    assert [step.lever for step in path.steps] == [full.steps[0].lever]


def test_a_goal_already_met_needs_no_step(make_consumer):
    person = make_consumer("ann")  # 600

    path = selectors.score_path_to(person=person, target=600)

    assert (path.steps, path.reaches, path.gap, path.progress) == ((), True, 0, 100)


def test_months_of_bills_on_time_come_last_and_as_few_as_reach_the_goal(make_consumer):
    today = services.today()
    person = build_person(
        make_consumer, today, on_time=2, late=3, unpaid=0, used_pct=None, verified=True, contacts=8
    )
    now = engine.Levers(pay_overdue=True, utilisation_pct=10, verify_identity=True, confirm_contacts=5)
    today_best = selectors.score_simulate(person=person, levers=now).score
    target = selectors.score_simulate(person=person, levers=dataclasses.replace(now, on_time_months=3)).score

    path = selectors.score_path_to(person=person, target=target)

    assert target > today_best
    assert path.steps[-1].lever == "on_time_months"
    assert path.steps[-1].months <= 3
    assert path.steps[-1].score >= target
    assert path.reaches is True
