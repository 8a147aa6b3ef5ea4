"""Forms of the consumer's score pages: consent to scoring and the "what if" simulator."""

from typing import Any, TypedDict

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts.models import CONSENT_VERSION

from .engine import Features, Levers
from .models import BlacklistEntry, DataSource, Education


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


class DisputeFields(TypedDict):
    """The keyword arguments of services.dispute_create a DisputeForm gives."""

    blacklist_entry: BlacklistEntry | None
    signal: str
    reason: str


class DisputeForm(forms.Form):
    """What a person disputes (one of their listings, or other data) and why."""

    subject = forms.ChoiceField(label=_("What do you dispute?"))
    signal = forms.CharField(
        label=_("Which data is wrong?"),
        max_length=200,
        required=False,
        help_text=_(
            "Needed for data other than a listing, for example: "
            "the electricity bill due on 15 May was paid on time."
        ),
    )
    reason = forms.CharField(
        label=_("Why is it wrong?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Tell us what happened. You can send documents when we contact you."),
    )

    def __init__(self, *args: Any, listings: list[BlacklistEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.listings = {str(entry.pk): entry for entry in listings}
        subject = self.fields["subject"]
        assert isinstance(subject, forms.ChoiceField)
        subject.choices = [
            *(
                (
                    key,
                    _("The listing in case %(case_number)s") % {"case_number": entry.case_number},
                )
                for key, entry in self.listings.items()
            ),
            (OTHER_DATA, _("Other data we hold about me")),
        ]
        subject.initial = next(iter(self.listings), OTHER_DATA)

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("subject") == OTHER_DATA and not cleaned.get("signal", "").strip():
            self.add_error("signal", _("Say which data is wrong."))
        return cleaned

    def dispute(self) -> DisputeFields:
        """The keyword arguments of services.dispute_create."""
        data = self.cleaned_data
        return {
            "blacklist_entry": self.listings.get(data["subject"]),
            "signal": data["signal"],
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
