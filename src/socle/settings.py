"""Socle settings: one module, every deployment choice read from ``SOCLE_*`` environment variables.

The zero-configuration default is an embedded SQLite database in ``SOCLE_DATA_DIR`` (``./socle-data``).
Production sets ``SOCLE_DATABASE_URL`` (PostgreSQL), ``SOCLE_SECRET_KEY``, ``SOCLE_ALLOWED_HOSTS``,
``SOCLE_HTTPS=true`` and the e-mail variables. See README.md, "Configuration".
"""

from __future__ import annotations

import secrets
from pathlib import Path

import dj_database_url

from socle.lib.env import EnvError, env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("SOCLE_DATA_DIR", "socle-data")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """The key from the environment, or one generated once and kept in the data folder."""
    key = env_str("SOCLE_SECRET_KEY")
    if key:
        if len(key) < 50:
            raise EnvError("SOCLE_SECRET_KEY must be at least 50 characters long")
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(64))
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("SOCLE_DEBUG", False)
ALLOWED_HOSTS = env_list("SOCLE_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
BASE_URL = env_str("SOCLE_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
HTTPS = env_bool("SOCLE_HTTPS", False)

_database_url = env_str("SOCLE_DATABASE_URL", f"sqlite:///{DATA_DIR / 'socle.sqlite3'}")
try:
    DATABASES = {"default": dj_database_url.parse(_database_url, conn_max_age=60)}
except ValueError as error:
    raise EnvError(f"SOCLE_DATABASE_URL cannot be read: {error}") from None
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=5000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = {"NAME": env_str("SOCLE_TEST_DATABASE_NAME") or None}

INSTALLED_APPS = [
    "socle.web",
    "socle.accounts",
    "socle.audit",
    "socle.network",
    "socle.frameworks",
    "socle.collection",
    "socle.api",
    "socle.imports",
    "socle.activity",
    "socle.measurement",
    "socle.improvement",
    "socle.qualitative",
    "socle.sector",
    "socle.impact",
    "socle.learning",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "socle.web.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "socle.accounts.middleware.SecondFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "socle.urls"
WSGI_APPLICATION = "socle.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "socle.web.context_processors.navigation",
            ],
        },
    },
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Login attempts: five failures for one e-mail from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = env_int("SOCLE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# The login form posts the e-mail in a field named "username" (Django's AuthenticationForm).
AXES_USERNAME_FORM_FIELD = "username"
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env_int("SOCLE_PROXY_COUNT", 0, minimum=0)
AXES_VERBOSE = False

OTP_TOTP_ISSUER = "Socle"

# Invitations
INVITATION_VALID_DAYS = env_int("SOCLE_INVITATION_VALID_DAYS", 7, minimum=1)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env_str("SOCLE_TIME_ZONE", "Europe/Paris")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_SECURE = HTTPS
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env_str("SOCLE_STATICFILES_STORAGE", "whitenoise.storage.CompressedManifestStaticFilesStorage")
    },
}
MEDIA_ROOT = DATA_DIR / "media"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# E-mail: console in the demo; SMTP as soon as SOCLE_EMAIL_HOST is set.
DEFAULT_FROM_EMAIL = env_str("SOCLE_EMAIL_FROM", "Socle <no-reply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_HOST = env_str("SOCLE_EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = env_int("SOCLE_EMAIL_PORT", 587, minimum=1)
    EMAIL_HOST_USER = env_str("SOCLE_EMAIL_USER")
    EMAIL_HOST_PASSWORD = env_str("SOCLE_EMAIL_PASSWORD")
    EMAIL_USE_TLS = env_bool("SOCLE_EMAIL_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"

# Security headers; SOCLE_HTTPS=true turns on everything a site served over HTTPS needs.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 60 * 60 * 12
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
CSRF_TRUSTED_ORIGINS = env_list("SOCLE_CSRF_TRUSTED_ORIGINS", [])
SECURE_SSL_REDIRECT = HTTPS and env_bool("SOCLE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = env_int("SOCLE_HSTS_SECONDS", 31536000 if HTTPS else 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS and env_bool("SOCLE_HSTS_PRELOAD", False)
if env_bool("SOCLE_BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Joining the browsers' HSTS preload list is an operator's commitment (SOCLE_HSTS_PRELOAD), not a default.
SILENCED_SYSTEM_CHECKS = ["security.W021"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("SOCLE_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# Background tasks (django-tasks with its database backend): imports run in `socle worker`.
# SOCLE_TASKS_IMMEDIATE=1 runs them at once, inside the request (tests, or a one-process demo).
TASKS = {
    "default": {
        "BACKEND": (
            "django_tasks.backends.immediate.ImmediateBackend"
            if env_bool("SOCLE_TASKS_IMMEDIATE", False)
            else "django_tasks_db.backend.DatabaseBackend"
        )
    }
}
