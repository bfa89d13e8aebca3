"""Settings, read from the environment.

The defaults run the embedded demo (SQLite, console SMS, demo keys). A
production deployment sets ``DEBUG=0`` and must then provide ``SECRET_KEY``,
``ALLOWED_HOSTS``, ``DATABASE_URL`` and the field-encryption keys; the
security settings below switch on by themselves.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SUNSHINE_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)

_DEMO_SECRET = "demo-only-secret-key-never-use-in-production-0123456789abcdef"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEMO_SECRET if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "sunshine.privacy",
    "sunshine.accounts",
    "sunshine.audit",
    "sunshine.schools",
    "sunshine.applications",
    "sunshine.verification",
    "sunshine.admissions",
    "sunshine.classes",
    "sunshine.notifications",
    "sunshine.portal",
    "sunshine.console",
    "sunshine.public",
    "sunshine.api",
    "sunshine.operations",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "sunshine.operations.middleware.RequestMetricsMiddleware",
    "sunshine.operations.middleware.ConcurrencyLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "sunshine.i18n.ChineseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a locked-out log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "sunshine.urls"
WSGI_APPLICATION = "sunshine.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "sunshine" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'sunshine.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
_prepare_threshold = os.environ.get("DATABASE_PREPARE_THRESHOLD", "")
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _prepare_threshold:
    # With server-side parameters psycopg prepares a statement once a connection has run
    # it this many times, so PostgreSQL plans each hot query (token, draft, status) once
    # per connection instead of once per request: on the load test's mix the database
    # spent 1.15 ms of CPU a request instead of 2.05. The web processes turn it on
    # (deploy/gunicorn.conf.py); batch work does not, because a generic plan over a
    # city's million records is slower than a fresh one (the verification bench took
    # 80 s instead of 60). Leave it empty behind PgBouncer in transaction mode before
    # 1.21, which cannot carry prepared statements, and restart the web processes after
    # a migration, as any deployment does.
    DATABASES["default"]["OPTIONS"] = {
        "server_side_binding": True,
        "prepare_threshold": int(_prepare_threshold),
    }
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # WAL lets the web server read while the demo writes; IMMEDIATE avoids
    # "database is locked" when two writers start a transaction together.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
# Staff accounts: password + TOTP (sunshine/accounts/staff_login.py); django-axes locks a
# username out at an address after AXES_FAILURE_LIMIT failed log-ins, wrong codes included.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=30)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True  # failures are kept for the lock-out; successes are audited
AXES_LOCKOUT_CALLABLE = "sunshine.accounts.staff_login.locked_out"
OTP_TOTP_ISSUER = "阳光招生"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "sunshine" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
if not DEBUG:
    # Hashed, compressed copies made by collectstatic and served by whitenoise.
    STORAGES = {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }

SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(60 * 60 * 2)))
SESSION_COOKIE_HTTPONLY = True
# A session also ends when the browser closes (shared computers in school offices).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_SAMESITE = "Lax"

# Personal data at rest: AES-GCM keys as "key-id:base64key" pairs, newest first.
# The first key encrypts; every listed key decrypts, so keys can be rotated.
_DEMO_FIELD_KEYS = "demo1:ZGVtby1vbmx5LWZpZWxkLWtleS0zMi1ieXRlcyEhISE="
_DEMO_INDEX_KEY = "ZGVtby1vbmx5LWJsaW5kLWluZGV4LWtleS0zMmJ5dGU="
SUNSHINE_FIELD_KEYS = os.environ.get("SUNSHINE_FIELD_KEYS", _DEMO_FIELD_KEYS if DEBUG else "")
SUNSHINE_BLIND_INDEX_KEY = os.environ.get(
    "SUNSHINE_BLIND_INDEX_KEY", _DEMO_INDEX_KEY if DEBUG else ""
)
if not SUNSHINE_FIELD_KEYS or not SUNSHINE_BLIND_INDEX_KEY:
    raise ImproperlyConfigured(
        "SUNSHINE_FIELD_KEYS and SUNSHINE_BLIND_INDEX_KEY must be set when DEBUG is off."
    )

# SMS: "console" prints, "file" appends JSON lines to SUNSHINE_SMS_FILE.
SUNSHINE_SMS_BACKEND = os.environ.get("SUNSHINE_SMS_BACKEND", "console")
SUNSHINE_SMS_FILE = Path(os.environ.get("SUNSHINE_SMS_FILE", VAR_DIR / "sms-outbox.jsonl"))
# "aliyun" or "tencent" (the optional official SDKs): credentials, signature, and the
# provider's code of each template id, as "SUBMITTED=SMS_1,ADMITTED=SMS_2".
SUNSHINE_SMS_PROVIDER = {
    "access_key_id": os.environ.get("SUNSHINE_SMS_ACCESS_KEY_ID", ""),
    "access_key_secret": os.environ.get("SUNSHINE_SMS_ACCESS_KEY_SECRET", ""),
    "sign_name": os.environ.get("SUNSHINE_SMS_SIGN_NAME", ""),
    "app_id": os.environ.get("SUNSHINE_SMS_APP_ID", ""),
    "endpoint": os.environ.get("SUNSHINE_SMS_ENDPOINT", ""),
    "protocol": os.environ.get("SUNSHINE_SMS_PROTOCOL", ""),  # default https
    "templates": dict(item.split("=", 1) for item in env_list("SUNSHINE_SMS_TEMPLATES")),
}
SUNSHINE_SMS_PER_PHONE_PER_HOUR = int(os.environ.get("SUNSHINE_SMS_PER_PHONE_PER_HOUR", "10"))
SUNSHINE_SMS_PER_PHONE_PER_DAY = int(os.environ.get("SUNSHINE_SMS_PER_PHONE_PER_DAY", "20"))
# A claim older than this lost its sender (asked about at the provider); the first retry wait.
SUNSHINE_SMS_CLAIM_TIMEOUT_SECONDS = float(
    os.environ.get("SUNSHINE_SMS_CLAIM_TIMEOUT_SECONDS", "600")
)
SUNSHINE_SMS_RETRY_BASE_SECONDS = float(os.environ.get("SUNSHINE_SMS_RETRY_BASE_SECONDS", "30"))

# Parents' log-in by the province's unified identity (OpenID Connect); off unless configured.
SUNSHINE_OIDC = {
    "name": os.environ.get("SUNSHINE_OIDC_NAME", "湖南省统一身份认证"),
    "server_metadata_url": os.environ.get("SUNSHINE_OIDC_METADATA_URL", ""),
    "client_id": os.environ.get("SUNSHINE_OIDC_CLIENT_ID", ""),
    "client_secret": os.environ.get("SUNSHINE_OIDC_CLIENT_SECRET", ""),
}

# Where committed admission runs publish their recomputable files.
SUNSHINE_PUBLISH_DIR = Path(os.environ.get("SUNSHINE_PUBLISH_DIR", VAR_DIR / "published"))

# Department queries: online over signed HTTP when a URL is set, else from imported extracts.
# The key is "key-id:base64" shared with the departments' gateway.
SUNSHINE_DEPARTMENTS_URL = os.environ.get("SUNSHINE_DEPARTMENTS_URL", "")
SUNSHINE_DEPARTMENTS_KEY = os.environ.get(
    "SUNSHINE_DEPARTMENTS_KEY", "demo:ZGVtby1vbmx5LWRlcGFydG1lbnQta2V5IQ==" if DEBUG else ""
)
# The one document a family may upload for a manual review.
SUNSHINE_REVIEW_UPLOAD_MAX_BYTES = int(
    os.environ.get("SUNSHINE_REVIEW_UPLOAD_MAX_BYTES", str(5 * 1024 * 1024))
)
# Retention: years a term's personal data is kept after its reference date
# (`sunshine manage apply_retention`); a term may have its own figure.
SUNSHINE_RETENTION_YEARS = int(os.environ.get("SUNSHINE_RETENTION_YEARS", "3"))
SUNSHINE_RETENTION_BY_TERM: dict[int, int] = {}

# Content Security Policy: only this site's own scripts, styles and images; no inline
# script, no framing, forms post only here. Pages put behaviour in static files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}

if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    # The load balancer probes over plain HTTP inside the private network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]

# Operations: per-process in-flight limit (0 = off) before reads get 429, plus a reserve
# for writes; /metrics answers loopback or this bearer token. LOG_FORMAT=json for shippers.
SUNSHINE_MAX_CONCURRENT_REQUESTS = int(os.environ.get("SUNSHINE_MAX_CONCURRENT_REQUESTS", "0"))
SUNSHINE_WRITE_RESERVE = int(os.environ.get("SUNSHINE_WRITE_RESERVE", "4"))
# Reads are also turned away while a process's recent mean time per request is above this,
# and when a read waited longer than SUNSHINE_SHED_AFTER_QUEUED_MS for a thread (0: off).
SUNSHINE_SHED_AFTER_MS = int(os.environ.get("SUNSHINE_SHED_AFTER_MS", "0"))
SUNSHINE_SHED_AFTER_QUEUED_MS = int(os.environ.get("SUNSHINE_SHED_AFTER_QUEUED_MS", "0"))
# Seat and demand figures on the public pages are counted at most this often (0: always).
SUNSHINE_PUBLIC_FIGURES_SECONDS = int(os.environ.get("SUNSHINE_PUBLIC_FIGURES_SECONDS", "30"))
SUNSHINE_METRICS_TOKEN = os.environ.get("SUNSHINE_METRICS_TOKEN", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "sunshine.operations.jsonlog.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if os.environ.get("LOG_FORMAT") == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        "sunshine.access": {"level": os.environ.get("ACCESS_LOG_LEVEL", "WARNING")},
    },
}
