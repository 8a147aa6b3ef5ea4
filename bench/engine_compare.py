"""The vectorised engine against the exact one, person by person, on synthetic people.

    .venv/bin/python bench/engine_compare.py                 # 100,000 people, launch and fitted model
    .venv/bin/python bench/engine_compare.py --people 5000

For the launch model and a model fitted on the same kind of people (``scoring.fitting``), every
person is scored twice: by ``engine.score_chunk`` in chunks of 2,000 and by ``engine.compute_exact``
(the Decimal and Fraction reference). It counts the people whose score, sub-scores or reasons (code,
direction, points, params) differ, prints the first few, and the CPU each engine took a person.
The people are drawn to sit on and next to every bin bound (a count at the bound and one below, an
amount a cent either side), with thin files, empty files, and listings active, fading and old.
"""

import argparse
import datetime
import os
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

CHUNK = 2000


def people_draw(n: int, seed: int) -> tuple[list, list[int]]:
    """n synthetic people, and a 0/1 outcome each (a hidden risk drives both)."""
    import numpy as np

    from scoring.engine import DEFAULT_PARAMETERS, EDUCATION_LEVELS, BlacklistStatus, Features

    rng = np.random.default_rng(seed)
    bounds = {
        name: [int(bound) for bound, _points in entry["bins"]]
        for name, entry in DEFAULT_PARAMETERS["characteristics"].items()
    }

    def count(name: str, typical: float, r: float) -> int:
        # One person in five sits on a bound or just below it: where an off-by-one would show.
        if rng.random() < 0.2:
            bound = int(rng.choice(bounds[name]))
            return max(bound - int(rng.integers(0, 2)), 0)
        return int(rng.poisson(max(typical * np.exp(-0.4 * r), 0.05)))

    def money(name: str, r: float) -> Decimal | None:
        if rng.random() < 0.1:
            return None
        if rng.random() < 0.2:
            cents = max(int(rng.choice(bounds[name])) * 100 + int(rng.integers(-1, 2)), 0)
            return Decimal(cents).scaleb(-2)
        return Decimal(str(round(float(np.exp(8.5 - 0.8 * r + rng.normal(scale=1.0))), 2)))

    levels = sorted(EDUCATION_LEVELS)
    people, outcomes = [], []
    for r in rng.normal(size=n):
        empty = rng.random() < 0.03
        if empty:
            people.append(Features())
            outcomes.append(int(rng.random() < 0.1))
            continue
        listing = None
        if rng.random() < 0.03:
            lifted = [None, int(rng.integers(0, 60)), int(rng.integers(60, 120))][int(rng.integers(0, 3))]
            listing = BlacklistStatus(
                court="Shanghai No. 1 Intermediate People's Court",
                case_number="(2025) Hu 01 Zhi 123",
                listed_on=datetime.date(2024, 3, 1),
                months_since_lifted=lifted,
            )
        late = count("late_bills_12m", 0.4, -2 * r)
        people.append(
            Features(
                on_time_bills_24m=count("on_time_bills_24m", 14, r),
                late_bills_12m=late,
                late_bills_12m_by_kind=(("credit_card", late),) if late else (),
                late_bills_older=count("late_bills_older", 0.3, -2 * r),
                overdue_unpaid=count("overdue_unpaid", 0.1, -2 * r),
                history_months=count("history_months", 30, r),
                credit_utilisation_pct=None
                if rng.random() < 0.2
                else count("credit_utilisation_pct", 40, -r),
                avg_balance_3m=money("avg_balance_3m", r),
                rent_on_time_12m=count("rent_on_time_12m", 4, r),
                rent_late_12m=count("rent_late_12m", 0.2, -2 * r),
                credit_limit=money("credit_limit", r),
                purchases_12m=count("purchases_12m", 30, r),
                active_days_90d=min(count("active_days_90d", 20, r), 90),
                real_name_verified=bool(rng.random() < 0.7),
                education=levels[int(rng.integers(0, len(levels)))],
                address_years=None if rng.random() < 0.3 else count("address_years", 4, r),
                phone_verified=bool(rng.random() < 0.8),
                email_verified=bool(rng.random() < 0.5),
                confirmed_contacts=count("confirmed_contacts", 2, r),
                interactions_90d=count("interactions_90d", 5, r),
                blacklist=listing,
            )
        )
        outcomes.append(int(rng.random() < 1 / (1 + np.exp(-(-2.2 + 1.2 * r)))))
    return people, outcomes


def fitted_scorecard(people: list, outcomes: list[int]):
    """A model fitted on these people the way ``manage.py scoring_fit`` fits one."""
    import numpy as np

    from scoring.engine import DEFAULT_PARAMETERS, validate_parameters
    from scoring.fitting import fit_scorecard
    from scoring.fitting.portal import features_table, model_parameters, portal_characteristics, with_data

    n = len(people)
    split = np.array(["dev"] * (n * 3 // 5) + ["holdout"] * (n // 5) + ["oot"] * (n - n * 3 // 5 - n // 5))
    table = features_table(people)
    offered, _without_data = with_data(portal_characteristics(), table, np.flatnonzero(split == "dev"))
    fit = fit_scorecard(
        features=table,
        outcomes=np.array(outcomes),
        characteristics=offered,
        split=split,
        weights=DEFAULT_PARAMETERS["weights"],
    )
    return validate_parameters(model_parameters(fit.parameters))


def _shown(result) -> tuple:
    return (
        result.score,
        tuple(dimension.score for dimension in result.dimensions),
        tuple((reason.code, reason.direction, reason.points, reason.params) for reason in result.reasons),
    )


def compare(people: list, scorecard) -> dict:
    """People whose score, sub-scores or reasons differ between the two engines, and their CPU."""
    from scoring.engine import compute_exact, score_chunk

    began = time.process_time()
    vectorised: list[tuple] = []
    for start in range(0, len(people), CHUNK):
        chunk = score_chunk(people[start : start + CHUNK], scorecard)
        vectorised.extend(
            (int(chunk.scores[i]), tuple(chunk.sub_scores[i].tolist()), chunk.reasons(i))
            for i in range(len(chunk))
        )
    middle = time.process_time()
    exact = [_shown(compute_exact(person, scorecard)) for person in people]
    ended = time.process_time()
    differ = []
    for index, (score, subs, reasons) in enumerate(vectorised):
        mine = (score, subs, tuple((r.code, r.direction, r.points, r.params) for r in reasons))
        if mine != exact[index]:
            differ.append((index, mine, exact[index]))
    return {
        "people": len(people),
        "differ": differ,
        "reasons": sum(len(shown[2]) for shown in exact),
        "vectorised_us": (middle - began) / len(people) * 1e6,
        "exact_us": (ended - middle) / len(people) * 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=15)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from scoring.engine import DEFAULT_PARAMETERS, validate_parameters

    people, outcomes = people_draw(args.people, args.seed)
    models = {
        "launch": validate_parameters(DEFAULT_PARAMETERS),
        "fitted": fitted_scorecard(people[:20_000], outcomes[:20_000]),
    }
    for name, scorecard in models.items():
        result = compare(people, scorecard)
        print(
            f"{name}: {result['people']:,} people, {result['reasons']:,} reasons, "
            f"{len(result['differ'])} differ; CPU a person: vectorised {result['vectorised_us']:.1f} µs "
            f"(reasons' params included), exact {result['exact_us']:.1f} µs"
        )
        for index, mine, theirs in result["differ"][:5]:
            print(f"  person {index}: vectorised {mine}\n  {' ' * len(str(index))}        exact {theirs}")


if __name__ == "__main__":
    main()
