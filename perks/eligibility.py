"""Who may claim a promotion, and what they get: pure decisions over facts read elsewhere.

The perks page (``selectors.perks_for_person``) and the claim (``services.claim_create``)
both decide here, so the page never promises what the claim then refuses.
"""

import dataclasses
from decimal import Decimal
from typing import Any

from django.utils import translation
from django.utils.translation import gettext, ngettext

from scoring import engine

from . import conditions
from .models import BenefitType, Promotion


@dataclasses.dataclass(frozen=True)
class PersonFacts:
    """A person as eligibility sees them: consent, current score, blacklist, account and online facts."""

    opted_in: bool
    score: int | None
    blacklisted: bool
    facts: conditions.Facts
    account_age_days: int
    identity_verified: bool  # a verified real-name identity: one real person, one profile
    # The latest snapshot's reasons as stored (code, direction, points, params), when read.
    reasons: tuple[dict[str, Any], ...] = ()


@dataclasses.dataclass(frozen=True)
class Assessment:
    """Whether a person may claim a promotion, and if not, why.

    ``eligible`` is True also when counter checks remain (``at_counter`` then lists them in
    words and ``pending`` holds them as a tree). ``points_away`` is 0 when the score
    suffices and None for a person without a score.
    """

    eligible: bool
    points_away: int | None
    unmet: list[str]
    at_counter: list[str]
    pending: conditions.Tree
    benefit: str
    disclosure: str = ""
    # What holds the score below the threshold, in words: the engine's reasons that matter for it.
    score_reasons: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def effective_conditions(promotion: Promotion) -> conditions.Tree:
    """The promotion's condition tree, with its region list folded in as one more condition."""
    tree: conditions.Tree = promotion.conditions or {}
    if not promotion.regions:
        return tree
    region: conditions.Tree = {"attr": "region", "in": list(promotion.regions)}
    return {"all": [region, tree]} if tree else region


def assess(*, promotion: Promotion, person: PersonFacts) -> Assessment:
    """Decide a person's eligibility for a promotion (threshold inclusive, blacklist always on)."""
    if not person.opted_in or person.score is None:
        return Assessment(
            eligible=False,
            points_away=None,
            unmet=[gettext("Opt in to scoring")],
            at_counter=[],
            pending={},
            benefit=benefit_text(promotion=promotion, score=None),
        )
    unmet: list[str] = []
    if person.blacklisted:
        unmet.append(gettext("Not on the court blacklist"))
    unmet.extend(account_unmet(promotion=promotion, person=person))
    points_away = max(promotion.min_score - person.score, 0)
    if points_away:
        unmet.append(gettext("A score of %(min_score)s or more") % {"min_score": promotion.min_score})
    tree = effective_conditions(promotion)
    evaluation = conditions.evaluate(tree, person.facts)
    unmet.extend(evaluation.unmet)
    eligible = not unmet and evaluation.met is not False
    # What the counter checks comes from the tree's structure, not from this person's outcome
    # (conditions.counter_part): the merchant must not learn which online condition they met.
    checks = conditions.counter_part(tree)
    return Assessment(
        eligible=eligible,
        points_away=points_away,
        unmet=unmet,
        at_counter=conditions.evaluate(checks).at_counter if evaluation.met is not False else [],
        pending=checks if eligible else {},
        benefit=benefit_text(promotion=promotion, score=person.score),
        disclosure=disclosure_text(promotion=promotion, score=person.score) if eligible else "",
        score_reasons=score_reasons(reasons=person.reasons, points_away=points_away),
    )


def score_reasons(*, reasons: tuple[dict[str, Any], ...], points_away: int) -> list[dict[str, Any]]:
    """The reasons that keep a score ``points_away`` below a threshold, in the person's words."""
    return [
        {
            "code": reason["code"],
            "direction": reason["direction"],
            "points": reason["points"],
            "text": engine.reason_text(reason["code"], reason["direction"], reason.get("params", {})),
        }
        for reason in engine.reasons_for_gap(reasons, points_away)
    ]


def account_unmet(*, promotion: Promotion, person: PersonFacts) -> list[str]:
    """The requirements on the account itself that the person does not meet, in words.

    Every claim needs a verified real name (one real person, one profile); a promotion may also
    ask for an account of some age.
    """
    unmet = []
    if not person.identity_verified:
        unmet.append(gettext("Verify your real name"))
    days = promotion.min_account_age_days
    if days and person.account_age_days < days:
        unmet.append(
            ngettext("Your account must be %(days)d day old", "Your account must be %(days)d days old", days)
            % {"days": days}
        )
    return unmet


def score_bracket(*, promotion: Promotion, score: int) -> tuple[int, int | None]:
    """The bracket a claim places a score in: from the threshold or tier bound reached, up to
    just under the next tier (None: no upper end). It is all a merchant learns of a score."""
    bounds = sorted({promotion.min_score, *(tier["min_score"] for tier in promotion.tiers or [])})
    low = max((bound for bound in bounds if bound <= score), default=promotion.min_score)
    higher = [bound for bound in bounds if bound > low]
    return low, (higher[0] - 1 if higher else None)


def disclosure_text(*, promotion: Promotion, score: int) -> str:
    """What claiming tells this merchant about the person, in their words and language."""
    low, high = score_bracket(promotion=promotion, score=score)
    words = {"merchant": promotion.merchant.name, "low": low, "high": high}
    if high is None:
        text = (
            gettext("%(merchant)s will learn that your score is %(low)s or more, never the number.") % words
        )
    else:
        text = (
            gettext("%(merchant)s will learn that your score is from %(low)s to %(high)s, never the number.")
            % words
        )
    online = conditions.online_part(effective_conditions(promotion))
    if online:
        text += " " + gettext("It will also learn that you meet this: %(conditions)s.") % {
            "conditions": conditions.describe(online)
        }
    return text


def tier_for(*, tiers: list[dict[str, Any]], score: int | None) -> dict[str, Any] | None:
    """The highest benefit tier the score reaches, if any (tiers ascend by min_score)."""
    if score is None:
        return None
    reached = [tier for tier in tiers or [] if score >= tier["min_score"]]
    return reached[-1] if reached else None


def benefit_text(*, promotion: Promotion, score: int | None) -> str:
    """The benefit in words for a person with this score, in the active language."""
    tier = tier_for(tiers=promotion.tiers, score=score)
    if tier is not None:
        if translation.get_language() == "zh-hans" and tier.get("benefit_zh"):
            return str(tier["benefit_zh"])
        return str(tier["benefit"])
    return base_benefit_text(
        benefit_type=promotion.benefit_type, trial_days=promotion.trial_days, amount=promotion.amount
    )


def base_benefit_text(*, benefit_type: str, trial_days: int | None, amount: Decimal | None) -> str:
    """The benefit without tiers: "Free 3-day trial", "Deposit of ¥299.00 waived", ..."""
    money = f"¥{amount:,.2f}" if amount is not None else None
    if benefit_type == BenefitType.TRIAL:
        return gettext("Free %(days)s-day trial") % {"days": trial_days}
    if benefit_type == BenefitType.DEPOSIT_WAIVER:
        return (
            gettext("Deposit of %(amount)s waived") % {"amount": money}
            if money
            else gettext("Deposit waived")
        )
    if benefit_type == BenefitType.CREDIT_LINE:
        return gettext("Credit line up to %(amount)s") % {"amount": money}
    if benefit_type == BenefitType.PRIORITY:
        return gettext("Priority service")
    return gettext("Access")
