import random
import time

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from accounts import demo as accounts_demo
from accounts.models import MembershipTier, Region, User
from core.models import NotificationSettings
from perks import demo as perks_demo
from scoring import demo as scoring_demo
from scoring import services as scoring_services
from scoring.models import ScoringModel
from scoring.selectors import months_before


class Command(BaseCommand):
    help = "Create the demo population, merchants, scores and perks (idempotent)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--people", type=int, default=3000, help="synthetic consumers person1..personN")
        parser.add_argument(
            "--history-months", type=int, default=12, help="months of monthly score snapshots"
        )

    def handle(self, *args: object, people: int, history_months: int, **options: object) -> None:
        started = time.monotonic()
        today = scoring_services.today()
        password_hash = accounts_demo.demo_password_hash()
        with transaction.atomic():
            accounts_demo.admin_ensure(password_hash=password_hash)
            merchants = accounts_demo.merchants_ensure(password_hash=password_hash)
            named = accounts_demo.users_ensure(
                usernames=list(accounts_demo.NAMED_CONSUMERS), password_hash=password_hash
            )
            accounts_demo.consumers_ensure(
                users=list(named.values()),
                regions={name: spec[0] for name, spec in accounts_demo.NAMED_CONSUMERS.items()},
                tiers={name: spec[1] for name, spec in accounts_demo.NAMED_CONSUMERS.items()},
                opted_in_at={
                    name: accounts_demo.opted_in_months_ago(spec[2])
                    for name, spec in accounts_demo.NAMED_CONSUMERS.items()
                },
            )
            synthetic_names = [f"person{number}" for number in range(1, people + 1)]
            synthetic = accounts_demo.users_ensure(usernames=synthetic_names, password_hash=password_hash)
            rngs = {name: random.Random(f"demo:{name}") for name in synthetic_names}
            accounts_demo.consumers_ensure(
                users=list(synthetic.values()),
                regions={name: rngs[name].choice(Region.values) for name in synthetic_names},
                tiers={
                    name: rngs[name].choices(MembershipTier.values, weights=[80, 15, 5])[0]
                    for name in synthetic_names
                },
                opted_in_at=dict.fromkeys(
                    synthetic_names,
                    accounts_demo.opted_in_months_ago(accounts_demo.SYNTHETIC_OPTED_IN_MONTHS),
                ),
            )
            written = self._signals(named=named, synthetic=synthetic, rngs=rngs, today=today)
            # Every demo consumer is real-name verified, but carol: she is the one who "just opted
            # in, no history" and scores exactly 600 (shared/api.md), which a verified identity would
            # raise; she shows the verification flow instead.
            verified = [user for name, user in named.items() if name != "carol"] + list(synthetic.values())
            accounts_demo.identities_ensure(users=verified)
            scoring_demo.identity_facts_ensure(people=verified)
        self.stdout.write(f"Signals written: {written}")
        model = ScoringModel.objects.get(is_active=True)
        history_dates = sorted(
            {months_before(today, months) for months in range(history_months, 0, -1)} - {today}
        )
        for as_of in history_dates:
            with transaction.atomic():
                rows = scoring_services.scores_compute(
                    id_range=(0, max(user.pk for user in User.objects.only("id"))), as_of=as_of, model=model
                )
                scoring_services.snapshots_write(rows=rows, as_of=as_of, model=model)
        # The run tells everyone whose score moved since last month's snapshot: the synthetic
        # thousands take the daily digest, or the embedded default would print an email each.
        NotificationSettings.objects.bulk_create(
            [
                NotificationSettings(person=user, delivery=NotificationSettings.Delivery.DIGEST)
                for user in synthetic.values()
            ],
            ignore_conflicts=True,
        )
        # Today's scores come from one finished nightly run, as in production: the admin then has
        # a run to show (planned once: seeding again finds it done and changes nothing).
        run = scoring_services.recompute_run_sync(as_of=today)
        self.stdout.write(f"Scores computed for {len(history_dates) + 1} dates (today's run: {run.status})")
        self._perks(merchants=merchants)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready in {time.monotonic() - started:.1f}s."))
        self.stdout.write(
            "Logins (password demo-pass-950): alice (score 750+), bob (650-699), carol (600, new, "
            "not yet real-name verified), "
            "dave (blacklisted), erin (not opted in); merchants ford, meitu, hellobike, huashan, library; "
            f"admin (Django admin at /admin/); person1..person{people}."
        )

    def _signals(self, *, named: dict, synthetic: dict, rngs: dict, today) -> int:
        people_with_signals = set(
            User.objects.filter(
                identity__isnull=False, pk__in=[u.pk for u in [*named.values(), *synthetic.values()]]
            ).values_list("pk", flat=True)
        )
        pool = list(synthetic.values())[:500] or list(named.values())
        signals = scoring_demo.Signals()
        for name, profile in scoring_demo.NAMED_PROFILES.items():
            person = named[name]
            if profile is not None and person.pk not in people_with_signals:
                signals.extend(
                    scoring_demo.signals_for(
                        person=person,
                        profile=profile,
                        today=today,
                        rng=random.Random(f"demo:{name}"),
                        contact_pool=pool,
                    )
                )
        for name, person in synthetic.items():
            if person.pk not in people_with_signals:
                rng = rngs[name]
                signals.extend(
                    scoring_demo.signals_for(
                        person=person,
                        profile=scoring_demo.synthetic_profile(rng, risk=scoring_demo.hidden_risk(name)),
                        today=today,
                        rng=rng,
                        contact_pool=pool,
                    )
                )
        return signals.save()

    def _perks(self, *, merchants: dict) -> None:
        """Promotions and claims arrive with the perks app's demo data."""
        promotions = perks_demo.promotions_ensure(merchants=merchants)
        claims = perks_demo.claims_ensure(promotions=promotions)
        self.stdout.write(f"Perks live: {len(promotions)}; demo claims added: {claims}")
