"""Settings for the portal: one module, driven by environment variables.

Unset variables give the embedded default a newcomer needs (SQLite, tasks in-process);
production sets DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY and DJANGO_ALLOWED_HOSTS.
See .env.example.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
if DEBUG:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="insecure-development-key-only-for-debugging")
else:
    SECRET_KEY = env.str("DJANGO_SECRET_KEY")
# The key of secrets stored encrypted (webhook secrets: core/encryption.py); unset, one is
# derived from SECRET_KEY. Set it in production so that rotating SECRET_KEY keeps them readable.
FIELD_ENCRYPTION_KEY = env.str("DJANGO_FIELD_ENCRYPTION_KEY", default="")
# The key of the HMAC that resident ID numbers are kept as (accounts/resident_ids.py). Required
# with debug off: derived from SECRET_KEY, rotating that would orphan every stored identity.
if DEBUG:
    IDENTITY_HASH_KEY = env.str("DJANGO_IDENTITY_HASH_KEY", default="")
else:
    IDENTITY_HASH_KEY = env.str("DJANGO_IDENTITY_HASH_KEY")
# The demo verifier confirms every checksum-valid number as soon as it is submitted, so a newcomer
# sees the whole flow on the embedded default. It never runs with debug off.
IDENTITY_DEMO_VERIFIER = DEBUG and env.bool("DJANGO_IDENTITY_DEMO_VERIFIER", default=True)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "django_celery_beat",
    "axes",
    "csp",
    "core",
    "portal",
    "accounts",
    "scoring",
    "perks",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but security: every answer to a signed-in request, error pages included, is
    # private and not stored.
    "core.middleware.PrivateResponseMiddleware",
    "csp.middleware.CSPMiddleware",
    # Outermost of the middleware that may touch the database: its process_exception turns an
    # unreachable database into a 503 (portal.urls.handler500 covers the middleware below it).
    "core.middleware.DatabaseUnavailableMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    # Before any view or form reads a field: a NUL or a lone surrogate is a 400 (core/text_input.py).
    "core.middleware.TextInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out sign-in into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"
ASGI_APPLICATION = "portal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "accounts.context_processors.roles",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default serves one developer; WAL and a busy timeout keep the
    # in-process tasks and the dev server from tripping over each other's locks.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Parameters bound by the server, so psycopg prepares a statement a connection runs often
    # (the token lookup, the score read, the claim's steps) and PostgreSQL plans it once: the
    # database's time for GET /api/v1/me/score/ went from 2.31 to 0.70 ms (bench/README.md).
    # Turn it off behind a pooler that cannot keep prepared statements (transaction pooling).
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": env.bool("DATABASE_SERVER_SIDE_BINDING", default=True)
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    # Refuses sign-ins from a locked-out username and address before any password is checked.
    "core.throttles.LoginLockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "accounts:after_login"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL:
    CACHES = {
        "default": {
            # Throttle counters and values derived from snapshots (keyed by what they derive
            # from). With Redis down each process uses its own memory (core/cache.py): no 500,
            # the limits still hold, and a derived value is still never stale.
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # The same Redis database as the broker's queues: a prefix keeps the keys apart.
            "KEY_PREFIX": "portal-cache",
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Email carries password-reset links, each one an account takeover if read by someone else, so
# with debug off the portal refuses to start until EMAIL_URL names a real server (e.g.
# smtp+tls://user:pass@host:587); `check --deploy` also refuses a console, memory, file or dummy
# backend (portal/checks.py). With debug on, messages are printed to the console.
if DEBUG:
    vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
else:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="portal@example.com")
# The address people reach the site at: links in notification emails (sent by workers, which
# have no request to take the host from) start with it.
PUBLIC_URL = env.str("DJANGO_PUBLIC_URL", default="http://127.0.0.1:8000")

# Proxies in front of the app that append to X-Forwarded-For (0: clients connect directly, and
# the header is ignored). core.throttles.client_ip is the only reader.
TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)


# Accounts younger than this many days share a per-address allowance of claims
# (DJANGO_THROTTLE_NEW_ACCOUNT_CLAIM).
NEW_ACCOUNT_DAYS = env.int("DJANGO_NEW_ACCOUNT_DAYS", default=30)


def _throttle_default(production: str) -> str:
    # The production rate, unless debugging: the embedded default and the test suite send
    # thousands of requests from 127.0.0.1 as a handful of users. Tests of the limits set
    # small rates themselves; tests/test_security.py checks the production values.
    return "100000/min" if DEBUG else production


REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # DRF's, with the login's profile and merchant read in the same query.
        "accounts.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    # The browsable API is a development aid (and breaks the content security policy): JSON only
    # in production.
    "DEFAULT_RENDERER_CLASSES": [
        # DRF's JSON byte for byte, written by orjson in a quarter of the time (core/renderers.py).
        "core.renderers.OrjsonRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    # JSON bodies bounded by DATA_UPLOAD_MAX_MEMORY_SIZE (413), as Django bounds forms. JSON
    # only, as the contract says: a form or multipart body is a 415, and the schema offers
    # JSON alone (a generated client then has one body type per operation).
    "DEFAULT_PARSER_CLASSES": ["core.parsers.BoundedJSONParser"],
    # The test client speaks the API's only language unless a test says otherwise.
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Each throttle acts only on its own kind of caller (core/throttles.py); views that name
    # their own throttle_classes (merchant verification) replace these.
    "DEFAULT_THROTTLE_CLASSES": [
        "core.throttles.AnonymousThrottle",
        "core.throttles.UserThrottle",
        "scoring.throttles.PartnerIngestThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("DJANGO_THROTTLE_ANON", default=_throttle_default("60/min")),
        "user": env.str("DJANGO_THROTTLE_USER", default=_throttle_default("300/min")),
        "perks_verify": env.str("DJANGO_THROTTLE_VERIFY", default=_throttle_default("60/min")),
        "partner_ingest": env.str("DJANGO_THROTTLE_PARTNER_INGEST", default=_throttle_default("120/min")),
        # Per client address, across usernames (core/throttles.py): spraying and scripted sign-ups.
        "sign_in": env.str("DJANGO_THROTTLE_SIGN_IN", default=_throttle_default("30/hour")),
        "sign_up": env.str("DJANGO_THROTTLE_SIGN_UP", default=_throttle_default("10/hour")),
        "password_reset": env.str("DJANGO_THROTTLE_PASSWORD_RESET", default=_throttle_default("10/hour")),
        "opt_in": env.str("DJANGO_THROTTLE_OPT_IN", default=_throttle_default("10/hour")),
        "identity_submit": env.str("DJANGO_THROTTLE_IDENTITY_SUBMIT", default=_throttle_default("10/hour")),
        "new_account_claim": env.str(
            "DJANGO_THROTTLE_NEW_ACCOUNT_CLAIM", default=_throttle_default("5/hour")
        ),
    },
    # DRF's own reading of X-Forwarded-For is unused: every throttle asks core.throttles.client_ip.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Credit lifestyle portal API",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.document_errors",
    ],
}
# The largest request body read into memory: a full batch of 1000 partner events is about
# 300 KB; anything above this limit is refused (413 from the API, 400 from a form).
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DJANGO_DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)

# Celery. Without a broker the embedded default runs tasks in-process, at once.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=600)
CELERY_TASK_SOFT_TIME_LIMIT = CELERY_TASK_TIME_LIMIT - 30
# A task still unacknowledged after the visibility timeout is handed out again, so it must
# stay well above the longest hard time limit (a test keeps these relations honest).
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
    # With Redis down, publishing fails fast and the outbox keeps the message (core/outbox.py).
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_BEAT_SCHEDULE = {
    "nightly-score-recompute": {
        "task": "scoring.recompute_nightly",
        "schedule": crontab(hour=2, minute=0),
    },
    "outbox-relay": {
        "task": "portal.outbox_relay",
        "schedule": timedelta(minutes=1),
    },
    "webhook-requeue": {
        "task": "perks.requeue_webhooks",
        "schedule": timedelta(minutes=5),
    },
    "recompute-sweeper": {
        "task": "scoring.recompute_sweep",
        "schedule": timedelta(minutes=10),
    },
    # People who chose one daily email get it in the morning, Beijing time.
    "notification-digest": {
        "task": "core.notification_digest",
        "schedule": crontab(hour=8, minute=0),
    },
    "perks-due-back": {
        "task": "perks.notify_due_back",
        "schedule": crontab(hour=9, minute=0),
    },
    "perks-expire-claims": {
        "task": "perks.expire_claims",
        "schedule": crontab(minute=15),
    },
}

SCORING_CHUNK_SIZE = env.int("SCORING_CHUNK_SIZE", default=2000)

# Sign-in lockout (django-axes): after AXES_FAILURE_LIMIT wrong passwords for one username from
# one address, that pair is refused for the cool-off, on the sign-in page, the admin and the
# token API alike. Keyed on the pair, so nobody can lock a stranger out from elsewhere.
AXES_FAILURE_LIMIT = env.int("DJANGO_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("DJANGO_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "core.throttles.lockout_response"
AXES_CLIENT_IP_CALLABLE = "core.throttles.client_ip"
# Its log lines name a pseudonym, not the username (erasure cannot reach log files).
AXES_CLIENT_STR_CALLABLE = "core.throttles.client_str"
AXES_SENSITIVE_PARAMETERS = ["password"]
AXES_VERBOSE = False  # logs lockouts, not every sign-in

# Content security policy (django-csp): only this site's own files, no inline script or style
# anywhere (tests/test_security.py reads every page for them), never framed.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    # Load balancers probe the health check over plain HTTP, from inside.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
# No script reads the CSRF token from the cookie: forms carry it in a hidden field.
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "structured": {"format": "%(asctime)s level=%(levelname)s logger=%(name)s %(message)s"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    # axes: lockouts are warnings; its info lines (one per sign-in) are noise.
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
