"""From a total of points to a score: 600 for "no data", a separate slope above and below, 350..950.

Points are whole numbers and the slopes exact fractions, so a score is exact arithmetic with one
rounding (half up) and the same bits on every machine, as in the engine.
"""

import math
from dataclasses import dataclass
from fractions import Fraction

from core.bands import SCORE_BASE, SCORE_MAX, SCORE_MIN


@dataclass(frozen=True)
class Scaling:
    """score = 600 + upside * total / max_total above 600, 600 - downside * total / min_total below.

    max_total (>= 0) and min_total (<= 0) are the best and worst totals the points tables allow, so
    the best possible profile scores 950, the worst 350 and the empty file 600 (min-max scaling on
    each side, like the engine's and optbinning's ``min_max``).
    """

    max_total: int
    min_total: int
    base: int = SCORE_BASE
    upside: int = SCORE_MAX - SCORE_BASE
    downside: int = SCORE_BASE - SCORE_MIN

    def __post_init__(self) -> None:
        if self.max_total < 0 or self.min_total > 0:
            raise ValueError(
                f"max_total must be >= 0 and min_total <= 0, got {self.max_total}, {self.min_total}"
            )

    def exact(self, total: int) -> Fraction:
        if total > 0:
            return self.base + Fraction(self.upside * total, self.max_total)
        if total < 0:
            return self.base - Fraction(self.downside * total, self.min_total)
        return Fraction(self.base)

    def score(self, total: int) -> int:
        """The score of a total of points: rounded half up once, then clamped to 350..950."""
        rounded = math.floor(self.exact(int(total)) + Fraction(1, 2))
        return min(max(rounded, SCORE_MIN), SCORE_MAX)

    def as_json(self) -> dict[str, int]:
        return {
            "base": self.base,
            "upside": self.upside,
            "downside": self.downside,
            "max_total": self.max_total,
            "min_total": self.min_total,
            "min_score": SCORE_MIN,
            "max_score": SCORE_MAX,
        }


def round_half_up(x: float) -> int:
    return math.floor(x + 0.5)
