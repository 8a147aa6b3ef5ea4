"""Realistic synthetic signals for the demo population, and the named people's stories.

Signals are only written for people who have none yet, which keeps seed_demo idempotent; the same
username always gets the same history (every draw comes from generators seeded by it).

The synthetic world has a ground truth. Each synthetic person has a hidden risk r ~ N(0, 1),
drawn from a stream of its own (``hidden_risk(username)``) and never written to any table: the
model sees only the behaviour it drives, over WORLD_MONTHS (24) months, with noise deciding
every single event:

- each month a "trouble" episode starts with probability h(r) = 1 / (1 + exp(6.0 - 1.5 r)); that
  month every non-rent bill goes seriously late: paid 65-150 days after its due date, or still
  unpaid if that day has not come yet. This is most of what the fit's outcome counts as bad:
  over 12 months about 12% of people go bad, and r ranks them with an AUC of about 0.79
  (scoring/tests/test_demo.py holds both to 5-15% and 0.75-0.88);
- otherwise a bill is paid on time with probability 1 / (1 + exp(-2.6 + 0.9 r)) (rent a little
  more often), else 3-40 days late;
- credit-line utilisation grows with r (a Beta(2, 3) draw scaled by exp(0.35 r)), balances
  shrink with it (log-normal around exp(8.6 - 0.5 r)), both read monthly (the line quarterly);
- a court listing (active or lifted, 4-30 months ago) has probability 3% x exp(0.8 r - 0.32);
- purchases and confirmed contacts (since the start of the history) are a little fewer, and a
  verified phone a little rarer, the higher r; education, address and e-mail are independent of r.

The named people (alice, bob, carol, dave) keep their hand-written stories (no hidden risk).
"""

import datetime
import math
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from accounts.models import User

from .models import (
    Balance,
    Bill,
    BillKind,
    BlacklistEntry,
    Contact,
    CreditLine,
    Education,
    Identity,
    Purchase,
)
from .selectors import known_by, months_before

CENT = Decimal("0.01")
SAVE_BATCH = 2000
COURTS = [
    "Shanghai No. 1 Intermediate People's Court",
    "Beijing Chaoyang District People's Court",
    "Hangzhou Intermediate People's Court",
    "Guangzhou Tianhe District People's Court",
]
UTILITIES = ["State Grid Electricity", "Shanghai Gas", "City Water"]
CARD_ISSUERS = ["ICBC Credit Card", "China Merchants Bank Card", "Bank of China Card"]
PURCHASE_CATEGORIES = ["groceries", "dining", "transport", "electronics", "clothing", "travel"]


@dataclass
class Signals:
    bills: list[Bill] = field(default_factory=list)
    balances: list[Balance] = field(default_factory=list)
    credit_lines: list[CreditLine] = field(default_factory=list)
    purchases: list[Purchase] = field(default_factory=list)
    identities: list[Identity] = field(default_factory=list)
    contacts: list[Contact] = field(default_factory=list)
    blacklist: list[BlacklistEntry] = field(default_factory=list)

    def extend(self, other: "Signals") -> None:
        for name in self.__dataclass_fields__:
            getattr(self, name).extend(getattr(other, name))

    def save(self) -> int:
        Bill.objects.bulk_create(self.bills, batch_size=SAVE_BATCH)
        Balance.objects.bulk_create(self.balances, batch_size=SAVE_BATCH)
        CreditLine.objects.bulk_create(self.credit_lines, batch_size=SAVE_BATCH)
        Purchase.objects.bulk_create(self.purchases, batch_size=SAVE_BATCH)
        Identity.objects.bulk_create(self.identities, batch_size=SAVE_BATCH)
        Contact.objects.bulk_create(self.contacts, batch_size=SAVE_BATCH)
        BlacklistEntry.objects.bulk_create(self.blacklist, batch_size=SAVE_BATCH)
        return sum(len(getattr(self, name)) for name in self.__dataclass_fields__)


@dataclass(frozen=True)
class Profile:
    """The knobs of one person's story."""

    reliability: float  # chance each bill is paid on time
    history_months: int
    monthly_bills: int  # card and utility bills a month
    pays_rent: bool
    balance_median: int
    credit_limit: int | None
    utilisation: float
    purchases_per_month: float
    verified: bool
    phone: bool
    email: bool
    education: str
    address_years: int | None
    contacts: int
    blacklist: str | None = None  # "active", "lifted" or None
    never_late: bool = False
    # The synthetic world's hidden risk (see the module's docstring); None for a hand-written story.
    # It drives the generator only and is never stored.
    risk: float | None = None


# Months of behaviour of a synthetic person (with a hidden risk): a year to observe, a year after.
WORLD_MONTHS = 24


def _logistic(value: float) -> float:
    return 1 / (1 + math.exp(-value))


def trouble_hazard(risk: float) -> float:
    """The chance a month starts a trouble episode (every non-rent bill 65+ days late)."""
    return _logistic(-6.0 + 1.5 * risk)


def _utilisation(draw: float, *, diligence: float, risk: float | None) -> float:
    return draw * math.exp(0.35 * risk) if risk is not None else draw / max(diligence, 0.3)


def hidden_risk(username: str) -> float:
    """A synthetic person's hidden risk: from a stream of its own, so the oracle can be recomputed."""
    return random.Random(f"risk:{username}").gauss(0, 1)


def _money(value: float) -> Decimal:
    return Decimal(str(max(value, 1))).quantize(CENT)


class Arrivals:
    """When each record reached us: partners report a few days after the fact, never after ``today``.

    Its own random stream (per person), so the arrival times leave every drawn behaviour as it was.
    """

    def __init__(self, *, person: User, today: datetime.date) -> None:
        self.rng = random.Random(f"arrivals:{person.username}")
        # Everything generated for today is known today.
        self.latest = min(known_by(today) - datetime.timedelta(seconds=1), timezone.now())

    def after(self, day: datetime.date, *, days: tuple[int, int] = (1, 3)) -> datetime.datetime:
        moment = timezone.make_aware(
            datetime.datetime.combine(
                day + datetime.timedelta(days=self.rng.randint(*days)), datetime.time(self.rng.randint(6, 22))
            )
        )
        return min(moment, self.latest)


def signals_for(
    *, person: User, profile: Profile, today: datetime.date, rng: random.Random, contact_pool: list[User]
) -> Signals:
    """Twelve months of everyday life (WORLD_MONTHS for a synthetic person with a hidden risk),
    plus older history where the person has it."""
    signals = Signals()
    arrivals = Arrivals(person=person, today=today)
    months = min(profile.history_months, 13 if profile.risk is None else WORLD_MONTHS)
    for months_ago in range(months, 0, -1):
        due = months_before(today, months_ago).replace(day=min(today.day, 28))
        trouble = profile.risk is not None and rng.random() < trouble_hazard(profile.risk)
        for index in range(profile.monthly_bills):
            kind = (
                BillKind.CREDIT_CARD
                if index == 0
                else (BillKind.UTILITY if index < 3 else BillKind.CREDIT_LINE)
            )
            on_time = not trouble and (profile.never_late or rng.random() < profile.reliability)
            paid_on: datetime.date | None
            if trouble:
                settled = due + datetime.timedelta(days=rng.randint(65, 150))
                paid_on = settled if settled <= today else None
            elif on_time:
                paid_on = due - datetime.timedelta(days=rng.randint(0, 5))
            elif rng.random() < 0.25 and months_ago <= 2:
                paid_on = None  # still unpaid
            else:
                paid_on = due + datetime.timedelta(days=rng.randint(3, 40))
            issuer = rng.choice(CARD_ISSUERS) if kind == BillKind.CREDIT_CARD else rng.choice(UTILITIES)
            amount = rng.lognormvariate(6.5, 0.6) if kind != BillKind.UTILITY else rng.lognormvariate(5, 0.4)
            signals.bills.append(
                Bill(
                    person=person,
                    kind=kind,
                    issuer=issuer,
                    amount=_money(amount),
                    due_on=due,
                    paid_on=paid_on,
                    **_bill_arrivals(arrivals, due_on=due, paid_on=paid_on),
                )
            )
        if profile.pays_rent:
            on_time = profile.never_late or rng.random() < min(profile.reliability + 0.05, 1)
            paid_on = due if on_time else due + datetime.timedelta(days=rng.randint(5, 25))
            signals.bills.append(
                Bill(
                    person=person,
                    kind=BillKind.RENT,
                    issuer="Landlord",
                    amount=_money(rng.choice([2500, 3800, 4500, 6000])),
                    due_on=due,
                    paid_on=paid_on,
                    **_bill_arrivals(arrivals, due_on=due, paid_on=paid_on),
                )
            )
        for _ in range(_poisson(rng, profile.purchases_per_month)):
            day = due + datetime.timedelta(days=rng.randint(0, 27))
            if day <= today:
                signals.purchases.append(
                    Purchase(
                        person=person,
                        occurred_on=day,
                        category=rng.choice(PURCHASE_CATEGORIES),
                        amount=_money(rng.lognormvariate(4.5, 1)),
                        received_at=arrivals.after(day, days=(0, 2)),
                    )
                )
    if profile.history_months > 13:
        # One old loan marks how long the person has been borrowing.
        signals.bills.append(
            Bill(
                person=person,
                kind=BillKind.LOAN,
                issuer="China Construction Bank",
                amount=_money(20000),
                due_on=months_before(today, profile.history_months),
                paid_on=months_before(today, profile.history_months),
                received_at=arrivals.after(months_before(today, profile.history_months)),
            )
        )
    for months_ago in range(min(months, WORLD_MONTHS) if profile.risk is not None else 3, 0, -1):
        signals.balances.append(
            Balance(
                person=person,
                as_of=months_before(today, months_ago),
                amount=_money(profile.balance_median * rng.uniform(0.7, 1.3)),
                received_at=arrivals.after(months_before(today, months_ago), days=(0, 1)),
            )
        )
    if profile.credit_limit:
        limit = Decimal(profile.credit_limit)
        # A synthetic person's line is read every quarter of their history, around their usual use.
        readings = range(months - 1, 0, -3) if profile.risk is not None else (1,)
        for months_ago in readings:
            used = (
                profile.utilisation
                if months_ago == 1
                else min(profile.utilisation * rng.uniform(0.7, 1.3), 1)
            )
            signals.credit_lines.append(
                CreditLine(
                    person=person,
                    provider="Huabei",
                    as_of=months_before(today, months_ago),
                    limit=limit,
                    used=(limit * Decimal(str(used))).quantize(CENT),
                    received_at=arrivals.after(months_before(today, months_ago)),
                )
            )
    signals.identities.append(
        Identity(
            person=person,
            real_name_verified=profile.verified,
            phone_verified=profile.phone,
            email_verified=profile.email,
            education=profile.education,
            address_since=months_before(today, profile.address_years * 12 + 1)
            if profile.address_years is not None
            else None,
            # Verified when the person first borrowed, or a year ago for a newer file.
            received_at=arrivals.after(months_before(today, max(profile.history_months, 12)), days=(0, 20)),
        )
    )
    for contact in rng.sample(contact_pool, k=min(profile.contacts, len(contact_pool))):
        if contact.pk != person.pk:
            signals.contacts.append(
                Contact(
                    person=person,
                    contact=contact,
                    confirmed_on=(
                        confirmed_on := months_before(today, 6 if profile.risk is None else months)
                    ),
                    interactions_90d=rng.randint(0, 30),
                    status=Contact.Status.CONFIRMED,
                    received_at=arrivals.after(confirmed_on, days=(0, 5)),
                )
            )
    if profile.blacklist:
        listed = months_before(today, rng.randint(4, 30))
        lifted = months_before(today, rng.randint(1, 3)) if profile.blacklist == "lifted" else None
        signals.blacklist.append(
            BlacklistEntry(
                person=person,
                court=rng.choice(COURTS),
                case_number=f"({listed.year}) Zhi {rng.randint(100, 9999)}",
                listed_on=listed,
                lifted_on=lifted,
                lift_reason=BlacklistEntry.LiftReason.SETTLED if lifted else "",
                source="Supreme People's Court public list",
                note="Failed to comply with an effective judgment.",
                received_at=arrivals.after(listed, days=(1, 7)),
                lifted_received_at=arrivals.after(lifted, days=(1, 7)) if lifted else None,
            )
        )
    return signals


def _bill_arrivals(
    arrivals: Arrivals, *, due_on: datetime.date, paid_on: datetime.date | None
) -> dict[str, datetime.datetime | None]:
    """A bill is reported just after its due date (paid, if paid by then); a later payment on its own."""
    received_at = arrivals.after(due_on)
    paid_after = paid_on is not None and paid_on > due_on
    return {
        "received_at": received_at,
        "paid_received_at": max(arrivals.after(paid_on), received_at) if paid_after and paid_on else None,
    }


def identity_facts_ensure(*, people: list[User]) -> int:
    """Record the real-name verification of people verified in the demo (as a verdict would)."""
    have = set(Identity.objects.filter(person__in=people).values_list("person_id", flat=True))
    Identity.objects.filter(person__in=people, real_name_verified=False).update(real_name_verified=True)
    made = Identity.objects.bulk_create(
        [Identity(person=person, real_name_verified=True) for person in people if person.pk not in have]
    )
    return len(made)


def _poisson(rng: random.Random, mean: float) -> int:
    # Knuth's method: fine for the small means of monthly purchase counts.
    limit, count, product = pow(2.718281828459045, -mean), 0, rng.random()
    while product > limit:
        count += 1
        product *= rng.random()
    return count


def synthetic_profile(rng: random.Random, *, risk: float | None = None) -> Profile:
    """A person drawn from a population whose scores spread like a real one's; with a hidden
    ``risk``, one of the synthetic world whose behaviour it drives (see the module's docstring)."""
    diligence = rng.betavariate(6, 1.6)
    wealth = rng.lognormvariate(8.6, 1.0)
    roll = rng.random()
    if risk is not None:
        diligence = 1 - _logistic(-2.6 + 0.9 * risk)
        wealth = wealth * math.exp(-0.5 * risk)
        roll = roll / math.exp(0.8 * risk - 0.32)
    blacklist = "active" if roll < 0.015 else ("lifted" if roll < 0.03 else None)
    return Profile(
        reliability=diligence,
        history_months=rng.choice([3, 6, 9, 12, 18, 24, 36, 48, 60, 72]),
        monthly_bills=rng.choice([1, 2, 2, 3, 4]),
        pays_rent=rng.random() < 0.4,
        balance_median=int(wealth),
        credit_limit=rng.choice([None, 2000, 5000, 10000, 20000, 50000]),
        # Drawn here, in the order it always was, so a person without a hidden risk stays as they were.
        utilisation=min(_utilisation(rng.betavariate(2, 3), diligence=diligence, risk=risk), 1.0),
        purchases_per_month=rng.choice([0.5, 2, 4, 8, 15]) * (1 if risk is None else math.exp(-0.3 * risk)),
        # Everyone is real-name verified (seed_demo gives them the identity); the draw that once
        # left 15% unverified stays, so every other trait of every person stays as it was.
        verified=rng.random() < 1.0,
        phone=rng.random() < (0.9 if risk is None else _logistic(2.2 - 0.6 * risk)),
        email=rng.random() < 0.6,
        education=rng.choice(
            ["", Education.SECONDARY, Education.BACHELOR, Education.BACHELOR, Education.MASTER]
        ),
        address_years=rng.choice([None, 0, 1, 2, 4, 6, 10]),
        contacts=round(rng.choice([0, 2, 4, 8, 15]) * (1 if risk is None else math.exp(-0.5 * risk))),
        blacklist=blacklist,
        risk=risk,
    )


# The named demo consumers of shared/api.md and the stories that give them their scores.
NAMED_PROFILES: dict[str, Profile | None] = {
    "alice": Profile(
        reliability=1,
        history_months=72,
        monthly_bills=3,
        pays_rent=True,
        balance_median=80000,
        credit_limit=50000,
        utilisation=0.1,
        purchases_per_month=20,
        verified=True,
        phone=True,
        email=True,
        education=Education.MASTER,
        address_years=8,
        contacts=25,
        never_late=True,
    ),
    "bob": Profile(
        reliability=0.93,
        history_months=24,
        monthly_bills=2,
        pays_rent=False,  # rent on time would lift him out of 650-699
        balance_median=6000,
        credit_limit=10000,
        utilisation=0.45,
        purchases_per_month=6,
        verified=True,
        phone=True,
        email=False,
        education=Education.BACHELOR,
        address_years=2,
        contacts=6,
    ),
    "carol": None,  # just opted in: no signals at all, so exactly 600
    "dave": Profile(
        reliability=0.7,
        history_months=36,
        monthly_bills=2,
        pays_rent=False,
        balance_median=800,
        credit_limit=5000,
        utilisation=0.9,
        purchases_per_month=3,
        verified=True,
        phone=True,
        email=False,
        education=Education.SECONDARY,
        address_years=1,
        contacts=3,
        blacklist="active",
    ),
}
