"""Forms of the consumer's perks pages: filtering perks, claiming one, sharing the score."""

import secrets

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .models import Category, Share

SHARE_DAYS_DEFAULT = 30
SHARE_DAYS_MAX = 365


class PerkFilterForm(forms.Form):
    """The perks page's filters, sent as a GET query so they work without JavaScript."""

    category = forms.ChoiceField(
        label=_("Category"),
        choices=[("", _("All categories")), *Category.choices],
        required=False,
    )
    eligible = forms.BooleanField(label=_("Only perks I can claim now"), required=False)

    def filters(self) -> tuple[str, bool]:
        """The category chosen ("" for all) and whether to show only eligible perks."""
        if not self.is_valid():
            return "", False
        return self.cleaned_data["category"], self.cleaned_data["eligible"]


class ClaimForm(forms.Form):
    """The confirmation's POST: the key drawn when the page was shown makes a double submit claim once."""

    idempotency_key = forms.CharField(
        widget=forms.HiddenInput,
        max_length=64,
        validators=[RegexValidator(r"^[A-Za-z0-9_-]{16,64}$", _("This form has expired; reload the page."))],
    )

    @staticmethod
    def new_key() -> str:
        return "web-" + secrets.token_urlsafe(24)


class ShareForm(forms.Form):
    show = forms.ChoiceField(
        label=_("What the link shows"),
        choices=[
            (Share.Show.BAND, _("My band only (for example “Very good”)")),
            (Share.Show.SCORE, _("My score and band")),
        ],
        initial=Share.Show.BAND,
        widget=forms.RadioSelect,
    )
    expires_in_days = forms.IntegerField(
        label=_("Link works for (days)"),
        min_value=1,
        max_value=SHARE_DAYS_MAX,
        initial=SHARE_DAYS_DEFAULT,
        help_text=_("From 1 to 365 days. You can revoke the link at any time."),
    )


class GoalForm(forms.Form):
    promotion = forms.IntegerField(label=_("Perk"), min_value=1)
