"""Tests for the fit end to end (services.scoring_model_fit and ``manage.py scoring_fit``) on a
small generated world whose hidden risk drives every person's behaviour over three years."""

import datetime
import io
import math
import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts.models import ConsumerProfile, User
from scoring import selectors, services
from scoring.engine import Features, FittedScorecard, compute
from scoring.models import Balance, Bill, BillKind, Contact, CreditLine, Identity, Purchase, ScoringModel

pytestmark = pytest.mark.django_db

THROUGH = datetime.date(2026, 6, 30)
START = datetime.date(2023, 7, 1)
PEOPLE = 400
OPTED_IN_AT = datetime.datetime(2023, 7, 1, 9, 0, tzinfo=datetime.UTC)


def month(day: datetime.date, months: int) -> datetime.date:
    return selectors.months_before(day, -months)


def arrival(day: datetime.date, days: int = 1) -> datetime.datetime:
    """When a record about a day reached us: the given days later, in the morning."""
    return datetime.datetime.combine(
        day + datetime.timedelta(days=days), datetime.time(9), tzinfo=datetime.UTC
    )


def generated_world(seed: int = 3) -> list[User]:
    """PEOPLE opted-in people; a hidden risk r ~ N(0, 1) sets how often each one pays late (and how
    late), how much of the credit line they use, how much they buy, whether they verified their
    identity, their balances and how many contacts they have. Noise decides each single bill."""
    rng = random.Random(seed)
    users = User.objects.bulk_create(User(username=f"w{i}") for i in range(PEOPLE))
    ConsumerProfile.objects.bulk_create(
        ConsumerProfile(user=u, is_opted_in=True, opted_in_at=OPTED_IN_AT) for u in users
    )
    bills, lines, purchases, identities, contacts, balances = [], [], [], [], [], []
    for user in users:
        r = rng.gauss(0, 1)
        p_late = 1 / (1 + math.exp(-(-3.2 + 1.3 * r)))
        for m in range(36):
            due = month(START, m)
            if rng.random() < p_late:
                paid = (
                    None
                    if rng.random() < 0.3
                    else due + datetime.timedelta(days=rng.choice([10, 40, 75, 95]))
                )
            else:
                paid = due - datetime.timedelta(days=2)
            bills.append(
                Bill(
                    person=user,
                    kind=BillKind.CREDIT_CARD,
                    amount=Decimal("300"),
                    due_on=due,
                    paid_on=paid,
                    # Reported a few days after its due date; a late payment later, on its own.
                    received_at=arrival(due, 3),
                    paid_received_at=arrival(paid, 2) if paid is not None and paid > due else None,
                )
            )
            balances.append(
                Balance(
                    person=user,
                    as_of=due,
                    amount=Decimal(round(math.exp(8 - 0.6 * r + rng.gauss(0, 0.6)), 2)),
                    received_at=arrival(due),
                )
            )
            if m % 3 == 0:
                used = max(0, min(100, int(45 + 22 * r + rng.gauss(0, 15))))
                lines.append(
                    CreditLine(
                        person=user,
                        provider="Huabei",
                        as_of=due,
                        limit=Decimal("10000"),
                        used=Decimal(used * 100),
                        received_at=arrival(due),
                    )
                )
            for _ in range(max(0, int(rng.gauss(3 - r, 1.5)))):
                purchases.append(
                    Purchase(
                        person=user,
                        occurred_on=(day := due + datetime.timedelta(days=rng.randint(0, 27))),
                        amount=Decimal("50"),
                        received_at=arrival(day),
                    )
                )
        identities.append(
            Identity(
                person=user,
                real_name_verified=rng.random() < 0.55 - 0.25 * r,
                phone_verified=rng.random() < 0.5,
                received_at=arrival(START),
            )
        )
        for other in rng.sample(users, k=max(0, min(8, int(rng.gauss(3 - 1.2 * r, 1.5))))):
            if other != user:
                contacts.append(
                    Contact(
                        person=user,
                        contact=other,
                        confirmed_on=START,
                        interactions_90d=rng.randint(0, 9),
                        # The connections dimension counts only contacts the person confirmed.
                        status=Contact.Status.CONFIRMED,
                        received_at=arrival(START),
                    )
                )
    Bill.objects.bulk_create(bills, batch_size=2000)
    Balance.objects.bulk_create(balances, batch_size=2000)
    CreditLine.objects.bulk_create(lines, batch_size=2000)
    Purchase.objects.bulk_create(purchases, batch_size=2000)
    Identity.objects.bulk_create(identities)
    Contact.objects.bulk_create(contacts, batch_size=2000, ignore_conflicts=True)
    return users


@pytest.fixture
def fitted(staff_user):
    generated_world()
    services.recompute_run_sync(as_of=THROUGH)  # the active model's latest night, for the PSI
    author = staff_user("fitter")
    return services.scoring_model_fit(through=THROUGH, actor=author, months=6), author


def test_observation_dates_are_monthly_and_end_a_window_before_through():
    assert services.observation_dates(through=THROUGH, months=4, window_months=12) == [
        datetime.date(2025, 3, 30),
        datetime.date(2025, 4, 30),
        datetime.date(2025, 5, 30),
        datetime.date(2025, 6, 30),
    ]


def test_the_fit_makes_a_draft_whose_parameters_the_engine_scores(fitted):
    model, author = fitted
    assert (model.version, model.status, model.is_active, model.created_by) == (
        "fit-2026-06-30",
        "draft",
        False,
        author,
    )
    scorecard = selectors.scorecard_of(model=model)
    assert isinstance(scorecard, FittedScorecard)
    assert compute(Features(), scorecard).score == 600
    assert [d.weight for d in compute(Features(), scorecard).dimensions] == [
        Decimal("0.35"),
        Decimal("0.25"),
        Decimal("0.20"),
        Decimal("0.15"),
        Decimal("0.05"),
    ]


def test_the_report_has_every_sample_the_weights_cost_and_what_was_never_used(fitted):
    model, _author = fitted
    report = model.report
    assert (report["rows"], report["people"], report["window_months"]) == (6 * PEOPLE, PEOPLE, 12)
    samples = report["samples"]
    # The last three observation months are out of time; the earlier ones split 70/30, stratified.
    assert samples["oot"]["count"] == 3 * PEOPLE
    assert samples["dev"]["count"] + samples["holdout"]["count"] == 3 * PEOPLE
    assert samples["holdout"]["count"] == pytest.approx(0.3 * 3 * PEOPLE, abs=1)
    dev_rate = samples["dev"]["bads"] / samples["dev"]["count"]
    assert samples["holdout"]["bads"] / samples["holdout"]["count"] == pytest.approx(dev_rate, abs=0.01)
    for sample in ("dev", "holdout", "oot"):
        assert samples[sample]["auc"] > 0.65
        assert samples[sample]["gini"] == pytest.approx(2 * samples[sample]["auc"] - 1)
        assert len(report["charts"][sample]["score_buckets"]) == 12
        assert report["charts"][sample]["roc"][0] == [0.0, 0.0]
        assert report["charts"][sample]["roc"][-1] == [1.0, 1.0]
    assert set(report["constraint"]["free_weights"]) == {
        "credit_history",
        "fulfilment_capacity",
        "behaviour",
        "identity",
        "connections",
    }
    # The world has no rent, education, address or email: nothing to bin, said so.
    assert report["without_data"] == [
        "rent_on_time_12m",
        "rent_late_12m",
        "education",
        "address_years",
        "email_verified",
    ]
    assert {d["reason"] for d in report["dropped"]} <= {"iv_below_0.02", "sign_reversed"}
    assert report["never_used"] == [
        "age",
        "sex",
        "ethnicity",
        "marital status",
        "religion",
        "contacts' scores",
    ]
    assert report["psi_against_active"] > 0


def test_the_command_fits_a_draft_and_prints_the_figures(staff_user):
    generated_world()
    staff_user("fitter")
    out = io.StringIO()

    call_command("scoring_fit", "--through", "2026-06-30", "--months", "6", "--by", "fitter", stdout=out)

    model = ScoringModel.objects.get(version="fit-2026-06-30")
    assert model.status == "draft"
    text = out.getvalue()
    assert text.startswith(f"Fitted fit-2026-06-30 (draft) on {6 * PEOPLE} rows of {PEOPLE} people.\n")
    assert f"AUC={model.report['samples']['oot']['auc']:.3f}" in text


def test_the_command_refuses_an_author_who_is_not_staff():
    with pytest.raises(CommandError, match="--by: no staff user called 'nobody'"):
        call_command("scoring_fit", "--through", "2026-06-30", "--by", "nobody")
    assert not ScoringModel.objects.exclude(status="active").exists()


def test_a_fit_without_any_bad_outcome_is_refused_and_makes_no_model(staff_user):
    User.objects.bulk_create(User(username=f"q{i}") for i in range(5))
    ConsumerProfile.objects.bulk_create(
        ConsumerProfile(user=u, is_opted_in=True) for u in User.objects.filter(username__startswith="q")
    )

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_fit(through=THROUGH, actor=staff_user("fitter"), months=6)

    assert raised.value.message_dict == {
        "through": ["Nobody (or everybody) went bad in the performance windows: there is nothing to learn."]
    }
    assert not ScoringModel.objects.exclude(status="active").exists()
