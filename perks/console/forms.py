"""Forms of the merchant console: they parse what staff type; the perks services judge it.

Each form checks types and shapes only. The rules (score range and step, dates, stock, the
condition tree, transitions) live in ``perks/services.py``, and ``add_service_errors`` puts the
services' messages next to the field they are about, so the console and the API say the same.
"""

import datetime
import json
import urllib.parse
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import MembershipTier, Region
from core.text_input import bad_text
from scoring.dimensions import DIMENSION_CHOICES

from .. import conditions, services
from ..models import BenefitType, Category, Claim, Promotion

SHANGHAI = ZoneInfo("Asia/Shanghai")
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"
SCORE_ATTRS = {"min": 350, "max": 950, "step": 50, "inputmode": "numeric"}

MATCH_CHOICES = [
    ("all", _("All of the conditions below")),
    ("any", _("Any one of the conditions below")),
]


class ShanghaiDateTimeField(forms.DateTimeField):
    """A ``datetime-local`` input read and shown as Shanghai wall time, whatever the active zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)
    input_formats = [DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]

    def to_python(self, value: Any) -> datetime.datetime | None:
        with timezone.override(SHANGHAI):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        with timezone.override(SHANGHAI):
            return super().prepare_value(value)


def _counter_field_name(name: str) -> str:
    return f"cond_counter_{name}"


def _ordered(values: list[str], choices: list[tuple[str, Any]]) -> list[str]:
    order = [value for value, _label in choices]
    return sorted(values, key=order.index)


class TierForm(forms.Form):
    min_score = forms.IntegerField(
        required=False, label=_("From score"), widget=forms.NumberInput(attrs=SCORE_ATTRS)
    )
    benefit = forms.CharField(required=False, max_length=200, label=_("Benefit (English)"))
    benefit_zh = forms.CharField(required=False, max_length=200, label=_("Benefit (Chinese)"))


TierFormSet = forms.formset_factory(
    TierForm, extra=2, max_num=services.MAX_TIERS, validate_max=True, absolute_max=services.MAX_TIERS
)


class PromotionForm(forms.Form):
    """A promotion: what people get, who qualifies (a condition builder or JSON), stock and timing."""

    title = forms.CharField(max_length=120, label=_("Title (English)"))
    title_zh = forms.CharField(max_length=120, required=False, label=_("Title (Chinese)"))
    description = forms.CharField(
        max_length=5000,
        required=False,
        label=_("Description (English)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_zh = forms.CharField(
        max_length=5000,
        required=False,
        label=_("Description (Chinese)"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    # No default: a promotion filed under the first category by accident ("Medical") shows to
    # people looking for something else.
    category = forms.ChoiceField(
        choices=[("", _("Choose a category")), *Category.choices], label=_("Category")
    )
    benefit_type = forms.ChoiceField(choices=BenefitType.choices, label=_("Benefit"))
    trial_days = forms.IntegerField(
        required=False,
        label=_("Trial days"),
        help_text=_("Free trials only: how many days the person keeps the item."),
        widget=forms.NumberInput(attrs={"min": 1, "max": services.MAX_TRIAL_DAYS, "inputmode": "numeric"}),
    )
    amount = forms.DecimalField(
        required=False,
        label=_("Amount (RMB)"),
        help_text=_("The deposit waived, the credit line, or a trial item's value, in yuan, such as 299.00."),
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0.01", "inputmode": "decimal"}),
    )
    min_score = forms.IntegerField(
        label=_("Minimum score"),
        help_text=_("From 350 to 950 in steps of 50; people with exactly this score qualify."),
        widget=forms.NumberInput(attrs=SCORE_ATTRS),
    )
    regions = forms.MultipleChoiceField(
        choices=Region.choices,
        required=False,
        label=_("Only in these regions"),
        help_text=_("Leave all unticked to offer it everywhere."),
        widget=forms.CheckboxSelectMultiple,
    )

    # The condition builder: the common cases, combined with AND (all) or OR (any).
    cond_match = forms.ChoiceField(
        choices=MATCH_CHOICES, initial="all", label=_("Combine"), widget=forms.RadioSelect
    )
    cond_tiers = forms.MultipleChoiceField(
        choices=MembershipTier.choices,
        required=False,
        label=_("Membership tier is one of"),
        widget=forms.CheckboxSelectMultiple,
    )
    cond_identity_verified = forms.BooleanField(required=False, label=_("Real-name identity verified"))
    min_account_age_days = forms.IntegerField(
        required=False,
        initial=0,
        label=_("Account at least this many days old"),
        help_text=_("Keeps freshly made accounts away from deposit-free perks. 0: any account."),
        widget=forms.NumberInput(
            attrs={"min": 0, "max": services.MAX_ACCOUNT_AGE_DAYS, "inputmode": "numeric"}
        ),
    )
    cond_dimension = forms.ChoiceField(
        choices=[("", _("No sub-score condition")), *DIMENSION_CHOICES],
        required=False,
        label=_("Sub-score"),
    )
    cond_dimension_gte = forms.IntegerField(
        required=False,
        label=_("At least (0 to 100, in steps of 25)"),
        widget=forms.NumberInput(attrs={"min": 0, "max": 100, "step": 25, "inputmode": "numeric"}),
    )
    conditions_json = forms.CharField(
        required=False,
        label=_("Advanced: the condition tree as JSON"),
        help_text=_(
            'For trees the builder cannot draw, such as {"all": [{"any": [...]}, ...]}. '
            "Used instead of the builder; leave the builder empty."
        ),
        widget=forms.Textarea(attrs={"rows": 5, "spellcheck": "false", "class": "console-code"}),
    )

    unlimited = forms.BooleanField(required=False, label=_("Unlimited"))
    quantity = forms.IntegerField(
        required=False,
        label=_("Quantity"),
        help_text=_("How many units there are to claim."),
        widget=forms.NumberInput(attrs={"min": 0, "inputmode": "numeric"}),
    )
    per_user_limit = forms.IntegerField(
        initial=1,
        label=_("Claims per person"),
        widget=forms.NumberInput(
            attrs={"min": 1, "max": services.MAX_PER_USER_LIMIT, "inputmode": "numeric"}
        ),
    )
    pickup_days = forms.IntegerField(
        initial=7,
        label=_("Days to pick up"),
        help_text=_("A claim not used within this many days expires and its unit returns to stock."),
        widget=forms.NumberInput(attrs={"min": 1, "max": services.MAX_PICKUP_DAYS, "inputmode": "numeric"}),
    )
    starts_at = ShanghaiDateTimeField(label=_("Starts"), help_text=_("China Standard Time (Asia/Shanghai)."))
    ends_at = ShanghaiDateTimeField(
        required=False,
        label=_("Ends"),
        help_text=_("China Standard Time (Asia/Shanghai). Leave empty to run until you end it."),
    )

    def __init__(self, *args: Any, tiers_initial: list[dict[str, Any]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, fact in conditions.COUNTER_FACTS.items():
            self.fields[_counter_field_name(name)] = forms.MultipleChoiceField(
                choices=list(fact.values.items()),
                required=False,
                label=capfirst(fact.label),
                help_text=_("Checked by your staff at the counter, not known online."),
                widget=forms.CheckboxSelectMultiple,
            )
        self.tiers = TierFormSet(self.data if self.is_bound else None, prefix="tiers", initial=tiers_initial)
        self.tier_errors: list[str] = []
        self.used_json = False

    @classmethod
    def initial_for(cls, promotion: Promotion | None) -> dict[str, Any]:
        """What the form shows: a new promotion's defaults, or an existing one's values."""
        if promotion is None:
            start = timezone.localtime(timezone.now(), SHANGHAI).replace(second=0, microsecond=0)
            return {
                "starts_at": start,
                "per_user_limit": 1,
                "pickup_days": 7,
                "min_account_age_days": 0,
                "cond_match": "all",
            }
        initial: dict[str, Any] = {field: getattr(promotion, field) for field in services.EDITABLE_FIELDS}
        initial.pop("conditions")
        initial.pop("tiers")
        initial["unlimited"] = promotion.quantity is None
        builder = builder_initial(promotion.conditions or {})
        if builder is None:
            initial["conditions_json"] = json.dumps(promotion.conditions, indent=2, ensure_ascii=False)
            initial["cond_match"] = "all"
        else:
            initial.update(builder)
        return initial

    def is_valid(self) -> bool:
        tiers_valid = self.tiers.is_valid()
        return super().is_valid() and tiers_valid

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if data.get("unlimited"):
            data["quantity"] = None
        elif data.get("quantity") is None and "quantity" not in self.errors:
            self.add_error("quantity", _("Enter how many there are, or tick Unlimited."))
        builder = self._builder_tree(data)
        raw_json = (data.get("conditions_json") or "").strip()
        if raw_json:
            self.used_json = True
            if builder:
                self.add_error(
                    "conditions_json", _("Use either the condition builder or the JSON, not both.")
                )
            try:
                data["conditions"] = json.loads(raw_json)
            except json.JSONDecodeError as exc:
                self.add_error(
                    "conditions_json",
                    _("This is not valid JSON (line %(line)s, column %(column)s: %(reason)s).")
                    % {"line": exc.lineno, "column": exc.colno, "reason": exc.msg},
                )
            except RecursionError:
                self.add_error("conditions_json", _("This JSON is nested too deeply."))
            else:
                # The form's text passed TextInputMiddleware, but a JSON escape (\u0000, \ud800)
                # only becomes a character here: the same check as the API's JSON parser.
                found = bad_text(data["conditions"])
                if found is not None:
                    data.pop("conditions")
                    self.add_error("conditions_json", found[1])
        else:
            data["conditions"] = builder
        return data

    def _builder_tree(self, data: dict[str, Any]) -> conditions.Tree:
        leaves: list[conditions.Tree] = []
        if data.get("cond_tiers"):
            leaves.append(
                {"attr": "membership_tier", "in": _ordered(data["cond_tiers"], MembershipTier.choices)}
            )
        if data.get("cond_identity_verified"):
            leaves.append({"attr": "identity_verified", "is": True})
        key, gte = data.get("cond_dimension"), data.get("cond_dimension_gte")
        if key and gte is None and "cond_dimension_gte" not in self.errors:
            self.add_error("cond_dimension_gte", _("Enter the sub-score the person needs, from 0 to 100."))
        elif gte is not None and not key:
            self.add_error("cond_dimension", _("Choose which sub-score."))
        elif key and gte is not None:
            if not 0 <= gte <= 100:
                self.add_error("cond_dimension_gte", _("Enter a sub-score from 0 to 100."))
            else:
                leaves.append({"attr": "dimension", "key": key, "gte": gte})
        for name, fact in conditions.COUNTER_FACTS.items():
            values = data.get(_counter_field_name(name))
            if values:
                leaves.append({"counter": name, "in": _ordered(values, list(fact.values.items()))})
        if not leaves:
            return {}
        if len(leaves) == 1:
            return leaves[0]
        return {data.get("cond_match") or "all": leaves}

    def tier_values(self) -> list[dict[str, Any]]:
        """The tier rows staff filled in, in order; blank rows are left out."""
        rows = []
        for form in self.tiers.forms:
            data = getattr(form, "cleaned_data", {}) or {}
            if data.get("min_score") is None and not data.get("benefit") and not data.get("benefit_zh"):
                continue
            row: dict[str, Any] = {"min_score": data.get("min_score"), "benefit": data.get("benefit") or ""}
            if data.get("benefit_zh"):
                row["benefit_zh"] = data["benefit_zh"]
            rows.append(row)
        return rows

    def service_values(self) -> dict[str, Any]:
        """The cleaned form as the promotion services take it (services.EDITABLE_FIELDS)."""
        values = {field: self.cleaned_data.get(field) for field in services.EDITABLE_FIELDS}
        values["tiers"] = self.tier_values()
        values["regions"] = _ordered(self.cleaned_data.get("regions") or [], Region.choices)
        for text in ("title_zh", "description", "description_zh"):
            values[text] = values[text] or ""
        if values["min_account_age_days"] is None:
            values["min_account_age_days"] = 0  # left empty: any account
        return values

    def add_service_errors(self, exc: ValidationError) -> None:
        """Show a service's refusal next to the fields it names (conditions and tiers included)."""
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for field, errors in exc.error_dict.items():
            messages = [message for error in errors for message in error.messages]
            if field == "tiers":
                self.tier_errors.extend(messages)
                continue
            if field == "conditions":
                target: str | None = "conditions_json" if self.used_json else "cond_match"
            else:
                target = field if field in self.fields else None
            self.add_error(target, messages)


def builder_initial(tree: conditions.Tree) -> dict[str, Any] | None:
    """The builder's fields for a condition tree, or None if the builder cannot show it (then
    the JSON field does): one level of all/any over at most one leaf of each kind."""
    if not tree:
        return {"cond_match": "all"}
    match = "any" if "any" in tree else "all"
    children = tree[match] if ("all" in tree or "any" in tree) else [tree]
    initial: dict[str, Any] = {"cond_match": match}
    for child in children:
        fields = _builder_fields(child)
        if fields is None or set(fields) & set(initial):
            return None
        initial.update(fields)
    return initial


def _builder_fields(node: conditions.Tree) -> dict[str, Any] | None:
    if "counter" in node:
        return {_counter_field_name(node["counter"]): list(node["in"])}
    attr = node.get("attr")
    if attr == "membership_tier":
        return {"cond_tiers": list(node["in"])}
    if attr == "identity_verified" and node.get("is") is True:
        return {"cond_identity_verified": True}
    if attr == "dimension":
        return {"cond_dimension": node["key"], "cond_dimension_gte": node["gte"]}
    # A nested group, "identity not verified", or a region inside the tree (the one region
    # picker is the promotion's own regions): the JSON field shows these.
    return None


# Life cycle ---------------------------------------------------------------------------------

ACTION_ORDER = ("activate", "resume", "pause", "end")


def _action_for(source: str, target: str) -> str:
    if target == Promotion.Status.ACTIVE:
        return "activate" if source == Promotion.Status.DRAFT else "resume"
    return "pause" if target == Promotion.Status.PAUSED else "end"


def actions_for(status: str) -> list[str]:
    """The status buttons to show: only the moves services.TRANSITIONS allows from here."""
    allowed = {_action_for(source, target) for source, target in services.TRANSITIONS if source == status}
    return [action for action in ACTION_ORDER if action in allowed]


class PromotionStatusForm(forms.Form):
    action = forms.ChoiceField(choices=[(action, action) for action in ACTION_ORDER])


# The counter --------------------------------------------------------------------------------


def code_from_scan(text: str) -> str:
    """A claim code from what was typed or scanned: the bare code, or a URL ending in it
    (its last path segment, or a ``code`` query parameter)."""
    text = text.strip()
    if "/" in text or "?" in text:
        parts = urllib.parse.urlsplit(text)
        query = urllib.parse.parse_qs(parts.query).get("code")
        segments = [segment for segment in parts.path.split("/") if segment]
        text = query[0] if query else (urllib.parse.unquote(segments[-1]) if segments else "")
    return services.normalise_code(text)


def counter_fact_names(tree: conditions.Tree) -> list[str]:
    """The counter facts a (pending) condition tree asks about, in the order they appear."""
    if not tree:
        return []
    if "all" in tree or "any" in tree:
        names: list[str] = []
        for child in next(iter(tree.values())):
            names.extend(name for name in counter_fact_names(child) if name not in names)
        return names
    return [tree["counter"]] if "counter" in tree else []


class VerifyForm(forms.Form):
    """A code (or a scanned QR's URL) and, when the perk asks, the facts staff check by eye."""

    code = forms.CharField(
        max_length=500,
        label=_("Claim code or scanned QR"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, fact in conditions.COUNTER_FACTS.items():
            self.fields[f"fact_{name}"] = forms.ChoiceField(
                choices=[("", _("Not checked yet")), *fact.values.items()],
                required=False,
                label=capfirst(fact.label),
            )

    def clean_code(self) -> str:
        code = code_from_scan(self.cleaned_data["code"])
        if not code:
            raise ValidationError(_("Enter the code the person shows, or scan their QR code."))
        return code

    def fact_fields(self) -> list[forms.BoundField]:
        return [self[f"fact_{name}"] for name in conditions.COUNTER_FACTS]

    def counter_facts(self) -> dict[str, str] | None:
        """The facts staff stated, or None if none (then open checks stay open)."""
        facts = {
            name: self.cleaned_data[f"fact_{name}"]
            for name in conditions.COUNTER_FACTS
            if self.cleaned_data.get(f"fact_{name}")
        }
        return facts or None


def marks_for(claim: Claim, *, today: datetime.date) -> list[str]:
    """What staff may record about a claim now (services.MARKS; overdue only after the due date)."""
    return [
        status
        for status, allowed_from in services.MARKS.items()
        if claim.status in allowed_from
        and (status != Claim.Status.OVERDUE or (claim.due_back is not None and today > claim.due_back))
    ]


class ClaimMarkForm(forms.Form):
    status = forms.ChoiceField(choices=[(status, status) for status in services.MARKS])


FILTER_FIRST_DAY = datetime.date(2000, 1, 1)
FILTER_LAST_DAY = datetime.date(2999, 12, 31)


class ClaimFilterForm(forms.Form):
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *Claim.Status.choices], required=False, label=_("Status")
    )
    date_from = forms.DateField(
        required=False, label=_("Claimed from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(required=False, label=_("to"), widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        # A day at the edge of the calendar (0001-01-01, 9999-12-31) overflows once turned into
        # the instants that bound it; no claim lies outside these years anyway.
        for field in ("date_from", "date_to"):
            day = data.get(field)
            if day is not None and not FILTER_FIRST_DAY <= day <= FILTER_LAST_DAY:
                self.add_error(
                    field,
                    _("Choose a day from %(first)s to %(last)s.")
                    % {"first": FILTER_FIRST_DAY.isoformat(), "last": FILTER_LAST_DAY.isoformat()},
                )
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", _("The last day must not be before the first."))
        return data

    def filters(self) -> dict[str, Any]:
        """The valid filters (an invalid one is ignored, and shown as an error)."""
        if not self.is_bound or not self.is_valid():
            data = getattr(self, "cleaned_data", {}) if self.is_bound else {}
        else:
            data = self.cleaned_data
        return {key: data.get(key) or None for key in ("status", "date_from", "date_to")}


# Webhooks -----------------------------------------------------------------------------------


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        max_length=500,
        label=_("Endpoint URL"),
        help_text=_("An HTTPS address of yours that accepts POST requests."),
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/hooks/credit-life"}),
    )
    description = forms.CharField(max_length=120, required=False, label=_("Description"))

    def add_service_errors(self, exc: ValidationError) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for field, errors in exc.error_dict.items():
            target = field if field in self.fields else None
            self.add_error(target, [message for error in errors for message in error.messages])
