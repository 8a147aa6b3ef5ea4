from django import forms
from django.conf import settings
from django.contrib.auth import forms as auth_forms
from django.contrib.auth.password_validation import password_validators_help_text_html
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _

from core.models import NotificationSettings
from core.notifications import selectors as notification_selectors

from . import services
from .models import User


class SignUpForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(
        label=_("Password"),
        widget=forms.PasswordInput,
        strip=False,
        # The rules the password is checked against, read before the first try.
        help_text=lazy(password_validators_help_text_html, str)(),
    )


class MerchantApplicationForm(SignUpForm):
    merchant_name = forms.CharField(label=_("Business name"), max_length=120)
    description = forms.CharField(
        label=_("What you offer"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


# Django's password forms, saving through accounts.services.user_password_set so that a new
# password also revokes the login's API tokens. Their views always save (commit is never False).


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    def save(self, commit: bool = True) -> User:
        return services.user_password_set(user=self.user, password=self.cleaned_data["new_password1"])


class PasswordResetSetForm(auth_forms.SetPasswordForm):
    def save(self, commit: bool = True) -> User:
        return services.user_password_set(user=self.user, password=self.cleaned_data["new_password1"])


class AdminPasswordChangeForm(auth_forms.AdminPasswordChangeForm):
    def save(self, commit: bool = True) -> User:
        usable = self.cleaned_data["set_usable_password"]
        return services.user_password_set(
            user=self.user, password=self.cleaned_data["password1"] if usable else None
        )


class NotificationSettingsForm(forms.Form):
    """What a person is told, and how: a box per kind they may switch off (ticked: on)."""

    enabled_kinds = forms.MultipleChoiceField(
        label=_("Tell me when"),
        choices=[(kind.value, kind.label) for kind in notification_selectors.notification_kinds_switchable()],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    delivery = forms.ChoiceField(
        label=_("Email"), choices=NotificationSettings.Delivery.choices, widget=forms.RadioSelect
    )
    language = forms.ChoiceField(label=_("Language of emails"), choices=settings.LANGUAGES)

    @classmethod
    def for_settings(cls, chosen: NotificationSettings) -> "NotificationSettingsForm":
        switchable = [kind.value for kind in notification_selectors.notification_kinds_switchable()]
        return cls(
            initial={
                "enabled_kinds": [kind for kind in switchable if kind not in chosen.muted_kinds],
                "delivery": chosen.delivery,
                "language": chosen.language,
            }
        )

    def muted_kinds(self) -> list[str]:
        switchable = [kind.value for kind in notification_selectors.notification_kinds_switchable()]
        return [kind for kind in switchable if kind not in self.cleaned_data["enabled_kinds"]]
