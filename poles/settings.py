"""Settings, read from the environment and checked at start-up (STYLE.md habit 10).

Production runs with DEBUG=0 and must be given SECRET_KEY, ALLOWED_HOSTS and DATABASE_URL;
a missing or weak secret stops the process instead of running insecurely.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, not {value!r}")


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

DEV_SECRET_KEY = "django-insecure-poles-development-only-never-use-in-production"  # noqa: S105 (refused when DEBUG=0)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Production (DEBUG=0) needs a random secret of at least 50 "
            "characters, e.g. `python -c 'import secrets; print(secrets.token_urlsafe(64))'`."
        )
    SECRET_KEY = DEV_SECRET_KEY
elif not DEBUG and (
    len(SECRET_KEY) < 50 or len(set(SECRET_KEY)) < 5 or SECRET_KEY.startswith("django-insecure")
):
    raise ImproperlyConfigured("SECRET_KEY is too weak: use at least 50 random characters.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set (a comma-separated list of host names).")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# Where the read-only reference data lives (../shared in a developer checkout). Never copied
# into the repository: code that needs it says which file is missing.
POLES_SHARED_DIR = Path(os.environ.get("POLES_SHARED_DIR", BASE_DIR.parent / "shared")).resolve()
VAR_DIR = Path(os.environ.get("POLES_VAR_DIR", BASE_DIR / "var")).resolve()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "dsfr",
    "widget_tweaks",
    "django_htmx",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "rules.apps.AutodiscoverRulesConfig",
    "django_tasks",
    "django_tasks_db",
    # poles, in import order: an app imports only from apps above it.
    "poles.core",
    "poles.territories",
    "poles.organisations",
    "poles.accounts",
    "poles.clusters",
    "poles.instruments",
    "poles.calls",
    "poles.projects",
    "poles.reviews",
    "poles.selection",
    "poles.grants",
    "poles.ecosystem",
    "poles.analytics",
    "poles.evaluation",
    "poles.matchmaking",
    "poles.opendata",
    "poles.demo",
]
# --- security (issue 8): apps -------------------------------------------------------------
INSTALLED_APPS += ["django_otp", "django_otp.plugins.otp_totp", "axes", "csp"]
# --- end security: apps ---------------------------------------------------------------------

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "poles.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]
# --- security (issue 8): middleware ---------------------------------------------------------
# CSP headers on every answer; the OTP middleware marks a session verified by a second factor;
# ours expires idle sessions and sends privileged users without one to enrol/verify; axes last.
MIDDLEWARE.insert(1, "csp.middleware.CSPMiddleware")
MIDDLEWARE.insert(
    MIDDLEWARE.index("django.contrib.auth.middleware.AuthenticationMiddleware") + 1,
    "django_otp.middleware.OTPMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("django_otp.middleware.OTPMiddleware") + 1,
    "poles.accounts.middleware.SessionExpiryMiddleware",
)
MIDDLEWARE.insert(
    MIDDLEWARE.index("poles.accounts.middleware.SessionExpiryMiddleware") + 1,
    "poles.accounts.middleware.MFARequiredMiddleware",
)
MIDDLEWARE.append("axes.middleware.AxesMiddleware")
# --- end security: middleware ---------------------------------------------------------------

ROOT_URLCONF = "poles.urls"
WSGI_APPLICATION = "poles.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "poles.core.context_processors.poles",
            ],
        },
    }
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'poles.sqlite3'}"
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets readers run beside the writer; IMMEDIATE transactions make writers queue
        # instead of failing with "database is locked" half-way through.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # security (issue 8): refuses locked-out log-ins first
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]

LANGUAGE_CODE = "fr"
# Each language is named in its own language (not translated), as language switchers should.
LANGUAGES = [("fr", "Français"), ("en", "English")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "poles" / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "poles.core.staticfinders.VendoredPackageFinder",
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads live outside the web root and are only served by views that check permissions.
MEDIA_ROOT = VAR_DIR / "uploads"

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "poles <noreply@poles.localhost>")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "poles.core.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "poles.core.api.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"anon": os.environ.get("API_ANON_RATE", "600/min"), "user": "6000/min"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "poles API",
    "DESCRIPTION": "Clusters, organisations, calls, projects, decisions and outputs of a cluster programme.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

DSFR_USE_INTEGRITY_CHECKSUMS = True
DSFR_MARK_OPTIONAL_FIELDS = True
FORM_RENDERER = "dsfr.forms.DsfrDjangoTemplates"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# --- security (issue 8) ----------------------------------------------------------------------
# Everything below is read from the environment with safe production defaults; DEBUG=1 (the
# local demo, `make run`) relaxes only what needs HTTPS or a phone. See docs/security.md.
import datetime as _dt  # noqa: E402


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from exc


# HTTPS: cookies only over HTTPS, HSTS, redirect http -> https. Behind a reverse proxy that ends
# TLS, set SECURE_PROXY_SSL_HEADER=1 so the X-Forwarded-Proto header it sets is trusted.
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain HTTP
if env_bool("SECURE_PROXY_SSL_HEADER", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content security policy: scripts and styles only from this site (no inline script anywhere:
# charts carry their data in <script type="application/json">, behaviour lives in static JS).
# Styles allow inline `style` attributes, which DSFR and plotly set on elements.
from csp.constants import NONE as _CSP_NONE  # noqa: E402
from csp.constants import SELF as _CSP_SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_CSP_SELF],
        "script-src": [_CSP_SELF],
        "style-src": [_CSP_SELF, "'unsafe-inline'"],
        "img-src": [_CSP_SELF, "data:"],
        "font-src": [_CSP_SELF, "data:"],
        "connect-src": [_CSP_SELF],
        "worker-src": [_CSP_SELF, "blob:"],
        "object-src": [_CSP_NONE],
        "base-uri": [_CSP_SELF],
        "form-action": [_CSP_SELF],
        "frame-ancestors": [_CSP_NONE],
    }
}

# Sessions: closed after POLES_SESSION_IDLE seconds without a request, and at the latest
# SESSION_COOKIE_AGE seconds after log-in (poles.accounts.middleware.SessionExpiryMiddleware).
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 10 * 3600)
POLES_SESSION_IDLE = env_int("POLES_SESSION_IDLE", 30 * 60)

# Log-in throttling (django-axes): after AXES_FAILURE_LIMIT failures for one user name from one
# address, further tries are refused for AXES_COOLOFF_MINUTES, with a page in the user's language.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = _dt.timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked.html"
AXES_HTTP_RESPONSE_CODE = 429
AXES_IPWARE_PROXY_COUNT = env_int("AXES_IPWARE_PROXY_COUNT", 0) or None
AXES_VERBOSE = False

# Multi-factor authentication (TOTP) for officers, funders and cluster staff (and superusers).
# On by default; off with DEBUG=1 so the local demo log-ins work without a phone.
POLES_MFA_REQUIRED = env_bool("POLES_MFA_REQUIRED", not DEBUG)
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "poles")

# `check --deploy` checks the deployment; the API schema is checked by its own tests
# (tests/test_api.py validates it, tests/security/test_api_fuzz.py fuzzes every operation).
SPECTACULAR_SETTINGS["ENABLE_DJANGO_DEPLOY_CHECK"] = False

# Structured logs: LOG_FORMAT=json writes one JSON object per line (for log collectors).
if os.environ.get("LOG_FORMAT", "text") == "json":
    LOGGING["formatters"] = {"json": {"()": "poles.core.logs.JsonFormatter"}}
    LOGGING["handlers"]["console"]["formatter"] = "json"
# --- end security -----------------------------------------------------------------------------

# opendata: anonymous use of the public API is rate-limited per client address (API_ANON_RATE,
# default 600/min); signed-in users are not throttled here.
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["poles.core.throttling.AnonymousRateThrottle"]
