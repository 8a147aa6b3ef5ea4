"""Forms of the consumer's score pages: consent to scoring and the "what if" simulator."""

from collections.abc import Sequence
from typing import Any, TypedDict

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import CONSENT_VERSION

from .engine import Features, Levers
from .models import Bill, BlacklistEntry, DataSource, Education


class OptInForm(forms.Form):
    """Consent to be scored, tied to the version of the consent text the person read."""

    consent = forms.BooleanField(
        label=_("I have read how scoring works and I agree to be scored."),
        error_messages={
            "required": _("Tick the box to agree, or leave this page: nothing is scored without it.")
        },
    )
    consent_version = forms.CharField(widget=forms.HiddenInput, initial=CONSENT_VERSION)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        # A hidden field's error would be invisible, so a stale text is an error of the whole form.
        if cleaned.get("consent_version") != CONSENT_VERSION:
            raise forms.ValidationError(
                _("The consent text has changed since this page was opened. Please read it again."),
                code="stale_consent",
            )
        return cleaned


UTILISATION_CHOICES = [
    ("", _("As it is now")),
    # Labels end in "%" on purpose: "10% of" would read as a printf directive to gettext.
    ("0", _("Pay it all off: 0%")),
    ("10", _("Pay down to 10%")),
    ("30", _("Pay down to 30%")),
    ("50", _("Pay down to 50%")),
]

ON_TIME_MONTHS_CHOICES = [
    ("", _("Not counted")),
    ("3", _("3 more months")),
    ("6", _("6 more months")),
    ("12", _("12 more months")),
]

NEW_CONTACTS_CHOICES = [
    ("", _("None")),
    ("1", _("1 more contact")),
    ("5", _("5 more contacts")),
]


class WhatIfForm(forms.Form):
    """The actions a person can try on a copy of their data (engine.levers); each is labelled with
    what it really does, and options that cannot apply are disabled."""

    what_if = forms.CharField(widget=forms.HiddenInput, initial="1")
    pay_overdue = forms.BooleanField(
        label=_("Pay the overdue bills now"),
        required=False,
    )
    utilisation = forms.TypedChoiceField(
        label=_("Pay down my credit line"),
        choices=UTILISATION_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )
    on_time_months = forms.TypedChoiceField(
        label=_("Keep paying every bill on time for"),
        choices=ON_TIME_MONTHS_CHOICES,
        coerce=int,
        empty_value=0,  # type: ignore[arg-type]  # django-stubs types it str; Django takes any value
        required=False,
    )
    verify_identity = forms.BooleanField(
        label=_("Verify my real name, phone number and email address"),
        required=False,
    )
    confirm_contacts = forms.TypedChoiceField(
        label=_("Confirm people I know as contacts"),
        choices=NEW_CONTACTS_CHOICES,
        coerce=int,
        empty_value=0,  # type: ignore[arg-type]  # django-stubs types it str; Django takes any value
        required=False,
    )

    def __init__(self, *args: Any, features: Features, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.features = features
        pay = self.fields["pay_overdue"]
        if features.overdue_unpaid:
            pay.help_text = ngettext(
                "%(count)d bill is past due. Paid now it counts as paid late, not on time: "
                "it stops counting as unpaid.",
                "%(count)d bills are past due. Paid now they count as paid late, not on time: "
                "they stop counting as unpaid.",
                features.overdue_unpaid,
            ) % {"count": features.overdue_unpaid}
        else:
            pay.disabled = True
            pay.help_text = _("You have no bills past due.")
        self.fields["on_time_months"].help_text = _(
            "Your bills as they will count then: late ones age, new ones are paid by their due date. "
            "Everything else as it is today."
        )
        verify = self.fields["verify_identity"]
        if features.real_name_verified and features.phone_verified and features.email_verified:
            verify.disabled = True
            verify.help_text = _("Your real name, phone number and email address are already verified.")
        utilisation = self.fields["utilisation"]
        if features.credit_utilisation_pct is None:
            utilisation.disabled = True
            utilisation.help_text = _("You have no credit line on record.")
        else:
            utilisation.help_text = _("Now: %(percent)d%% of the limit used.") % {
                "percent": features.credit_utilisation_pct
            }

    def clean_utilisation(self) -> int | None:
        value = self.cleaned_data.get("utilisation")
        current = self.features.credit_utilisation_pct
        if value is not None and current is not None and value >= current:
            raise forms.ValidationError(
                _("You already use %(percent)d%% of the limit or less.") % {"percent": current},
                code="not_lower",
            )
        return value

    def levers(self) -> Levers:
        """The actions chosen, for the simulator (selectors.score_simulate)."""
        data = self.cleaned_data
        return Levers(
            pay_overdue=bool(data.get("pay_overdue")),
            utilisation_pct=data.get("utilisation"),
            on_time_months=data.get("on_time_months") or 0,
            verify_identity=bool(data.get("verify_identity")),
            confirm_contacts=data.get("confirm_contacts") or 0,
        )


OTHER_DATA = "other"
BILL_PREFIX = "bill-"


class DisputeFields(TypedDict):
    """The keyword arguments of services.dispute_create a DisputeForm gives."""

    blacklist_entry: BlacklistEntry | None
    bill: Bill | None
    signal: str
    reason: str


def dispute_key(record: BlacklistEntry | Bill) -> str:
    """How a dispute form names the record it is about: a listing's id, or "bill-<id>"."""
    return f"{BILL_PREFIX}{record.pk}" if isinstance(record, Bill) else str(record.pk)


class DisputeForm(forms.Form):
    """What a person disputes (one of their listings or bills, picked by "Dispute this" beside it,
    or other data they describe) and why."""

    subject = forms.CharField(widget=forms.HiddenInput, initial=OTHER_DATA)
    signal = forms.CharField(
        label=_("Which data is wrong?"),
        max_length=200,
        required=False,
        help_text=_("For example: the phone number on my profile is not mine."),
    )
    reason = forms.CharField(
        label=_("Why is it wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Tell us what happened. You can send documents when we contact you."),
        error_messages={"required": _("Say why the data is wrong.")},
    )

    def __init__(
        self, *args: Any, listings: Sequence[BlacklistEntry], bills: Sequence[Bill] = (), **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "dispute-other-%s")
        super().__init__(*args, **kwargs)
        records: list[BlacklistEntry | Bill] = [*listings, *bills]
        self.records: dict[str, BlacklistEntry | Bill] = {dispute_key(record): record for record in records}
        # Only free-text disputes describe the data; "Dispute this" names its record.
        posted = str(self.data.get("subject", "")) if self.is_bound else OTHER_DATA
        self.fields["signal"].required = posted == OTHER_DATA
        self.fields["signal"].error_messages["required"] = _("Say which data is wrong.")

    @property
    def subject_key(self) -> str:
        """The record this form is about, as posted: one of the person's, else "other" (so that
        the general form shows the error)."""
        posted = str(self.data.get("subject", "")) if self.is_bound else OTHER_DATA
        return posted if posted in self.records else OTHER_DATA

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        subject = cleaned.get("subject")
        if subject is not None and subject != OTHER_DATA and subject not in self.records:
            self.add_error(None, _("Choose the record you dispute with “Dispute this” beside it."))
        return cleaned

    def dispute(self) -> DisputeFields:
        """The keyword arguments of services.dispute_create."""
        data = self.cleaned_data
        record = self.records.get(data["subject"])
        return {
            "blacklist_entry": record if isinstance(record, BlacklistEntry) else None,
            "bill": record if isinstance(record, Bill) else None,
            "signal": data["signal"] if record is None else "",
            "reason": data["reason"],
        }


# --- The profile page's forms -----------------------------------------------------------------


class IdentityForm(forms.Form):
    """A legal name and resident ID number, checked by accounts.services.identity_submit."""

    legal_name = forms.CharField(
        label=_("Legal name"),
        max_length=100,
        help_text=_("As it is on your resident ID card."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    id_number = forms.CharField(
        label=_("Resident ID number"),
        max_length=40,
        help_text=_(
            "18 characters. We keep only a coded form of it and its last four characters, never the number."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false", "inputmode": "text"}),
    )


class DeclarationForm(forms.Form):
    education = forms.ChoiceField(label=_("Highest education"), choices=Education.choices, required=False)
    address = forms.CharField(label=_("Address"), max_length=200, required=False)
    address_since = forms.DateField(
        label=_("Living there since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class SourceSwitchForm(forms.Form):
    source = forms.ChoiceField(choices=DataSource.choices)
    enabled = forms.TypedChoiceField(choices=[("1", "on"), ("0", "off")], coerce=lambda value: value == "1")


class ContactDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("confirm", "confirm"), ("reject", "reject")])
