"""System checks of ours, run by ``manage.py check`` (``--deploy`` for the production ones)."""

from django.conf import settings
from django.core.checks import Error, Tags, register

# Backends that keep messages on this machine (printed, in memory, on disk) or drop them: a
# password-reset link sent through one of them reaches the server log or nobody, never the person.
NON_DELIVERING_EMAIL_BACKENDS = frozenset(
    {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
        "django.core.mail.backends.filebased.EmailBackend",
        "django.core.mail.backends.dummy.EmailBackend",
    }
)


@register(Tags.security, deploy=True)
def email_backend_delivers(app_configs, **kwargs) -> list[Error]:
    """With debug off, email must leave the machine: reset links printed to a log are takeovers."""
    if settings.DEBUG or settings.EMAIL_BACKEND not in NON_DELIVERING_EMAIL_BACKENDS:
        return []
    return [
        Error(
            f"EMAIL_BACKEND is {settings.EMAIL_BACKEND} with debug off: password-reset links would "
            "land in the server's log or nowhere instead of the person's inbox.",
            hint="Set EMAIL_URL to a real mail server, e.g. smtp+tls://user:password@host:587.",
            id="portal.E001",
        )
    ]
