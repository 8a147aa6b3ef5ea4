"""What every app's forms share: a service's refusal shown on the form that asked for it."""

from django import forms
from django.core.exceptions import ValidationError


def form_errors_add(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: at its field if the form has one, else on top."""
    if not hasattr(error, "error_dict"):
        # A refusal about no field in particular ("This account no longer exists."): on top,
        # rather than message_dict's AttributeError turning it into a server error.
        form.add_error(None, error.messages)
        return
    for field, messages in error.message_dict.items():
        for message in messages:
            form.add_error(field if field in form.fields else None, message)
