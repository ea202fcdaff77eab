"""Django settings: everything from environment variables, with embedded defaults.

Defaults run the whole platform on one laptop (SQLite in WAL mode, console email). Set
COMMONWEAL_ENV=production for the production path: DEBUG off, secure cookies, HSTS, strict CSP,
and SECRET_KEY / ALLOWED_HOSTS required from the environment.
"""

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured


def env(name: str, default: str | None = None) -> str | None:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


PACKAGE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(env("COMMONWEAL_VAR_DIR", str(Path.cwd() / "var"))).resolve()

PRODUCTION = env("COMMONWEAL_ENV", "development") == "production"

if PRODUCTION:
    if not env("SECRET_KEY") or not env("ALLOWED_HOSTS"):
        raise ImproperlyConfigured("production (COMMONWEAL_ENV=production) needs SECRET_KEY and ALLOWED_HOSTS in the environment")
    SECRET_KEY = env("SECRET_KEY")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
else:
    SECRET_KEY = env("SECRET_KEY", "dev-only-insecure-key-change-me-0123456789abcdefghijklmnopqrstuvwxyz")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
DEBUG = env_bool("DEBUG", not PRODUCTION)

# Key that encrypts organizations' payment credentials at rest (AES-256-GCM); derived from
# SECRET_KEY when not set, so set it explicitly in production and keep it out of backups.
CREDENTIALS_KEY = env("COMMONWEAL_CREDENTIALS_KEY")
# Ed25519 signing key of the public log (a signed-note private key file); never in the database.
LOG_SIGNING_KEY_PATH = env("COMMONWEAL_LOG_KEY", str(VAR_DIR / "log-signing.key"))
LOG_ORIGIN = env("COMMONWEAL_LOG_ORIGIN", "commonweal.localhost/log")
# Where tiles live: "db" (embedded default), or "dir:<path>" for a tlog-tiles directory that can
# be synced to static hosting.
LOG_STORE = env("COMMONWEAL_LOG_STORE", "db")
# Witnesses that cosign checkpoints: "URL VKEY,URL VKEY" (c2sp.org/tlog-witness).
LOG_WITNESSES = [tuple(item.split()) for item in env_list("COMMONWEAL_LOG_WITNESSES", "")]
LOG_WITNESS_TIMEOUT = float(env("COMMONWEAL_LOG_WITNESS_TIMEOUT", "2"))
SITE_URL = env("COMMONWEAL_SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "django_htmx",
    "ninja",  # serves /api/v1/docs (Swagger UI) from local static files; the CDN fallback breaks under the CSP
    "template_partials",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "commonweal.core",
    "commonweal.accounts",
    "commonweal.ledger",
    "commonweal.orgs",
    "commonweal.projects",
    "commonweal.giving",
    "commonweal.disclosure",
    "commonweal.matching",
    "commonweal.programs",
    "commonweal.programs.grants",
    "commonweal.impact",
    "commonweal.opendata",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    "commonweal.accounts.middleware.OperatorMFAMiddleware",
    "commonweal.core.middleware.RejectedRequestLogMiddleware",
]

ROOT_URLCONF = "commonweal.urls"
WSGI_APPLICATION = "commonweal.wsgi.application"
ASGI_APPLICATION = "commonweal.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
            "builtins": ["template_partials.templatetags.partials"],
        },
    }
]

# --- database -------------------------------------------------------------------------------
DEFAULT_SQLITE = f"sqlite:///{VAR_DIR / 'commonweal.sqlite3'}"
# Persistent connections (seconds) spare PostgreSQL a new backend per request; production sets it.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", DEFAULT_SQLITE), conn_max_age=int(env("DATABASE_CONN_MAX_AGE", "0")), conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE: a write transaction takes the lock at BEGIN, so concurrent writers queue
        # on busy_timeout instead of failing with "database is locked" on lock upgrade.
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    DATABASES["default"]["TEST"] = {"NAME": env("COMMONWEAL_TEST_SQLITE", str(VAR_DIR / "test.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- accounts -------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Commonweal"
LOGIN_REDIRECT_URL = "/"
LOGIN_URL = "/accounts/login/"

EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Commonweal <noreply@commonweal.localhost>")

# --- i18n -----------------------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Shanghai"
USE_TZ = True

# --- static and media -----------------------------------------------------------------------
STATIC_URL = "/static/"
# The site-wide stylesheet and scripts live in the package, not in an app: let the finders see them.
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
STATIC_ROOT = Path(env("STATIC_ROOT", str(VAR_DIR / "static")))
if not PRODUCTION:
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # whitenoise warns at start-up when it is missing
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- background tasks -----------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- security -------------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
    }
}
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

# --- logging: one structured line per money event / rejected request, no personal data ----
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"line": {"()": "commonweal.core.logformat.UTCFormatter", "format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
    "loggers": {
        "commonweal": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO"), "propagate": False},
    },
}

# Reverse proxies (addresses or networks, comma-separated) whose X-Forwarded-For names the client
# (core.proxies); empty: the peer is the client.
TRUSTED_PROXIES = env_list("COMMONWEAL_TRUSTED_PROXIES", "")

# Payment notifications older or newer than this are refused as replays.
PAYMENT_REPLAY_WINDOW_SECONDS = 300

# Complaints one reporter may send, counted per account, per email address and per client address
# (disclosure.services.complaints.complaint_limits): in any hour, in any 24 hours, and about one
# project in any 24 hours. 0 switches a limit off.
COMPLAINTS_PER_HOUR = int(env("COMMONWEAL_COMPLAINTS_PER_HOUR", "5"))
COMPLAINTS_PER_DAY = int(env("COMMONWEAL_COMPLAINTS_PER_DAY", "20"))
COMPLAINTS_PER_PROJECT_PER_DAY = int(env("COMMONWEAL_COMPLAINTS_PER_PROJECT_PER_DAY", "3"))
