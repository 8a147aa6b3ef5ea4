"""What every app's forms share: a service's refusal shown on the form that asked for it."""

from django import forms
from django.core.exceptions import ValidationError


def form_errors_add(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field if the form has one, else on top."""
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
