"""The WSGI application, warmed up before it serves.

Django imports the URLconf (so every view, serializer and DRF itself), the cache backend's
module (and Redis' client library) and loads the translation catalogues on first use: in a
fresh gunicorn worker that is a few hundred milliseconds under the GIL, during its first
requests, which all wait behind it. A worker does it here, while it boots, instead.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

application = get_wsgi_application()


def _warm_up() -> None:
    from django.conf import settings
    from django.urls import get_resolver
    from django.utils import translation
    from django.utils.module_loading import import_string

    get_resolver().url_patterns  # noqa: B018 - evaluated for its imports
    # The class only: Django makes a backend per thread, on the thread's first use of it.
    import_string(settings.CACHES["default"]["BACKEND"])
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            translation.gettext("Score")


_warm_up()
