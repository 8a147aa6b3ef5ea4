"""core/forms.py: a service's refusal shown on the form that asked for it."""

from django import forms
from django.core.exceptions import ValidationError

from core.forms import form_errors_add


class TitleForm(forms.Form):
    title = forms.CharField()
    amount = forms.DecimalField(required=False)


def bound_form() -> TitleForm:
    form = TitleForm(data={"title": "Deposit-free bike"})
    assert form.is_valid()
    return form


def test_a_message_about_a_field_of_the_form_is_shown_at_that_field_in_order():
    form = bound_form()

    form_errors_add(form, ValidationError({"title": ["Too long.", "Already used."]}))

    assert form.errors == {"title": ["Too long.", "Already used."]}
    assert "title" not in form.cleaned_data


def test_a_message_about_a_field_the_form_lacks_is_shown_on_top():
    form = bound_form()

    form_errors_add(form, ValidationError({"tiers": ["Tiers must ascend."], "amount": ["Enter RMB."]}))

    assert form.errors == {"__all__": ["Tiers must ascend."], "amount": ["Enter RMB."]}
    assert form.non_field_errors() == ["Tiers must ascend."]


def test_a_message_without_a_field_is_shown_on_top():
    form = bound_form()

    form_errors_add(form, ValidationError("The promotion has ended."))

    assert form.errors == {"__all__": ["The promotion has ended."]}
