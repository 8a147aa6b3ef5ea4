"""A promotion's further conditions: a small, validated JSON tree and the one evaluator of it.

The tree
========
A node is a group or a leaf::

    {"all": [node, ...]}                                    every child holds
    {"any": [node, ...]}                                    at least one child holds
    {"attr": "membership_tier", "in": ["gold", "platinum"]}
    {"attr": "region", "in": ["zhejiang"]}
    {"attr": "identity_verified", "is": true}
    {"attr": "dimension", "key": "credit_history", "gte": 75}     a 0-100 sub-score, a multiple of 25
    {"counter": "ticket_class", "in": ["first"]}            checked by the merchant at the counter
    {"counter": "membership_tier", "in": ["platinum"]}      a membership card shown at the counter

The empty tree ``{}`` means "no further conditions". The score threshold and "not on the
court blacklist" are not part of the tree: every promotion has them, and eligibility
(``perks/eligibility.py``) applies them.

Three-valued logic
==================
An ``attr`` leaf is known online, from the person's own data. A ``counter`` leaf is unknown
(``None``) until the merchant states the fact at the counter. Groups combine as Kleene logic:
``all`` is False if a child is False, else unknown if a child is unknown, else True; ``any``
is True if a child is True, else unknown if a child is unknown, else False. So the station
lounge, ``{"any": [{"counter": "ticket_class", "in": ["first"]}, {"counter":
"membership_tier", "in": ["platinum"]}]}``, is unknown (eligible subject to the counter
check) for everyone until the counter says which ticket or card the person shows.

What the counter may learn
==========================
A merchant learns only that the person met the promotion's online conditions, never which
alternative they met. So an ``any`` may not mix online leaves with counter leaves: if it
could, the counter's "check needed" answer would tell the merchant whether the person met
the online alternative (five such groups spell out five sub-score brackets). With that
rule, what the counter checks follows from the tree's structure alone (``counter_part``):
every person with a claim on the promotion gets the same checks, whatever their data.
Sub-score thresholds are multiples of 25 (score thresholds multiples of 50, in the
promotion services), so meeting one tells a merchant only a coarse bracket.
"""

import dataclasses
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import MembershipTier, Region
from scoring.dimensions import DIMENSION_NAMES
from scoring.engine import DIMENSIONS

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

MAX_DEPTH = 5
MAX_NODES = 30
# A sub-score condition's threshold is a multiple of this: a merchant learns a coarse bracket.
DIMENSION_STEP = 25

Tree = dict[str, Any]


@dataclasses.dataclass(frozen=True)
class CounterFact:
    """A fact only the merchant can check at the counter, with its allowed values in words."""

    label: "StrPromise"  # lazy translations (gettext_lazy)
    values: Mapping[str, "StrPromise"]


# Facts the merchant checks at the counter. Adding one here is all a new kind needs.
COUNTER_FACTS: dict[str, CounterFact] = {
    "ticket_class": CounterFact(
        label=_("ticket class"),
        values={
            "first": _("First-class ticket (checked at the counter)"),
            "business": _("Business-class ticket (checked at the counter)"),
            "second": _("Second-class ticket (checked at the counter)"),
        },
    ),
    # The person's membership card, shown at the counter: the online tier (an ``attr``) may
    # not share an ``any`` with a counter fact, so "first class or platinum" asks both here.
    "membership_tier": CounterFact(
        label=_("membership tier"),
        values={
            "standard": _("Standard membership (checked at the counter)"),
            "gold": _("Gold membership (checked at the counter)"),
            "platinum": _("Platinum membership (checked at the counter)"),
        },
    ),
}

TIER_WORDS = {
    MembershipTier.STANDARD: _("Standard membership"),
    MembershipTier.GOLD: _("Gold membership"),
    MembershipTier.PLATINUM: _("Platinum membership"),
}
ATTRS = ("membership_tier", "region", "identity_verified", "dimension")
ATTR_VALUES: dict[str, tuple[str, ...]] = {
    "membership_tier": tuple(MembershipTier.values),
    "region": tuple(Region.values),
}


@dataclasses.dataclass(frozen=True)
class Facts:
    """What the portal knows about a person online; ``dimensions`` maps sub-score keys to 0-100."""

    membership_tier: str = MembershipTier.STANDARD
    region: str = Region.OTHER
    identity_verified: bool = False
    dimensions: Mapping[str, int] = dataclasses.field(default_factory=dict)


@dataclasses.dataclass(frozen=True)
class Evaluation:
    """The verdict on a tree: ``met`` is True, False or None (unknown until the counter checks).

    ``unmet`` lists in words what is not met (empty when met); ``at_counter`` lists in words
    what the counter still has to check; ``pending`` is the tree of those open checks
    (``{}`` when nothing is open).
    """

    met: bool | None
    unmet: list[str]
    at_counter: list[str]
    pending: Tree


# Validation -------------------------------------------------------------------------------


def validate_conditions(tree: object) -> Tree:
    """Return the tree if it is a valid condition tree, else raise ValidationError.

    Each message names where in the tree the problem is (``all[1].any[0]``) and why.
    """
    if tree is None or tree == {}:
        return {}
    counter = [0]
    _validate_node(tree, path="", depth=1, counter=counter)
    valid = cast(Tree, tree)  # _validate_node has checked its whole shape, or raised
    _refuse_mixed_any(valid, path="")
    return valid


def _leaf_kinds(node: Tree) -> set[str]:
    """Which kinds of leaf ("online", "counter") a validated node holds."""
    if "all" in node or "any" in node:
        return {kind for child in next(iter(node.values())) for kind in _leaf_kinds(child)}
    return {"counter"} if "counter" in node else {"online"}


def _refuse_mixed_any(node: Tree, *, path: str) -> None:
    if "all" not in node and "any" not in node:
        return
    kind = "all" if "all" in node else "any"
    if kind == "any" and _leaf_kinds(node) == {"online", "counter"}:
        raise _fail(
            path,
            gettext(
                "an 'any' may not mix online conditions with conditions checked at the counter: "
                "the counter's answer would tell you which online condition the person met. "
                "Put them in separate groups, or check both at the counter."
            ),
        )
    for index, child in enumerate(node[kind]):
        _refuse_mixed_any(child, path=f"{path}.{kind}[{index}]" if path else f"{kind}[{index}]")


def _fail(path: str, message: str) -> ValidationError:
    where = path or gettext("the root")
    return ValidationError(gettext("At %(where)s: %(message)s") % {"where": where, "message": message})


def _validate_node(node: object, *, path: str, depth: int, counter: list[int]) -> None:
    counter[0] += 1
    if counter[0] > MAX_NODES:
        raise _fail(path, gettext("a condition tree may have at most %(max)d nodes.") % {"max": MAX_NODES})
    if depth > MAX_DEPTH:
        raise _fail(
            path, gettext("a condition tree may be at most %(max)d levels deep.") % {"max": MAX_DEPTH}
        )
    if not isinstance(node, dict):
        raise _fail(path, gettext('expected an object such as {"all": [...]} or {"attr": ...}.'))
    kinds = [key for key in ("all", "any", "attr", "counter") if key in node]
    if len(kinds) != 1:
        raise _fail(path, gettext("a node needs exactly one of the keys all, any, attr or counter."))
    kind = kinds[0]
    if kind in ("all", "any"):
        _only_keys(node, {kind}, path=path)
        children = node[kind]
        if not isinstance(children, list):
            raise _fail(path, gettext("'%(kind)s' must be a list of conditions.") % {"kind": kind})
        if not children:
            raise _fail(path, gettext("'%(kind)s' must not be empty.") % {"kind": kind})
        for index, child in enumerate(children):
            child_path = f"{path}.{kind}[{index}]" if path else f"{kind}[{index}]"
            _validate_node(child, path=child_path, depth=depth + 1, counter=counter)
    elif kind == "attr":
        _validate_attr(node, path=path)
    else:
        _validate_counter(node, path=path)


def _only_keys(node: dict, allowed: set[str], *, path: str) -> None:
    extra = sorted(str(key) for key in node if key not in allowed)
    if extra:
        raise _fail(path, gettext("unknown key '%(key)s'.") % {"key": extra[0][:40]})


def _validate_in(node: dict, *, allowed: tuple[str, ...] | Mapping[str, object], path: str) -> None:
    values = node.get("in")
    if not isinstance(values, list) or not values:
        raise _fail(path, gettext("'in' must be a non-empty list of values."))
    for value in values:
        if not isinstance(value, str) or value not in allowed:
            raise _fail(
                path,
                gettext("unknown value %(value)s; use one of: %(allowed)s.")
                % {"value": _show(value), "allowed": ", ".join(allowed)},
            )
    if len(set(values)) != len(values):
        raise _fail(path, gettext("'in' lists a value twice."))


def _validate_attr(node: dict, *, path: str) -> None:
    attr = node["attr"]
    if not isinstance(attr, str) or attr not in ATTRS:
        raise _fail(
            path,
            gettext("unknown attribute %(attr)s; use one of: %(allowed)s.")
            % {"attr": _show(attr), "allowed": ", ".join(ATTRS)},
        )
    if attr in ATTR_VALUES:
        _only_keys(node, {"attr", "in"}, path=path)
        _validate_in(node, allowed=ATTR_VALUES[attr], path=path)
    elif attr == "identity_verified":
        _only_keys(node, {"attr", "is"}, path=path)
        if not isinstance(node.get("is"), bool):
            raise _fail(path, gettext("'is' must be true or false."))
    else:
        _only_keys(node, {"attr", "key", "gte"}, path=path)
        key = node.get("key")
        if not isinstance(key, str) or key not in DIMENSIONS:
            raise _fail(
                path,
                gettext("unknown dimension %(key)s; use one of: %(allowed)s.")
                % {"key": _show(key), "allowed": ", ".join(DIMENSIONS)},
            )
        gte = node.get("gte")
        if isinstance(gte, bool) or not isinstance(gte, int) or not 0 <= gte <= 100:
            raise _fail(path, gettext("'gte' must be a whole number from 0 to 100."))
        if gte % DIMENSION_STEP:
            raise _fail(
                path,
                gettext(
                    "'gte' must be a multiple of 25 (0, 25, 50, 75 or 100): a merchant may learn only "
                    "a coarse bracket of a sub-score."
                ),
            )


def _validate_counter(node: dict, *, path: str) -> None:
    name = node["counter"]
    if not isinstance(name, str) or name not in COUNTER_FACTS:
        raise _fail(
            path,
            gettext("unknown counter fact %(name)s; use one of: %(allowed)s.")
            % {"name": _show(name), "allowed": ", ".join(COUNTER_FACTS)},
        )
    _only_keys(node, {"counter", "in"}, path=path)
    _validate_in(node, allowed=COUNTER_FACTS[name].values, path=path)


def _show(value: object) -> str:
    # Echo what was sent, but never a whole megabyte of it.
    text = repr(value) if not isinstance(value, str) else f"'{value}'"
    return text if len(text) <= 40 else text[:37] + "..."


def validate_counter_facts(counter_facts: object) -> dict[str, str]:
    """Return the counter facts a merchant states (``{"ticket_class": "first"}``) or raise."""
    if counter_facts is None:
        return {}
    if not isinstance(counter_facts, dict):
        raise ValidationError(gettext('Expected an object such as {"ticket_class": "first"}.'))
    for name, value in counter_facts.items():
        fact = COUNTER_FACTS.get(name)
        if fact is None:
            raise ValidationError(gettext("Unknown counter fact %(name)s.") % {"name": _show(name)})
        if not isinstance(value, str) or value not in fact.values:
            raise ValidationError(
                gettext("Unknown %(label)s %(value)s; use one of: %(allowed)s.")
                % {"label": fact.label, "value": _show(value), "allowed": ", ".join(fact.values)}
            )
    return dict(counter_facts)


# Words ------------------------------------------------------------------------------------


def describe(node: Tree) -> str:
    """A node in the person's words, in the active language ("Platinum membership")."""
    if "all" in node or "any" in node:
        kind = "all" if "all" in node else "any"
        joiner = gettext(" and ") if kind == "all" else gettext(" or ")
        parts = [_describe_child(child) for child in node[kind]]
        return joiner.join(parts)
    if "counter" in node:
        values = COUNTER_FACTS[node["counter"]].values
        return gettext(" or ").join(str(values[value]) for value in node["in"])
    attr = node["attr"]
    if attr == "membership_tier":
        return gettext(" or ").join(str(TIER_WORDS[MembershipTier(value)]) for value in node["in"])
    if attr == "region":
        names = ", ".join(str(Region(value).label) for value in node["in"])
        return gettext("Living in %(regions)s") % {"regions": names}
    if attr == "identity_verified":
        return (
            gettext("Verified real-name identity")
            if node["is"]
            else gettext("No verified real-name identity")
        )
    return gettext("%(dimension)s of at least %(gte)s out of 100") % {
        "dimension": DIMENSION_NAMES[node["key"]],
        "gte": node["gte"],
    }


def _describe_child(node: Tree) -> str:
    text = describe(node)
    return f"({text})" if ("all" in node or "any" in node) and len(next(iter(node.values()))) > 1 else text


# Evaluation -------------------------------------------------------------------------------


def evaluate(
    tree: Tree, facts: Facts | None = None, counter_facts: Mapping[str, str] | None = None
) -> Evaluation:
    """Evaluate a validated tree for a person: online (no counter facts) or at the counter.

    ``facts`` may be None when the tree holds only counter leaves (a claim's pending checks).
    """
    if not tree:
        return Evaluation(met=True, unmet=[], at_counter=[], pending={})
    return _evaluate(tree, facts or Facts(), counter_facts)


def _evaluate(node: Tree, facts: Facts, counter_facts: Mapping[str, str] | None) -> Evaluation:
    if "all" in node or "any" in node:
        return _evaluate_group(node, facts, counter_facts)
    met = _leaf_value(node, facts, counter_facts)
    if met is True:
        return Evaluation(met=True, unmet=[], at_counter=[], pending={})
    if met is False:
        return Evaluation(met=False, unmet=[describe(node)], at_counter=[], pending={})
    return Evaluation(met=None, unmet=[], at_counter=[describe(node)], pending=node)


def _evaluate_group(node: Tree, facts: Facts, counter_facts: Mapping[str, str] | None) -> Evaluation:
    kind = "all" if "all" in node else "any"
    results = [_evaluate(child, facts, counter_facts) for child in node[kind]]
    values = [result.met for result in results]
    open_results = [result for result in results if result.met is None]
    at_counter = [text for result in open_results for text in result.at_counter]
    pending_children = [result.pending for result in open_results]
    pending = pending_children[0] if len(pending_children) == 1 else {kind: pending_children}
    if kind == "all":
        if False in values:
            unmet = [text for result in results if result.met is False for text in result.unmet]
            return Evaluation(met=False, unmet=unmet, at_counter=[], pending={})
        if None in values:
            return Evaluation(met=None, unmet=[], at_counter=at_counter, pending=pending)
        return Evaluation(met=True, unmet=[], at_counter=[], pending={})
    if True in values:
        return Evaluation(met=True, unmet=[], at_counter=[], pending={})
    if None in values:
        return Evaluation(met=None, unmet=[], at_counter=at_counter, pending=pending)
    # Nothing of an "any" holds: name the alternatives together, as one unmet condition.
    return Evaluation(met=False, unmet=[describe(node)], at_counter=[], pending={})


def _leaf_value(node: Tree, facts: Facts, counter_facts: Mapping[str, str] | None) -> bool | None:
    if "counter" in node:
        if counter_facts is None or node["counter"] not in counter_facts:
            return None
        return counter_facts[node["counter"]] in node["in"]
    return ATTR_TESTS[node["attr"]](node, facts)


def _dimension_met(node: Tree, facts: Facts) -> bool:
    value = facts.dimensions.get(node["key"])
    return value is not None and value >= node["gte"]


ATTR_TESTS: dict[str, Callable[[Tree, Facts], bool]] = {
    "membership_tier": lambda node, facts: facts.membership_tier in node["in"],
    "region": lambda node, facts: facts.region in node["in"],
    "identity_verified": lambda node, facts: facts.identity_verified is node["is"],
    "dimension": _dimension_met,
}


def online_part(tree: Tree) -> Tree:
    """The conditions a tree asks online, its counter leaves dropped: what a claim tells its merchant."""
    return _part(tree, keep="attr")


def counter_part(tree: Tree) -> Tree:
    """The checks the counter makes for a tree: its counter leaves, online leaves dropped.

    Derived from the structure alone, never from a person's outcomes, so every claimant gets
    the same checks. (Validation keeps online and counter leaves out of a shared ``any``; in
    a tree stored before that rule, the counter checks its counter leaves whatever the
    online outcome, which may refuse but never discloses.)
    """
    return _part(tree, keep="counter")


def _part(tree: Tree, *, keep: str) -> Tree:
    if not tree:
        return {}
    if "all" not in tree and "any" not in tree:
        return tree if keep in tree else {}
    kind = "all" if "all" in tree else "any"
    parts = [part for part in (_part(child, keep=keep) for child in tree[kind]) if part]
    if not parts:
        return {}
    return parts[0] if len(parts) == 1 else {kind: parts}


def uses_dimensions(tree: Tree) -> bool:
    """Whether evaluating the tree needs the person's sub-scores (saves a query when not)."""
    if not tree:
        return False
    if "all" in tree or "any" in tree:
        return any(uses_dimensions(child) for child in next(iter(tree.values())))
    return tree.get("attr") == "dimension"
