"""Mend's one settings module: every difference between environments is an environment variable.

See the README's "Configuration" section for the full list.
"""

import os
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import environ
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django_guid.integrations import CeleryIntegration

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # embedded defaults (SQLite file, filesystem broker) live here
VAR_DIR.mkdir(exist_ok=True)

env = environ.Env()

# Core --------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "recovery.admin_config.MendAdminConfig",  # Django's admin, on a site that asks for two-factor sign-in
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",  # runserver too serves static files through WhiteNoise
    "django.contrib.staticfiles",
    "django.contrib.humanize",  # intcomma on the dashboard
    "django_guid",
    "django_htmx",
    "template_partials",
    "csp",
    "corsheaders",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",  # authenticator apps (TOTP)
    "django_otp.plugins.otp_static",  # recovery codes
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "anymail",  # the providers' inbound email webhooks (cases/conversation/inbound)
    "cases",
    "feedback",
    "recovery.sign_in",
    "recovery.languages",
]
# Benchmarks only: a bare DRF endpoint to measure Mend against (see bench/README.md).
BENCH_CEILING = env.bool("MEND_BENCH_CEILING", default=False)
if BENCH_CEILING:
    INSTALLED_APPS.append("bench.ceiling")

MIDDLEWARE = [
    "django_guid.middleware.guid_middleware",  # first: every later log line carries the request id
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything that answers: it answers the widget endpoint's preflights (feedback/widget/cors.py).
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The language from the set_language cookie, else Accept-Language (the API's error messages too).
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",  # request.user.is_verified(): signed in with a second factor
    # The agent's stored language and time zone, over the browser's (recovery/languages).
    "recovery.languages.middleware.AgentLanguageMiddleware",
    "recovery.web.SignInRequiredMiddleware",
    "recovery.two_factor.middleware.TwoFactorRequiredMiddleware",
    # After the sign-in check: a NUL or lone surrogate in any query parameter or form field is a 400.
    "recovery.parsing.ReadableInputMiddleware",
    "recovery.web.NoStoreMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Late, so its lockout answer (429) replaces whatever the login view rendered.
    "axes.middleware.AxesMiddleware",
    # Refuses a sign-in from an address that must wait before the login view runs (recovery/sign_in).
    "recovery.sign_in.middleware.SprayingSlowdownMiddleware",
]

ROOT_URLCONF = "recovery.urls"
WSGI_APPLICATION = "recovery.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "recovery.web.workspace",
                "cases.views.frame.counts",
            ],
        },
    },
    {
        # Plain-text emails (templates/notifications/*.txt): no HTML escaping, or "O'Brien & Sons" would
        # reach the customer as "O&#x27;Brien &amp; Sons". Used by name only (cases.outbox.render_email).
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "OPTIONS": {"autoescape": False},
    },
]

# Database ----------------------------------------------------------------
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'mend.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's backend, with a health check that looks at the socket before it asks `SELECT 1`.
    DATABASES["default"]["ENGINE"] = "recovery.db.postgresql"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run` has the web server, the worker's processes and beat writing one file. Writers queue
    # for its lock (up to 20 s) from the start of their transaction, rather than failing with
    # "database is locked" when a transaction that began by reading tries to write; WAL lets
    # readers carry on meanwhile.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        transaction_mode="IMMEDIATE", timeout=20, init_command="PRAGMA journal_mode=WAL;"
    )
if DATABASES["default"]["ENGINE"] == "recovery.db.postgresql":
    # Requests and tasks are short. Starting parallel workers for a plan costs more than they save on a
    # busy 2-core machine (the `q` search's union ran several times slower parallel). JIT compiling a
    # plan costs more than the statement whenever its estimate passes `jit_above_cost`, as a search's
    # index scans of uncertain size often do. Figures: docs/performance.md.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "options",
        f"-c max_parallel_workers_per_gather={env.int('PG_MAX_PARALLEL_WORKERS_PER_GATHER', default=0)}"
        f" -c jit={'on' if env.bool('PG_JIT', default=False) else 'off'}",
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Axes refuses a locked-out login before any password is hashed; then one backend authenticates and
# answers every permission question from the roles (recovery/roles.py: ROLE_PERMISSIONS).
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "recovery.roles.RolePermissionBackend"]
LOGIN_URL = "/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/login/"

# Two-factor sign-in (recovery/two_factor) ----------------------------------
# Anyone may turn on an authenticator app (TOTP) with recovery codes; MEND_REQUIRE_2FA makes it
# mandatory: "managers" (and superusers), "all" (every person who signs in to a page), or "off".
# Managers by default: they approve money and erase customers. Off under DEBUG, so `make run` signs in
# with the demo passwords alone. The admin asks it of all staff whenever the setting is not "off".
MEND_REQUIRE_2FA = env.str("MEND_REQUIRE_2FA", default="off" if DEBUG else "managers")
if MEND_REQUIRE_2FA not in ("managers", "all", "off"):
    raise ImproperlyConfigured("MEND_REQUIRE_2FA is 'managers', 'all' or 'off'.")
OTP_TOTP_ISSUER = env.str("MEND_2FA_ISSUER", default="Mend")  # the account's name in the authenticator app
# The admin lists people's authenticators (a superuser deletes one to reset a lost phone), never their keys.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Single sign-on (OpenID Connect, recovery/sso) -----------------------------
# Off unless MEND_OIDC_CLIENT_ID is set. Endpoints come from MEND_OIDC_ISSUER's discovery document, or are
# given one by one (MEND_OIDC_AUTHORIZATION_ENDPOINT, _TOKEN_, _USERINFO_, _JWKS_). Only email addresses
# in MEND_OIDC_ALLOWED_DOMAINS ("*": any) sign in; they get MEND_OIDC_DEFAULT_ROLE (agents; "" for none)
# plus the roles their group claims map to (MEND_OIDC_ROLE_CLAIMS "mend-managers=managers,...").
# https://mozilla-django-oidc.readthedocs.io/en/stable/settings.html
MEND_OIDC_CLIENT_ID = env.str("MEND_OIDC_CLIENT_ID", default="")
MEND_OIDC_ENABLED = bool(MEND_OIDC_CLIENT_ID)
MEND_OIDC_ISSUER = env.str("MEND_OIDC_ISSUER", default="").rstrip("/")
MEND_OIDC_ALLOWED_DOMAINS = [domain.lower() for domain in env.list("MEND_OIDC_ALLOWED_DOMAINS", default=[])]
MEND_OIDC_ROLE_CLAIMS = env.dict("MEND_OIDC_ROLE_CLAIMS", default={})
MEND_OIDC_GROUPS_CLAIM = env.str("MEND_OIDC_GROUPS_CLAIM", default="groups")
MEND_OIDC_DEFAULT_ROLE = env.str("MEND_OIDC_DEFAULT_ROLE", default="agents")
OIDC_RP_CLIENT_ID = MEND_OIDC_CLIENT_ID
OIDC_RP_CLIENT_SECRET = env.str("MEND_OIDC_CLIENT_SECRET", default="")
OIDC_OP_AUTHORIZATION_ENDPOINT = env.str("MEND_OIDC_AUTHORIZATION_ENDPOINT", default="")
OIDC_OP_TOKEN_ENDPOINT = env.str("MEND_OIDC_TOKEN_ENDPOINT", default="")
OIDC_OP_USER_ENDPOINT = env.str("MEND_OIDC_USERINFO_ENDPOINT", default="")
OIDC_OP_JWKS_ENDPOINT = env.str("MEND_OIDC_JWKS_ENDPOINT", default="")
OIDC_RP_SIGN_ALGO = env.str("MEND_OIDC_SIGN_ALGO", default="RS256")
OIDC_RP_SCOPES = env.str("MEND_OIDC_SCOPES", default="openid email profile")
OIDC_USE_PKCE = True
OIDC_TIMEOUT = env.int("MEND_OIDC_TIMEOUT_SECONDS", default=10)
if MEND_OIDC_ENABLED:
    _endpoints = (OIDC_OP_AUTHORIZATION_ENDPOINT, OIDC_OP_TOKEN_ENDPOINT, OIDC_OP_USER_ENDPOINT)
    if not MEND_OIDC_ISSUER and not all(_endpoints):
        raise ImproperlyConfigured("Single sign-on needs MEND_OIDC_ISSUER, or each MEND_OIDC_*_ENDPOINT.")
    if not MEND_OIDC_ALLOWED_DOMAINS:
        raise ImproperlyConfigured('Single sign-on needs MEND_OIDC_ALLOWED_DOMAINS ("*" for any domain).')
    _sso_roles = {
        *MEND_OIDC_ROLE_CLAIMS.values(),
        *([MEND_OIDC_DEFAULT_ROLE] if MEND_OIDC_DEFAULT_ROLE else []),
    }
    if not _sso_roles <= {"agents", "managers"}:
        raise ImproperlyConfigured(
            "MEND_OIDC_ROLE_CLAIMS and MEND_OIDC_DEFAULT_ROLE name 'agents' or 'managers'."
        )
    AUTHENTICATION_BACKENDS.append("recovery.sso.backend.SingleSignOnBackend")

# Internationalisation ----------------------------------------------------
# The organisation's language: the workspace's before an agent or their browser chooses, and every
# customer's whose language Mend does not know or does not speak. One of LANGUAGES.
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="en")
LANGUAGES = [("en", "English"), ("de", "Deutsch"), ("es", "Español")]
# The compiled catalogues are committed (docs/languages.md says why); `make messages` regenerates them.
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates, times and numbers follow the active language (Django's locale formats); English is Mend's own.
FORMAT_MODULE_PATH = ["recovery.formats"]
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
USE_TZ = True
# The set_language view's cookie: the choice of someone without stored preferences (signed out).
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
# How sure the email language detector must be before a customer's language is taken from their email.
MEND_LANGUAGE_DETECTION_CONFIDENCE = env.float("MEND_LANGUAGE_DETECTION_CONFIDENCE", default=0.8)

# Static files ------------------------------------------------------------
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.str("STATIC_ROOT", default=str(BASE_DIR / "staticfiles"))
# Files customers and agents send with messages: never served by URL, only through a view that checks
# who may see the case.
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "var" / "media"))
# WhiteNoise serves static files from the app server; in production `collectstatic` gives them hashed,
# compressed copies that browsers may cache for a year.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Content-Security-Policy -------------------------------------------------
# No inline script or style anywhere: scripts and stylesheets are files under static/, configured through
# data- attributes. https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}

# Email -------------------------------------------------------------------
# Console backend by default; point EMAIL_BACKEND at SMTP and set EMAIL_HOST etc. for real mail.
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="Mend <mend@localhost>")
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")
# The customer conversation: answers come back to reply+<signed case token>@MEND_REPLY_DOMAIN, and the
# branded email carries MEND_ORG_NAME and MEND_BRAND_COLOR (a #rrggbb colour of good contrast on white).
# A deployment sets MEND_REPLY_DOMAIN to a domain whose mail reaches Mend (receive_email, a webhook, IMAP).
MEND_REPLY_DOMAIN = env.str("MEND_REPLY_DOMAIN", default="reply.localhost").strip().lower()
MEND_ORG_NAME = env.str("MEND_ORG_NAME", default="Mend")
MEND_BRAND_COLOR = env.str("MEND_BRAND_COLOR", default="#1f5f99")
if not re.fullmatch(r"#[0-9a-fA-F]{6}", MEND_BRAND_COLOR):
    raise ImproperlyConfigured("MEND_BRAND_COLOR is a colour written #rrggbb.")
# For EMAIL_BACKEND=django.core.mail.backends.filebased.EmailBackend: one file per message, readable
# by another process (the Celery integration tests check what a real worker sent).
EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH", default=str(VAR_DIR / "mail"))

# Notifications outbox ----------------------------------------------------
# A sender holds an outbox row this long; its task's time limits are derived from it so a live sender
# can never outlive its claim. Also how long a killed sender's row waits before anyone retries it.
NOTIFICATION_CLAIM_LEASE = timedelta(seconds=env.int("NOTIFICATION_CLAIM_LEASE_SECONDS", default=120))
# Rows still pending after this are taken to have lost their task (broker down, worker killed).
NOTIFICATION_RESEND_AFTER = timedelta(seconds=env.int("NOTIFICATION_RESEND_AFTER_SECONDS", default=120))

# Follow-up survey --------------------------------------------------------
# How long the signed link emailed to a customer stays valid.
SURVEY_LINK_MAX_AGE = timedelta(days=env.int("SURVEY_LINK_MAX_AGE_DAYS", default=14))

# REST framework ----------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "recovery.api.authentication.TokenWithRolesAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PARSER_CLASSES": ["recovery.api.parsers.BoundedJSONParser"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "recovery.api.autoschema.MendAutoSchema",
    "EXCEPTION_HANDLER": "recovery.api.errors.exception_handler",
    # Rates: MEND_THROTTLE_RATES below. A throttled request answers 429 with Retry-After.
    "DEFAULT_THROTTLE_CLASSES": ["recovery.api.throttles.Rates"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS: dict[str, Any] = {
    "TITLE": "Mend API",
    "DESCRIPTION": "Service recovery: feedback intake, recovery cases, gestures and root causes.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "recovery.api.autoschema.empty_filters_mean_no_filter",
        "recovery.api.autoschema.query_text_holds_no_nul",
    ],
    # Swagger UI and ReDoc from the drf-spectacular-sidecar package: the docs work offline, pinned.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
# Choice sets that share a field name across models get their own schema names (cases API).
SPECTACULAR_SETTINGS.setdefault("ENUM_NAME_OVERRIDES", {}).update(
    {
        "StageEnum": "cases.models.Stage",
        "GestureKindEnum": "cases.models.Gesture.Kind",
        "GestureStatusEnum": "cases.models.Gesture.Status",
        "RootCauseStatusEnum": "cases.models.RootCause.Status",
    }
)

# Gestures ----------------------------------------------------------------
# Money is compared in one currency, the organisation's base currency: the agent's limit is in it,
# and a gesture in another currency counts at its value converted with the managers' exchange rates.
MEND_BASE_CURRENCY = env.str("MEND_BASE_CURRENCY", default="EUR").strip().upper()
if len(MEND_BASE_CURRENCY) != 3 or not MEND_BASE_CURRENCY.isascii() or not MEND_BASE_CURRENCY.isalpha():
    raise ImproperlyConfigured("MEND_BASE_CURRENCY is an ISO 4217 code such as EUR.")
# What an agent may grant on one case without a manager, in MEND_BASE_CURRENCY, every currency and
# every gesture granted or waiting counted together. Above it a gesture waits for a manager.
MEND_GESTURE_AGENT_LIMIT = env.str("MEND_GESTURE_AGENT_LIMIT", default="50.00")
if "MEND_GESTURE_LIMITS" in os.environ:
    # A limit per currency let an agent grant 50 of each currency on one case (issue 24); refuse to
    # start rather than silently ignore a limit someone configured.
    raise ImproperlyConfigured(
        "MEND_GESTURE_LIMITS is gone: MEND_GESTURE_AGENT_LIMIT is in MEND_BASE_CURRENCY, and managers "
        "keep exchange rates for the other currencies."
    )
# No single gesture is worth more than this: a larger figure is a typo (or worse), not goodwill.
# Webhooks out (cases.webhooks): private, loopback and link-local targets are refused unless this is on
# (tests, receivers on the premises).
MEND_WEBHOOKS_ALLOW_PRIVATE = env.bool("MEND_WEBHOOKS_ALLOW_PRIVATE", default=False)
# How long one POST may take, at most 10 seconds (a slow receiver must not hold a worker longer).
MEND_WEBHOOKS_TIMEOUT_SECONDS = env.float("MEND_WEBHOOKS_TIMEOUT_SECONDS", default=10.0)
MEND_WEBHOOKS_CLAIM_LEASE_SECONDS = env.float("MEND_WEBHOOKS_CLAIM_LEASE_SECONDS", default=60.0)
MEND_GESTURE_MAX_AMOUNT = env.str("MEND_GESTURE_MAX_AMOUNT", default="100000.00")

# Feedback intake and triage ----------------------------------------------
# Thresholds of the triage rules (feedback/triage.py; README "intake"). NEGATIVE/HIGH thresholds
# count at or below, POSITIVE ones at or above; VADER compound scores run from -1 to +1.
# One limit on what a request carries (recovery/text_limit.py): every JSON endpoint's body (413 above
# it) and every text a workspace form saves (an error by the field). MEND_API_MAX_BODY_BYTES and
# MEND_INTAKE_MAX_BODY_BYTES are its old names. Django's hard cap on a form body follows from it.
MEND_MAX_BODY_BYTES = env.int(
    "MEND_MAX_BODY_BYTES",
    default=env.int(
        "MEND_API_MAX_BODY_BYTES", default=env.int("MEND_INTAKE_MAX_BODY_BYTES", default=64 * 1024)
    ),
)
# The hard cap: a form body over it is refused with 400 before it is parsed. Percent-encoding at most
# triples a text's UTF-8 ("€" is "%E2%82%AC") and a workspace form has at most three text fields, so a
# form whose every text is within the limit stays under it.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * MEND_MAX_BODY_BYTES
MEND_INTAKE_IDEMPOTENCY_HOURS = env.int("MEND_INTAKE_IDEMPOTENCY_HOURS", default=24)
MEND_TRIAGE_NEGATIVE_RATING = env.int("MEND_TRIAGE_NEGATIVE_RATING", default=2)
MEND_TRIAGE_HIGH_RATING = env.int("MEND_TRIAGE_HIGH_RATING", default=1)
MEND_TRIAGE_POSITIVE_RATING = env.int("MEND_TRIAGE_POSITIVE_RATING", default=4)
MEND_TRIAGE_NEGATIVE_NPS = env.int("MEND_TRIAGE_NEGATIVE_NPS", default=6)
MEND_TRIAGE_HIGH_NPS = env.int("MEND_TRIAGE_HIGH_NPS", default=3)
MEND_TRIAGE_POSITIVE_NPS = env.int("MEND_TRIAGE_POSITIVE_NPS", default=9)
MEND_TRIAGE_NEGATIVE_COMMENT = env.float("MEND_TRIAGE_NEGATIVE_COMMENT", default=-0.4)
MEND_TRIAGE_POSITIVE_COMMENT = env.float("MEND_TRIAGE_POSITIVE_COMMENT", default=0.4)
MEND_TRIAGE_REPEAT_DAYS = env.int("MEND_TRIAGE_REPEAT_DAYS", default=90)
# Comma-separated words and phrases of legal threat, safety or injury: any of them makes a case critical.
MEND_TRIAGE_CRITICAL_TERMS = env.str(
    "MEND_TRIAGE_CRITICAL_TERMS",
    default=(
        "lawyer,lawyers,attorney,solicitor,sue,suing,sued,lawsuit,legal action,to court,small claims,"
        "unsafe,dangerous,hazard,hazardous,caught fire,electric shock,food poisoning,poisoned,"
        "allergic reaction,choking,injury,injuries,injured,got hurt,was hurt,hospital,ambulance,bleeding"
    ),
).split(",")

# Celery ------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Without a broker URL Mend uses kombu's filesystem transport under var/, so `make run` needs no server.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = VAR_DIR / "broker"
    for _sub in ("queue", "processed", "control"):
        (_broker_dir / _sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir / "queue"),
        "data_folder_out": str(_broker_dir / "queue"),
        "processed_folder": str(_broker_dir / "processed"),
        # kombu's default is `control/` in the working directory: the exchange table would land in git.
        "control_folder": str(_broker_dir / "control"),
        "store_processed": False,
    }
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # An unacknowledged task (its worker was killed: see acks_late) goes back on the queue after this
    # many seconds. It must exceed the longest retry countdown (an hour, cases/outbox.py), or
    # Redis redelivers tasks still waiting for their ETA; the duplicates are harmless but wasteful.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3700),
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_IGNORE_RESULT = CELERY_RESULT_BACKEND is None
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True  # safe because every task is idempotent (see cases/tasks.py)
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=5 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=4 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # with acks_late, do not hoard tasks a dying worker would delay
# On a lost broker connection the broker redelivers the running tasks anyway; stop ours rather than
# finish them twice (each is idempotent, so either is safe; this is the quieter one).
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TIMEZONE = TIME_ZONE
# The periodic jobs; every one is idempotent, so an overlapping or repeated run is harmless.
CELERY_BEAT_SCHEDULE = {
    "sweep-follow-ups": {"task": "cases.tasks.sweep_follow_ups", "schedule": 60.0},
    "resend-unsent-notifications": {"task": "cases.tasks.resend_unsent_notifications", "schedule": 60.0},
    "resend-due-webhooks": {
        "task": "cases.webhooks.tasks.resend_due",
        "schedule": 30.0,
        "options": {"expires": 25},
    },
    # A sweep still queued after the next one is due would only repeat it: let it expire instead.
    "sla-sweep": {"task": "cases.tasks.sweep_sla", "schedule": 60.0, "options": {"expires": 55}},
    "forget-expired-idempotency-keys": {
        "task": "cases.tasks.forget_expired_idempotency_keys",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
    # Emerging issues (cases.emerging): one run per 10-minute slot, whichever beat or retry is first.
    "emerging-issues": {
        "task": "cases.tasks.detect_emerging_issues",
        "schedule": 600.0,
        "options": {"expires": 590},
    },
    # Root causes whose watch window ended (cases.root_causes.watch).
    "close-watch-windows": {
        "task": "cases.tasks.close_watch_windows",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
    # The dashboard's preset periods (cases.metrics.snapshots.REFRESH_SECONDS).
    "metric-snapshots": {
        "task": "cases.tasks.refresh_metric_snapshots",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
}

# Inbound email (cases/conversation/inbound) -------------------------------
# Three doors, one pipeline: `manage.py receive_email` (an MTA pipe), the providers' webhooks under
# /inbound/email/<provider>/ and IMAP polling. Over MEND_INBOUND_MAX_MESSAGE_BYTES, or with one attachment
# over MEND_INBOUND_MAX_ATTACHMENT_BYTES, a message is refused whole. A sender's mail that would be new
# feedback is refused past MEND_INBOUND_FEEDBACK_PER_HOUR an hour (replies to a case are not counted).
MEND_INBOUND_MAX_MESSAGE_BYTES = env.int("MEND_INBOUND_MAX_MESSAGE_BYTES", default=25 * 1024 * 1024)
MEND_INBOUND_MAX_ATTACHMENT_BYTES = env.int("MEND_INBOUND_MAX_ATTACHMENT_BYTES", default=10 * 1024 * 1024)
MEND_INBOUND_FEEDBACK_PER_HOUR = env.int("MEND_INBOUND_FEEDBACK_PER_HOUR", default=10)
MEND_INBOUND_REOPEN_DAYS = env.int("MEND_INBOUND_REOPEN_DAYS", default=30)  # older closed cases: a new case
# The providers' webhooks: each refuses every post (404) until its secret is set. Postmark, SendGrid and
# Amazon SES send HTTP basic auth "user:password" (MEND_INBOUND_WEBHOOK_SECRET, comma-separated to rotate);
# Mailgun signs its posts with MEND_MAILGUN_WEBHOOK_SIGNING_KEY (and sends the basic auth too when it is set).
ANYMAIL = {
    "WEBHOOK_SECRET": env.list("MEND_INBOUND_WEBHOOK_SECRET", default=[]),
    "MAILGUN_WEBHOOK_SIGNING_KEY": env.str("MEND_MAILGUN_WEBHOOK_SIGNING_KEY", default=""),
}
# IMAP polling, for self-hosting: off unless MEND_IMAP_HOST is set. Every MEND_IMAP_POLL_SECONDS the beat
# takes each message of MEND_IMAP_MAILBOX not yet flagged taken, and flags it (MendTaken and \Seen).
MEND_IMAP_HOST = env.str("MEND_IMAP_HOST", default="")
MEND_IMAP_PORT = env.int("MEND_IMAP_PORT", default=993)
MEND_IMAP_SSL = env.bool("MEND_IMAP_SSL", default=True)
MEND_IMAP_USER = env.str("MEND_IMAP_USER", default="")
MEND_IMAP_PASSWORD = env.str("MEND_IMAP_PASSWORD", default="")
MEND_IMAP_MAILBOX = env.str("MEND_IMAP_MAILBOX", default="INBOX")
MEND_IMAP_POLL_SECONDS = env.float("MEND_IMAP_POLL_SECONDS", default=60.0)
if MEND_IMAP_HOST:
    CELERY_BEAT_SCHEDULE["poll-imap"] = {
        "task": "cases.tasks.poll_imap",
        "schedule": MEND_IMAP_POLL_SECONDS,
        "options": {"expires": MEND_IMAP_POLL_SECONDS * 0.9},
    }

# Logging -----------------------------------------------------------------
# One line per event, ids only (recovery/logs.py). JSON lines in production for the log pipeline,
# readable text on a laptop. Every line of a request (and of the tasks it enqueued) carries its id,
# which the response also gives back in `X-Request-ID` and API error bodies in `request_id`.
LOG_FORMAT = env.str("LOG_FORMAT", default="text" if DEBUG else "json")
if LOG_FORMAT not in ("text", "json"):
    raise ImproperlyConfigured("LOG_FORMAT is 'text' or 'json'.")
DJANGO_GUID = {
    "GUID_HEADER_NAME": "X-Request-ID",
    "VALIDATE_GUID": True,  # a client's id is kept only if it is a UUID, so it cannot forge log lines
    "INTEGRATIONS": [CeleryIntegration(use_django_logging=True, log_parent=True)],
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "django_guid.log_filters.CorrelationId"}},
    "formatters": {"mend": {"()": "recovery.logs.Formatter"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "mend", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Its own line per request ("Header X-Request-ID found...") says nothing the request's lines do not.
    "loggers": {"django_guid": {"level": "WARNING"}},
}

# Cache -------------------------------------------------------------------
# Rate-limit counters must be shared by every web process, so Redis when there is one; a process's own
# memory otherwise (`make run`: one process).
CACHES = {
    "default": (
        {
            "BACKEND": "django_redis.cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "mend",
        }
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Presence ("Bob is viewing") lives in that cache too: each open case page says "still here" every
# MEND_PRESENCE_POLL_SECONDS (a short request: no worker is held per open page), and a person who stops
# saying it drops off after MEND_PRESENCE_SECONDS. Keep the expiry a few polls long, so one slow answer
# does not make a colleague flicker away.
MEND_PRESENCE_POLL_SECONDS = env.int("MEND_PRESENCE_POLL_SECONDS", default=3)
MEND_PRESENCE_SECONDS = env.int("MEND_PRESENCE_SECONDS", default=15)

# Rate limits -------------------------------------------------------------
# Proxies in front that each append the address they saw to X-Forwarded-For. Every limit that counts
# per client address reads it through one rule (recovery/addresses.py); 0: the peer address counts.
MEND_PROXY_COUNT = env.int("MEND_PROXY_COUNT", default=0)
# Sign-in (/login/ and /admin/login/, django-axes): after MEND_LOGIN_FAILURE_LIMIT failures for one
# username from one client address, that pair is refused with 429 and Retry-After for
# MEND_LOGIN_COOLOFF_MINUTES after its last counted failure, before any password is hashed. The same
# username from any other address is not refused: an attacker cannot lock the real user out.
# Attempts during a lockout are refused without counting, so they cannot extend it.
# https://django-axes.readthedocs.io/
AXES_FAILURE_LIMIT = env.int("MEND_LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("MEND_LOGIN_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]  # an inner list is "and" to axes: the pair
AXES_CLIENT_IP_CALLABLE = "recovery.addresses.client_address"
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "recovery.sign_in.responses.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False  # its log lines name the username tried
# Spraying (one address trying many usernames, recovery/sign_in/spraying.py): after
# MEND_LOGIN_ADDRESS_FREE_FAILURES failed sign-ins from one client address within an hour, whatever
# the usernames, each further attempt from it must wait a delay that starts at 1 second and doubles
# with each further failure, up to MEND_LOGIN_ADDRESS_MAX_DELAY_SECONDS. Slowed, never locked out:
# colleagues behind one office address can still sign in.
MEND_LOGIN_ADDRESS_FREE_FAILURES = env.int("MEND_LOGIN_ADDRESS_FREE_FAILURES", default=10)
MEND_LOGIN_ADDRESS_MAX_DELAY = timedelta(seconds=env.int("MEND_LOGIN_ADDRESS_MAX_DELAY_SECONDS", default=900))
MEND_LOGIN_ADDRESS_WINDOW = timedelta(hours=1)
# The API (DRF throttles, recovery/api/throttles.py): per token and per client IP address, intake
# (POST /api/v1/feedback/) apart from everything else. "N/s", "N/min", "N/hour", "N/day".
MEND_THROTTLE_RATES = {
    "intake_token": env.str("MEND_THROTTLE_INTAKE_TOKEN", default="6000/min"),
    "intake_ip": env.str("MEND_THROTTLE_INTAKE_IP", default="12000/min"),
    "api_token": env.str("MEND_THROTTLE_API_TOKEN", default="1200/min"),
    "api_ip": env.str("MEND_THROTTLE_API_IP", default="2400/min"),
    # The public feedback widget (feedback/widget): per widget key, and per visitor's address.
    "widget_token": env.str("MEND_THROTTLE_WIDGET_KEY", default="600/min"),
    "widget_ip": env.str("MEND_THROTTLE_WIDGET_IP", default="10/min"),
}

# CORS (django-cors-headers) only for the feedback widget's endpoint, and only for origins some active
# widget key allows: `feedback.widget.cors` answers its `check_request_enabled` signal. No cookies.
CORS_URLS_REGEX = r"^/api/v1/widget/feedback/$"
CORS_ALLOWED_ORIGINS: list[str] = []
CORS_ALLOW_METHODS = ["OPTIONS", "POST"]
CORS_ALLOW_HEADERS = ["content-type", "x-mend-widget-key", "idempotency-key"]
CORS_ALLOW_CREDENTIALS = False

# Production hardening ----------------------------------------------------
# `manage.py check --deploy --fail-level WARNING` passes with DEBUG off and these at their defaults
# (.ci/run checks it). Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    LANGUAGE_COOKIE_SECURE = env.bool("LANGUAGE_COOKIE_SECURE", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
    # The probes answer plain HTTP inside the network (a load balancer's health check has no TLS).
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
