"""Laogan settings, read from the environment (see .env.example for every variable).

Each value goes through a small helper that fails loudly on a value it cannot read, so a typo in a deployment
stops the server at start-up instead of running with a silent default.
"""

import os
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlparse

from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_str(name, default=""):
    return os.environ.get(name, default)


def env_bool(name, default=False):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name, default):
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name, default=()):
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def database_from_url(url):
    """Return a DATABASES entry for a sqlite:/// or postgres:// URL."""
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        # sqlite:////abs/path.sqlite3 → /abs/path.sqlite3; sqlite:///rel.sqlite3 → rel.sqlite3
        path = unquote(parsed.path)
        if path.startswith("//"):
            path = path[1:]
        elif path.startswith("/"):
            path = path[1:]
        if not path:
            raise ImproperlyConfigured("DATABASE_URL for sqlite must name a file, e.g. sqlite:////var/lib/laogan/db.sqlite3")
        return sqlite_database(path)
    if parsed.scheme in ("postgres", "postgresql", "pgsql"):
        options = {k: v[-1] for k, v in parse_qs(parsed.query).items()}
        return {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": unquote(parsed.path.lstrip("/")) or "laogan",
            "USER": unquote(parsed.username or "") or "postgres",
            "PASSWORD": unquote(parsed.password or ""),
            "HOST": parsed.hostname or "",
            "PORT": str(parsed.port or ""),
            "CONN_MAX_AGE": env_int("LAOGAN_DB_CONN_MAX_AGE", 60),
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": options,
            "TEST": {"NAME": options.pop("test_name", None) or f"test_laogan_{unquote(parsed.path.lstrip('/')) or 'laogan'}"},
        }
    raise ImproperlyConfigured(f"DATABASE_URL must start with sqlite:// or postgres://, not {url!r}")


def sqlite_database(path):
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            # WAL lets the web server read while the worker writes; IMMEDIATE takes the write lock at the start
            # of a transaction so two writers queue on the busy timeout instead of failing with "database is locked".
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DEBUG = env_bool("LAOGAN_DEBUG", False)
PRODUCTION = env_bool("LAOGAN_PRODUCTION", False)
SECRET_KEY = env_str("LAOGAN_SECRET_KEY") or ("insecure-dev-key-" + "x" * 40 if not PRODUCTION else "")
if PRODUCTION and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("LAOGAN_SECRET_KEY must be set (at least 50 characters) when LAOGAN_PRODUCTION is true")
ALLOWED_HOSTS = env_list("LAOGAN_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("LAOGAN_CSRF_TRUSTED_ORIGINS")
DATA_DIR = Path(env_str("LAOGAN_DATA_DIR", str(BASE_DIR / "var")))

# Field encryption: a comma-separated list of Fernet keys, newest first. Older keys still decrypt during a
# rotation. Without it a development key derived from SECRET_KEY is used, and a system check refuses that in
# production.
FIELD_ENCRYPTION_KEYS = env_list("LAOGAN_FIELD_KEYS")
# Keyed hash for exact lookups of encrypted values (ID numbers); must never change once data exists.
LOOKUP_HASH_KEY = env_str("LAOGAN_LOOKUP_KEY")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "laogan.accounts",
    "laogan.members",
    "laogan.jobs",
    "laogan.reports",
    "laogan.surveys",
    "laogan.visits",
    "laogan.services",
    "laogan.liaison",
    "laogan.cases",
    "laogan.activities",
    "laogan.learning",
    "laogan.scale",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "laogan.accounts.middleware.IdleSessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "laogan.accounts.middleware.HtmxMiddleware",
    "laogan.accounts.middleware.ForcePasswordChangeMiddleware",
]

ROOT_URLCONF = "laogan.urls"
WSGI_APPLICATION = "laogan.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "laogan" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "laogan.accounts.context_processors.laogan",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL")
if not DATABASE_URL:
    DATA_DIR.mkdir(parents=True, exist_ok=True)  # zero set-up: the default SQLite file lives in var/
DATABASES = {"default": database_from_url(DATABASE_URL) if DATABASE_URL else sqlite_database(DATA_DIR / "laogan.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTH_PASSWORD_VALIDATORS = [
    # Not like the user's own name, user name or phone numbers (等保: no guessable passwords).
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name", "mobile", "work_phone", "email")}},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "laogan" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "laogan" / "static"]
MEDIA_ROOT = Path(env_str("LAOGAN_MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Roles that must log in with a one-time code (TOTP) as well as the password, e.g. "admin,secretary". Anyone may
# switch it on for themselves, and an admin can require it of one user.
LAOGAN_TOTP_REQUIRED_ROLES = env_list("LAOGAN_TOTP_REQUIRED_ROLES")
# Audit entries older than this many days are removed by the nightly purge (never fewer than 180).
LAOGAN_AUDIT_RETENTION_DAYS = env_int("LAOGAN_AUDIT_RETENTION_DAYS", 3 * 365)
if LAOGAN_AUDIT_RETENTION_DAYS < 180:
    raise ImproperlyConfigured("LAOGAN_AUDIT_RETENTION_DAYS must be at least 180 (等保: audit kept six months)")
SESSION_COOKIE_AGE = env_int("LAOGAN_SESSION_IDLE_SECONDS", 30 * 60)
# The 30-minute limit counts from the last request, not from log-in: IdleSessionMiddleware moves the end at most
# once a minute (a session write per request made every page view a database write).
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
HTTPS = env_bool("LAOGAN_HTTPS", PRODUCTION)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS and env_bool("LAOGAN_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("LAOGAN_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Content Security Policy: no inline script or style anywhere; scripts and styles come from our own static files.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
    "object-src": [CSP.NONE],
}

# Uploads: anything larger than this is refused with a message instead of being read into memory.
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
LAOGAN_MAX_ROSTER_BYTES = env_int("LAOGAN_MAX_ROSTER_BYTES", 30 * 1024 * 1024)
LAOGAN_MAX_PHOTO_BYTES = env_int("LAOGAN_MAX_PHOTO_BYTES", 8 * 1024 * 1024)

# The worker writes a heartbeat; pages warn when it is older than this.
LAOGAN_WORKER_STALE_SECONDS = env_int("LAOGAN_WORKER_STALE_SECONDS", 300)
# The dashboard's key figures are computed once per unit in this many seconds (0: on every view).
LAOGAN_DASHBOARD_CACHE_SECONDS = env_int("LAOGAN_DASHBOARD_CACHE_SECONDS", 60)
# A bureau with at least this many members has its annual page counted ahead by the worker (reports/snapshots.py);
# a smaller one is counted when asked (under a second), so its page is never minutes old.
LAOGAN_SNAPSHOT_MIN_MEMBERS = env_int("LAOGAN_SNAPSHOT_MIN_MEMBERS", 50_000)
# Nightly backups by the worker (jobs/backup.py): one archive a day from this hour (local time), the newest KEEP
# kept; KEEP=0 turns them off.
LAOGAN_BACKUP_DIR = Path(env_str("LAOGAN_BACKUP_DIR") or DATA_DIR / "backups")
LAOGAN_BACKUP_KEEP = env_int("LAOGAN_BACKUP_KEEP", 7)
LAOGAN_BACKUP_HOUR = env_int("LAOGAN_BACKUP_HOUR", 2)
LAOGAN_SERVICE_HOTLINE = env_str("LAOGAN_SERVICE_HOTLINE", "0771-3100000")

# Messages: database (outbox only, the default), console, or sms_http (posts to the gateway below).
LAOGAN_MESSAGE_BACKEND = env_str("LAOGAN_MESSAGE_BACKEND", "database")
if LAOGAN_MESSAGE_BACKEND not in ("database", "console", "sms_http"):
    raise ImproperlyConfigured("LAOGAN_MESSAGE_BACKEND must be database, console or sms_http")
LAOGAN_SMS_GATEWAY_URL = env_str("LAOGAN_SMS_GATEWAY_URL")
LAOGAN_SMS_GATEWAY_TOKEN = env_str("LAOGAN_SMS_GATEWAY_TOKEN")
if LAOGAN_MESSAGE_BACKEND == "sms_http" and not LAOGAN_SMS_GATEWAY_URL:
    raise ImproperlyConfigured("LAOGAN_SMS_GATEWAY_URL must be set when LAOGAN_MESSAGE_BACKEND is sms_http")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LAOGAN_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
