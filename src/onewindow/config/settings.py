"""Settings for OneWindow, read from environment variables with safe embedded defaults.

The embedded default (no environment at all) is a single-machine setup: SQLite in ``var/``,
background tasks in a thread, notifications to the log. Production sets ``DATABASE_URL``
(PostgreSQL), ``SECRET_KEY``, ``DEBUG=0``, ``ALLOWED_HOSTS`` and ``TASK_BACKEND=celery``.
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = Path(os.environ.get("ONEWINDOW_HOME", PACKAGE_DIR.parent.parent)).resolve()
VAR_DIR = Path(os.environ.get("ONEWINDOW_VAR", BASE_DIR / "var")).resolve()


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if not value:
        return default
    return [part.strip() for part in value.split(",") if part.strip()]


DEBUG = env_bool("DEBUG", True)
# The embedded default key is only for a local demo; production must set SECRET_KEY.
SECRET_KEY = os.environ.get("SECRET_KEY") or "onewindow-embedded-demo-key-not-for-production"
if not DEBUG and SECRET_KEY.startswith("onewindow-embedded"):
    raise RuntimeError("SECRET_KEY must be set when DEBUG=0 / 生产环境必须设置 SECRET_KEY")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "onewindow.core",
    "onewindow.org",
    "onewindow.catalog",
    "onewindow.workcal",
    "onewindow.workflow",
    "onewindow.applicants",
    "onewindow.cases",
    "onewindow.notify",
    "onewindow.staff",
    "onewindow.demo",
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
]

ROOT_URLCONF = "onewindow.config.urls"
WSGI_APPLICATION = "onewindow.config.wsgi.application"

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
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the background import thread write while pages read; IMMEDIATE avoids the
    # "database is locked" upgrade deadlock when two transactions both start writing.
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    # Tests run on a file, not in memory: concurrency tests need SQLite's real file locking
    # (an in-memory shared cache raises "table is locked" instead of waiting).
    # One file per test process, so two runs on one machine do not collide.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-onewindow-{os.getpid()}.sqlite3")}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# Staff sign in on the staff shell's own page (the admin keeps its login for administrators).
LOGIN_URL = "staff:sign_in"
LOGIN_REDIRECT_URL = "staff:home"

# zh-Hans first, English second.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Cache: per process by default. Production with several workers sets CACHE_REDIS_URL, so that
# the cache is shared (pip install onewindow[celery] brings the redis client). The progress
# page's guessing limit counts in the database, which every process shares, unless a "limits"
# alias is set — here the same Redis (cases/progress.py).
CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
if CACHE_REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
        },
        "limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_REDIS_URL,
            "KEY_PREFIX": "limits",
        },
    }

# Background tasks: "thread" (embedded default, no extra server), "sync" (inline, tests),
# or "celery" (production; set CELERY_BROKER_URL to redis:// or amqp://).
TASK_BACKEND = os.environ.get("TASK_BACKEND", "thread")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")

# Personal data at rest (see core/crypto.py). The embedded default generates keys into
# var/keys.json; production sets both (url-safe base64, 32 bytes; first data key encrypts).
DATA_ENCRYPTION_KEYS = os.environ.get("DATA_ENCRYPTION_KEYS", "")
BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY", "")
if not DEBUG and not (DATA_ENCRYPTION_KEYS and BLIND_INDEX_KEY):
    raise RuntimeError(
        "DATA_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set when DEBUG=0 / "
        "生产环境必须设置个人数据加密密钥"
    )

# Case numbers: unique across the city. Fields: district (6-digit division code), date, seq.
CASE_NUMBER_FORMAT = os.environ.get("CASE_NUMBER_FORMAT", "{district}{date:%Y%m%d}{seq:05d}")
# Where citizens reach the public pages (printed in receipts and QR codes).
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# Local names for the platform, shown in page headers.
ONEWINDOW_CITY_NAME = os.environ.get("ONEWINDOW_CITY_NAME", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {"jieba": {"level": "WARNING"}},
}

ADMIN_SITE_HEADER = _("OneWindow administration")
