"""The score's range and bands (domain.md): the one place that knows the boundaries."""

from django.db import models
from django.utils.translation import gettext_lazy as _

SCORE_MIN = 350
SCORE_BASE = 600
SCORE_MAX = 950


class Band(models.TextChoices):
    POOR = "poor", _("Poor")
    FAIR = "fair", _("Fair")
    GOOD = "good", _("Good")
    VERY_GOOD = "very_good", _("Very good")
    EXCELLENT = "excellent", _("Excellent")

    @classmethod
    def for_score(cls, score: int) -> "Band":
        for band, lower in reversed(BAND_LOWER_BOUNDS):
            if score >= lower:
                return band
        raise ValueError(f"score {score} is below {SCORE_MIN}")


# Each band's lowest score, ascending; a band runs up to the next one's bound minus one.
BAND_LOWER_BOUNDS: tuple[tuple[Band, int], ...] = (
    (Band.POOR, 350),
    (Band.FAIR, 550),
    (Band.GOOD, 600),
    (Band.VERY_GOOD, 650),
    (Band.EXCELLENT, 700),
)
