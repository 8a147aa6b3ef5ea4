from django import forms
from django.utils.translation import gettext_lazy as _


class SignUpForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    email = forms.EmailField(label=_("E-mail"))
    password = forms.CharField(label=_("Password"), widget=forms.PasswordInput, strip=False)


class MerchantApplicationForm(SignUpForm):
    merchant_name = forms.CharField(label=_("Business name"), max_length=120)
    description = forms.CharField(
        label=_("What you offer"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
        strip=False,
        help_text=_("To be sure it is you, enter the password you sign in with."),
    )
