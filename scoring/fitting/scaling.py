"""From a total of points to a score: 600 for "no data", a separate slope above and below, 350..950.

The rule is the engine's (``scoring.engine.totals.TotalScaling``): the fitter scores its samples with
the very scaling the live score uses, so the report cannot describe a different score.
"""

import math

from scoring.engine.totals import TotalScaling as Scaling

__all__ = ["Scaling", "round_half_up"]


def round_half_up(x: float) -> int:
    """Round a raw (float) point value to whole points, half up, as the fit does once per bin."""
    return math.floor(x + 0.5)
