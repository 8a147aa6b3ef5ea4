"""Score thresholds and tier bounds become multiples of 50, sub-score conditions multiples of 25.

A merchant may learn only which coarse bracket a claimant is in. Existing promotions are
brought into line by rounding UP, so nobody gets a perk (or a tier) its merchant did not
offer: a threshold of 640 becomes 650, a tier at 720 becomes 750. Tiers that land on the same
bound merge, keeping the one whose original bound was highest (the benefit its merchant gave
the most demanding bracket). In an ``any`` that mixes online conditions with counter checks,
an online membership tier becomes a counter check of the membership card, so the counter's
answer no longer depends on whether the person met it online.
"""

from typing import Any

import django.db.models.functions.math
import django.db.models.lookups
from django.db import migrations, models

SCORE_STEP = 50
DIMENSION_STEP = 25


def round_up(value: int, step: int) -> int:
    return -(-value // step) * step


def round_tiers(tiers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each bound rounded up to a multiple of 50; of tiers landing on one bound, the last kept."""
    by_bound: dict[int, dict[str, Any]] = {}
    for tier in sorted(tiers, key=lambda tier: tier["min_score"]):
        by_bound[round_up(tier["min_score"], SCORE_STEP)] = {
            **tier,
            "min_score": round_up(tier["min_score"], SCORE_STEP),
        }
    return [by_bound[bound] for bound in sorted(by_bound)]


def _has_counter(node: dict[str, Any]) -> bool:
    if "all" in node or "any" in node:
        return any(_has_counter(child) for child in next(iter(node.values())))
    return "counter" in node


def round_conditions(node: dict[str, Any], *, in_mixed_any: bool = False) -> dict[str, Any]:
    """Sub-score thresholds rounded up to a multiple of 25; see the module docstring for ``any``."""
    if not node:
        return node
    if "all" in node or "any" in node:
        kind = "all" if "all" in node else "any"
        mixed = kind == "any" and _has_counter(node)
        return {kind: [round_conditions(child, in_mixed_any=mixed) for child in node[kind]]}
    if node.get("attr") == "dimension":
        return {**node, "gte": min(round_up(node["gte"], DIMENSION_STEP), 100)}
    if node.get("attr") == "membership_tier" and in_mixed_any:
        return {"counter": "membership_tier", "in": list(node["in"])}
    return node


def round_promotions(apps, schema_editor):
    Promotion = apps.get_model("perks", "Promotion")
    for promotion in Promotion.objects.order_by("pk").iterator():
        min_score = round_up(promotion.min_score, SCORE_STEP)
        tiers = round_tiers(promotion.tiers or [])
        tree = round_conditions(promotion.conditions or {})
        if (min_score, tiers, tree) != (promotion.min_score, promotion.tiers, promotion.conditions):
            # update(), not save(): a migration writes only the fields it means to.
            Promotion.objects.filter(pk=promotion.pk).update(min_score=min_score, tiers=tiers, conditions=tree)


class Migration(migrations.Migration):
    dependencies = [
        ("perks", "0004_promotion_min_account_age_days"),
    ]

    operations = [
        migrations.RemoveConstraint(model_name="promotion", name="promotion_min_score_step_10"),
        migrations.RunPython(round_promotions, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="promotion",
            constraint=models.CheckConstraint(
                condition=django.db.models.lookups.Exact(
                    django.db.models.functions.math.Mod("min_score", 50), 0
                ),
                name="promotion_min_score_step_50",
            ),
        ),
    ]
