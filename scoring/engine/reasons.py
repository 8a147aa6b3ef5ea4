"""The reasons behind a score: which characteristics lower it and which raise it, ranked by
their one-factor effect on the final score (see the package docstring)."""

import operator
from bisect import insort
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any, NamedTuple, Protocol, cast

from .arithmetic import EXACT, Exact, Final, round_half_up
from .features import (
    BLACKLIST_ACTIVE,
    BLACKLIST_RECENT,
    LOWERS,
    RAISES,
    REASON_CODES,
    THIN_FILE,
    THIN_FILE_FEATURES,
    THIN_FILE_MONTHS,
    BlacklistStatus,
    Features,
)
from .outcome import Outcome, outcome_of
from .scorecard import Change, Scorecard

# US law caps the key factors shown with a score at four; we follow it.
MAX_LOWERING_REASONS = 4
MAX_RAISING_REASONS = 3


@dataclass(frozen=True)
class Reason:
    code: str  # a REASON_CODES entry
    direction: str  # LOWERS or RAISES
    points: int  # the one-factor effect on the final score, >= 0
    params: dict[str, int | str]  # the numbers for reason_text
    # While an active listing caps the score, the cap masks every other factor (most are worth
    # little or nothing under it): what this one would be worth once the listing is gone.
    points_without_listing: int | None = None


def reason_row(reason: Reason) -> dict[str, Any]:
    """A reason as a snapshot stores it (JSON); the points without a listing only under its cap."""
    row: dict[str, Any] = {
        "code": reason.code,
        "direction": reason.direction,
        "points": reason.points,
        "params": reason.params,
    }
    if reason.points_without_listing is not None:
        row["points_without_listing"] = reason.points_without_listing
    return row


class _Candidate(NamedTuple):
    code: str
    points: int
    exact: Exact  # the unrounded effect, to rank reasons whose rounded points tie
    rank: tuple[int, Exact, int]  # (-points, -exact, code order): the strongest reason first


_REASON_ORDER: Mapping[str, int] = {code: order for order, code in enumerate(REASON_CODES)}
_RANK = operator.attrgetter("rank")


def reasons_for_gap(reasons: Sequence[Mapping[str, Any]], points_needed: int) -> list[Mapping[str, Any]]:
    """The lowering reasons that matter for reaching a threshold ``points_needed`` above the score:
    an active listing always (nothing is reached while it stands), then the strongest reasons in
    their order until their points add up to the gap (all of them if they never do).

    Works on stored reasons (dicts with ``code``, ``direction`` and ``points``) as well as on
    ``Reason`` objects' fields, so a refused perk names the same reasons as the score page.
    """
    if points_needed <= 0:
        return []
    chosen: list[Mapping[str, Any]] = []
    covered = 0
    for reason in reasons:
        if reason["direction"] != LOWERS:
            continue
        if reason["code"] == BLACKLIST_ACTIVE:
            chosen.append(reason)
            continue
        if covered >= points_needed:
            break
        chosen.append(reason)
        covered += int(reason["points"])
    return chosen


def thin_file_members(features: Features, names: Iterable[str]) -> frozenset[str]:
    """The history characteristics one "little credit history yet" reason stands for: none unless
    the person's bills cover less than THIN_FILE_MONTHS (a file that is short, not a bad one)."""
    if features.history_months >= THIN_FILE_MONTHS:
        return frozenset()
    return frozenset(names) & frozenset(THIN_FILE_FEATURES)


def reasons(
    features: Features, scorecard: Scorecard, partials: Mapping[str, Decimal], outcome: Outcome
) -> tuple[Reason, ...]:
    blacklist = features.blacklist
    unlisted = outcome_of(partials, None, scorecard) if blacklist is not None else outcome
    pinned: list[_Candidate] = []
    lowering: list[_Candidate] = []
    # An active listing is always named first, even under parameters where it costs nothing:
    # people must be able to see that they are listed and dispute it. A fading one only when it
    # still costs something, ranked like any other reason.
    if blacklist is not None and (blacklist.is_active or outcome.adjusted < unlisted.adjusted):
        listing = _effect(
            BLACKLIST_ACTIVE if blacklist.is_active else BLACKLIST_RECENT, better=unlisted, worse=outcome
        )
        (pinned if blacklist.is_active else lowering).append(listing)
    if blacklist is not None and blacklist.is_active:
        # The cap masks the other factors: they are chosen and ranked by what they are worth
        # without the listing, and each also says what it is worth under the cap today.
        chosen, raising, changes = _ranked(
            features, scorecard, partials, unlisted, None, lowering, MAX_LOWERING_REASONS - len(pinned)
        )
        capped = {
            candidate.code: _effect_of(changes[candidate.code], outcome, scorecard, blacklist).points
            for candidate in (*chosen, *raising)
        }
        return _reasons_of(features, pinned + chosen, raising, capped=capped)
    chosen, raising, _ = _ranked(
        features, scorecard, partials, outcome, blacklist, lowering, MAX_LOWERING_REASONS - len(pinned)
    )
    return _reasons_of(features, pinned + chosen, raising)


def _ranked(
    features: Features,
    scorecard: Scorecard,
    partials: Mapping[str, Decimal],
    outcome: Outcome,
    blacklist: BlacklistStatus | None,
    known: list[_Candidate],
    limit: int,
) -> tuple[list[_Candidate], list[_Candidate], dict[str, tuple[Change, ...]]]:
    """The strongest lowering and raising reasons against ``outcome`` (besides an active listing),
    and the changes each stands for."""
    changes: dict[str, tuple[Change, ...]] = {}

    # A one-factor counterfactual moves only its own dimension's total, so each is derived
    # from the person's totals instead of summing every partial again. Only the strongest few
    # are shown, so each is first bounded and computed only if it could still be among them.
    def effect(change: Change) -> _Candidate:
        changes[change.characteristic.name] = (change,)
        return _effect_of((change,), outcome, scorecard, blacklist)

    # Every characteristic below its best bin can be a lowering reason (adverse-action practice:
    # no principal reason left out, "no data" included); a thin file's history characteristics
    # are named once, together, as what they are: little history yet.
    below = [
        scorecard.change(characteristic, partials[characteristic.name], lowering=True)
        for characteristic in scorecard.characteristics
        if partials[characteristic.name] < characteristic.best
    ]
    thin = thin_file_members(features, (change.characteristic.name for change in below))
    lowering = list(known)
    if thin:
        together = tuple(change for change in below if change.characteristic.name in thin)
        changes[THIN_FILE] = together
        lowering.append(
            _effect(
                THIN_FILE,
                better=_counterfactual(outcome, together, scorecard, blacklist),
                worse=outcome,
            )
        )
    chosen = _strongest(
        lowering,
        [change for change in below if change.characteristic.name not in thin],
        effect,
        limit=limit,
    )
    # Ranked last, a candidate worth nothing (a cap masking it) is never shown as a lowering reason.
    chosen = [candidate for candidate in chosen if candidate.exact > 0]
    named = _named(chosen, thin)
    raising = _strongest(
        [],
        [
            scorecard.change(characteristic, partials[characteristic.name], lowering=False)
            for characteristic in scorecard.characteristics
            if partials[characteristic.name] > 0 and characteristic.name not in named
        ],
        effect,
        MAX_RAISING_REASONS,
    )
    return chosen, raising, changes


def _effect_of(
    changes: tuple[Change, ...], outcome: Outcome, scorecard: Scorecard, blacklist: BlacklistStatus | None
) -> _Candidate:
    """The effect of replacing some characteristics' partials (a lowering reason's changes move
    them up to the best bin, a raising one's down to no data)."""
    moved = _counterfactual(outcome, changes, scorecard, blacklist)
    name = THIN_FILE if len(changes) > 1 else changes[0].characteristic.name
    if all(change.replacement > change.current for change in changes):
        return _effect(name, better=moved, worse=outcome)
    return _effect(name, better=outcome, worse=moved)


def _named(lowering: list[_Candidate], thin: frozenset[str]) -> frozenset[str]:
    """The characteristics a lowering reason already names: never shown as raising it too."""
    codes = {candidate.code for candidate in lowering}
    return frozenset(codes | (thin if THIN_FILE in codes else set()))


def _reasons_of(
    features: Features,
    lowering: list[_Candidate],
    raising: list[_Candidate],
    capped: Mapping[str, int] | None = None,
) -> tuple[Reason, ...]:
    """The reasons shown. Under an active listing's cap (``capped``: each candidate's points under
    it) the candidates were ranked by what they are worth without the listing, which each carries."""
    return tuple(
        Reason(
            code=candidate.code,
            direction=direction,
            points=candidate.points if capped is None else capped.get(candidate.code, candidate.points),
            params=_params(candidate.code, features),
            points_without_listing=(
                None if capped is None or candidate.code == BLACKLIST_ACTIVE else candidate.points
            ),
        )
        for direction, candidates in ((LOWERS, lowering), (RAISES, raising))
        for candidate in candidates
    )


def _strongest(
    known: list[_Candidate], changes: list[Change], effect: Callable[[Change], _Candidate], limit: int
) -> list[_Candidate]:
    """The ``limit`` best-ranked of the known candidates and the changes' effects, computing a
    change's effect only while it could still rank among them.

    Points grow with the exact effect (the same score stands on one side of every comparison),
    so a change whose bound is below the exact effect of the limit-th best so far can outrank it
    neither by points nor, on a tie, by the exact effect.
    """
    if limit <= 0:
        return []
    chosen = sorted(known, key=_RANK)
    for change in sorted(changes, key=lambda change: change.bound, reverse=True):
        if len(chosen) >= limit and chosen[limit - 1].exact > change.bound:
            break
        insort(chosen, effect(change), key=_RANK)
    return chosen[:limit]


def _counterfactual(
    outcome: Outcome,
    changes: tuple[Change, ...],
    scorecard: Scorecard,
    blacklist: BlacklistStatus | None,
) -> "Final":
    """The final score with some characteristics' partials replaced; only their dimensions move."""
    totals = dict(enumerate(outcome.totals))
    for change in changes:
        index = change.dimension_index
        totals[index] = EXACT.add(EXACT.subtract(totals[index], change.current), change.replacement)
    raw = outcome.raw
    for index in {change.dimension_index for change in changes}:
        moved = scorecard.dimension(index, totals[index])
        # The launch scorecard's contributions are Decimals (only a fitted model's are Fractions).
        raw = EXACT.add(
            EXACT.subtract(raw, cast(Decimal, outcome.dimensions[index].contribution)),
            cast(Decimal, moved.contribution),
        )
    return scorecard.final(raw, blacklist)


class Scored(Protocol):
    """Any outcome a reason compares: the launch scorecard's, a fitted model's, or a final score."""

    @property
    def adjusted(self) -> Exact: ...

    @property
    def score(self) -> int: ...


def _effect(code: str, *, better: Scored, worse: Scored) -> _Candidate:
    high, low = better.adjusted, worse.adjusted
    exact: Exact
    if isinstance(high, Decimal) and isinstance(low, Decimal):
        exact = high - low
    else:  # a fading listing's fraction, maybe against the unlisted decimal (Fraction(f) is f)
        exact = Fraction(high) - Fraction(low)
    points = better.score - worse.score
    return _Candidate(code=code, points=points, exact=exact, rank=(-points, -exact, _REASON_ORDER[code]))


def _params(code: str, features: Features) -> dict[str, int | str]:
    blacklist = features.blacklist
    if code == THIN_FILE:
        bills = features.on_time_bills_24m + features.late_bills_12m + features.late_bills_older
        return {"months": features.history_months, "bills": bills}
    if code in (BLACKLIST_ACTIVE, BLACKLIST_RECENT) and blacklist is not None:
        params: dict[str, int | str] = {
            "court": blacklist.court,
            "case_number": blacklist.case_number,
            "listed_on": blacklist.listed_on.isoformat(),
        }
        if blacklist.months_since_lifted is not None:
            params["months_since_lifted"] = blacklist.months_since_lifted
        return params
    value = getattr(features, code)
    if value is None:
        return {}  # no data: the text says so (texts.reason_text)
    if code == "late_bills_12m":
        kinds = sorted(
            ((kind, count) for kind, count in features.late_bills_12m_by_kind if count > 0),
            key=lambda pair: (-pair[1], pair[0]),
        )
        return {"count": value, "kinds": ", ".join(kind for kind, _ in kinds)}
    if code == "education":
        return {"level": value}
    if isinstance(value, bool):
        return {"verified": int(value)}
    if isinstance(value, Decimal):
        return {"amount": round_half_up(value)}
    return {_PARAM_NAMES.get(code, "count"): value}


_PARAM_NAMES: Mapping[str, str] = {
    "history_months": "months",
    "credit_utilisation_pct": "percent",
    "active_days_90d": "days",
    "address_years": "years",
}
