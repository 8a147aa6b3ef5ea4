"""What the fitter is told about each characteristic, and the rule that protected attributes never enter."""

import re
from dataclasses import dataclass
from typing import Any

NUMERICAL = "numerical"
ORDINAL = "ordinal"
CATEGORICAL = "categorical"
KINDS: tuple[str, ...] = (NUMERICAL, ORDINAL, CATEGORICAL)

# Risk (the bad rate) rises, or falls, as the value grows: optbinning's monotonic_trend words.
ASCENDING = "ascending"
DESCENDING = "descending"
DIRECTIONS: tuple[str, ...] = (ASCENDING, DESCENDING)

# Name parts that mark an attribute a credit score must never use (fair-lending law and domain.md):
# age, sex or gender, marital status, nationality or foreign-worker status, ethnicity or race,
# religion. A flag can be forgotten, a name rarely lies, so both are checked.
PROTECTED_NAME_PARTS: frozenset[str] = frozenset(
    {
        "age",
        "sex",
        "gender",
        "marital",
        "married",
        "foreign",
        "nationality",
        "ethnicity",
        "ethnic",
        "race",
        "religion",
        "religious",
    }
)


class FitError(ValueError):
    """The fit cannot be done as asked; the message names the input and the reason."""


class ProtectedAttributeError(FitError):
    """A characteristic is, or is named as, an attribute the score must never use."""


@dataclass(frozen=True)
class Characteristic:
    """One column of the features table and how the fit may use it.

    ``direction`` is the business direction of risk with the value (required for numerical and
    ordinal characteristics, whose bins are pinned to it); nominal categories have no order to pin,
    so optbinning orders them by their observed bad rate and ``direction`` stays None.
    ``categories`` lists an ordinal's levels, lowest first. ``no_data_values`` are values that mean
    "we know nothing" (e.g. a count of 0 for a person who has just opted in): they fall, with
    missing values, in the "no data" bin worth exactly 0 points.
    """

    name: str
    dimension: str
    kind: str = NUMERICAL
    direction: str | None = None
    categories: tuple[str, ...] = ()
    no_data_values: tuple[Any, ...] = ()
    protected: bool = False

    def __post_init__(self) -> None:
        if not self.name:
            raise FitError("characteristic name: must not be empty")
        if self.kind not in KINDS:
            raise FitError(f"{self.name}.kind: must be one of {list(KINDS)}, got {self.kind!r}")
        if self.kind == CATEGORICAL:
            if self.direction is not None:
                raise FitError(
                    f"{self.name}.direction: a nominal categorical has no order to pin; "
                    "leave it None (or describe it as ordinal with its categories in order)"
                )
        elif self.direction not in DIRECTIONS:
            raise FitError(
                f"{self.name}.direction: must be one of {list(DIRECTIONS)}, got {self.direction!r}"
            )
        if self.kind == ORDINAL and len(self.categories) < 2:
            raise FitError(f"{self.name}.categories: an ordinal needs its levels in order (two or more)")
        if self.kind == ORDINAL and len(set(self.categories)) != len(self.categories):
            raise FitError(f"{self.name}.categories: levels must be distinct")
        if self.kind != ORDINAL and self.categories:
            raise FitError(f"{self.name}.categories: only an ordinal lists its levels")


def refuse_protected(characteristic: Characteristic) -> None:
    """Raise ProtectedAttributeError when the characteristic is flagged or named as a protected one."""
    if characteristic.protected:
        raise ProtectedAttributeError(f"{characteristic.name}: flagged protected; a score never uses it")
    parts = set(re.split(r"[^a-z]+", characteristic.name.lower()))
    found = sorted(parts & PROTECTED_NAME_PARTS)
    if found:
        raise ProtectedAttributeError(
            f"{characteristic.name}: named as a protected attribute ({', '.join(found)}); "
            "a score never uses it"
        )
    # The scores of a person's contacts would score people by whom they know.
    if parts & {"contact", "contacts"} and parts & {"score", "scores"}:
        raise ProtectedAttributeError(
            f"{characteristic.name}: the scores of a person's contacts; a score never uses them"
        )
