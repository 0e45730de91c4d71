"""Settings for OneWindow, read from environment variables with safe embedded defaults.

The embedded default (no environment at all) is a single-machine setup: SQLite in ``var/``,
background tasks in a thread, notifications to the log. Production sets ``DATABASE_URL``
(PostgreSQL), ``SECRET_KEY``, ``DEBUG=0``, ``ALLOWED_HOSTS`` and ``TASK_BACKEND=celery``.
"""

from __future__ import annotations

import ipaddress
import os
from collections.abc import Mapping
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

# Transport security: on by default when DEBUG=0 (``manage.py check --deploy`` passes with no
# warning), each switchable for a deployment behind a TLS-terminating proxy (README).
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS") or (0 if DEBUG else 31536000))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
# The preload token requires includeSubDomains; SECURE_HSTS_PRELOAD=0 withholds it.
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", SECURE_HSTS_INCLUDE_SUBDOMAINS)
# Behind a TLS-terminating proxy: the header it sets on HTTPS requests, "Name: value"
# (e.g. "X-Forwarded-Proto: https"). The proxy must overwrite the header a client sends.
TLS_PROXY_HEADER = os.environ.get("SECURE_PROXY_SSL_HEADER", "").strip()
SILENCED_SYSTEM_CHECKS: list[str] = []
# Load balancers ask /healthz over plain HTTP inside the network (core/health.py); every other
# address is redirected to HTTPS — /metrics and /readyz too, so that METRICS_TOKEN never travels
# in clear.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if TLS_PROXY_HEADER:
    _proxy_name, _colon, _proxy_value = TLS_PROXY_HEADER.partition(":")
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _proxy_name.strip().upper().replace("-", "_"),
        _proxy_value.strip() or "https",
    )
    # The proxy may redirect to HTTPS and send HSTS itself: then these two may be off here.
    if not SECURE_SSL_REDIRECT:
        SILENCED_SYSTEM_CHECKS.append("security.W008")
    if not SECURE_HSTS_SECONDS:
        SILENCED_SYSTEM_CHECKS.append("security.W004")


def insecure_production_settings() -> list[str]:
    """The transport settings that production mode refuses, as ``NAME=value`` strings."""
    problems = []
    if not SESSION_COOKIE_SECURE:
        problems.append("SESSION_COOKIE_SECURE=0")
    if not CSRF_COOKIE_SECURE:
        problems.append("CSRF_COOKIE_SECURE=0")
    if not TLS_PROXY_HEADER:
        if not SECURE_SSL_REDIRECT:
            problems.append("SECURE_SSL_REDIRECT=0")
        if not SECURE_HSTS_SECONDS:
            problems.append("SECURE_HSTS_SECONDS=0")
    return problems


# Production mode refuses to start (every command, every server) with insecure transport
# settings, unless ONEWINDOW_ALLOW_INSECURE=1 says so on purpose (e.g. a plain-HTTP test box).
if not DEBUG and not env_bool("ONEWINDOW_ALLOW_INSECURE", False) and insecure_production_settings():
    from django.core.exceptions import ImproperlyConfigured

    _listed = ", ".join(insecure_production_settings())
    raise ImproperlyConfigured(
        f"生产模式（DEBUG=0）拒绝在不安全的设置下启动：{_listed}。"
        "请通过 HTTPS 提供服务；若由终结 TLS 的代理转发，请设置 SECURE_PROXY_SSL_HEADER；"
        "仅在明知风险的测试环境中可设置 ONEWINDOW_ALLOW_INSECURE=1。"
        f" / Production mode (DEBUG=0) refuses to start with insecure settings: {_listed}."
        " Serve over HTTPS; behind a TLS-terminating proxy set SECURE_PROXY_SSL_HEADER;"
        " only on a test machine, knowing the risk, set ONEWINDOW_ALLOW_INSECURE=1."
    )

# Content-Security-Policy (django-csp): scripts and styles only from our own static files,
# no inline script, style or event handler anywhere (ADR 0010).
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
# Permissions-Policy (django-permissions-policy): no page needs any of these browser features.
PERMISSIONS_POLICY: dict[str, list[str]] = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "encrypted-media",
        "fullscreen",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "picture-in-picture",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}
# Answers under these prefixes (with or without /en/) are never stored by a browser or a proxy;
# neither is any answer for a signed-in user (core/middleware.py).
ONEWINDOW_NO_STORE_PREFIXES = [
    "/staff/",
    "/admin/",
    "/api/cases/",
    "/api/progress/",
    "/progress/",
    "/my/",
    "/api/citizens/",
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_otp",
    # Only for staff migration 0003, which moves its clear-key devices to the encrypted
    # staff.StaffTOTPDevice (ADR 0012, amended); nothing else uses it.
    "django_otp.plugins.otp_totp",
    "onewindow.core",
    "onewindow.org",
    "onewindow.catalog",
    "onewindow.workcal",
    "onewindow.workflow",
    "onewindow.applicants",
    "onewindow.papers",
    "onewindow.cases",
    "onewindow.citizens",
    "onewindow.hall",
    "onewindow.care",
    "onewindow.online",
    "onewindow.knowledge",
    "onewindow.ratings",
    "onewindow.assess",
    "onewindow.hotline",
    "onewindow.grid",
    "onewindow.urban",
    "onewindow.enforcement",
    "onewindow.notify",
    "onewindow.reports",
    "onewindow.staff",
    "onewindow.dashboard",
    "onewindow.demo",
]

MIDDLEWARE = [
    # Request counts and latency for /metrics (config/metrics.py); its pair is the last one.
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    # X-Request-ID on the answer and on every log line of the request (core/requestid.py).
    "onewindow.core.requestid.RequestIdMiddleware",
    # A body larger than any upload allows answers 413 before anything reads it
    # (core/bodylimit.py; REQUEST_BODY_MAX_BYTES below).
    "onewindow.core.bodylimit.RequestBodyLimitMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Any 401/403 answer that nothing audited gets its audit row (core/audit_middleware.py).
    "onewindow.core.audit_middleware.RefusalAuditMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # Idle and lifetime limits of a staff session; a session waiting for its second factor
    # counts as signed out everywhere but the second-factor pages (staff/sessions.py).
    "onewindow.staff.sessions.StaffSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Cache-Control: no-store on every answer that may carry personal data (core/middleware.py).
    "onewindow.core.middleware.NoStoreMiddleware",
    # A page's address or query with a control character (a NUL byte) answers 400 before any
    # view runs (core/validation.py); the API checks its own input.
    "onewindow.core.validation.ControlCharactersRefusedMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
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
                # care_mode and care_available on every page (care/context_processors.py).
                "onewindow.care.context_processors.care",
            ],
        },
    },
]

VAR_DIR.mkdir(parents=True, exist_ok=True)
(VAR_DIR / "static").mkdir(exist_ok=True)
# Database connections: with DEBUG=0 (gunicorn's long-lived workers and threads, Celery) each
# thread keeps its connection for DATABASE_CONN_MAX_AGE seconds (default 60) instead of opening
# one per request, and checks a kept one before reusing it (DATABASE_CONN_HEALTH_CHECKS); the
# embedded server (DEBUG=1, a new thread per request) opens one per request.
DATABASE_CONN_MAX_AGE = int(os.environ.get("DATABASE_CONN_MAX_AGE") or (0 if DEBUG else 60))
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'onewindow.sqlite3'}",
        conn_max_age=DATABASE_CONN_MAX_AGE,
        conn_health_checks=env_bool("DATABASE_CONN_HEALTH_CHECKS", DATABASE_CONN_MAX_AGE > 0),
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

# Staff accounts (staff/README.md). Wrong passwords: per user name, and per client address
# across any names (a hall behind one NAT address shares the second limit).
STAFF_SIGN_IN_MAX_FAILURES = int(os.environ.get("STAFF_SIGN_IN_MAX_FAILURES", "5"))
STAFF_SIGN_IN_LOCK_MINUTES = int(os.environ.get("STAFF_SIGN_IN_LOCK_MINUTES", "15"))
STAFF_SIGN_IN_ADDRESS_MAX_FAILURES = int(os.environ.get("STAFF_SIGN_IN_ADDRESS_MAX_FAILURES", "30"))
STAFF_SIGN_IN_ADDRESS_LOCK_MINUTES = int(os.environ.get("STAFF_SIGN_IN_ADDRESS_LOCK_MINUTES", "15"))
# Roles whose accounts need a TOTP second factor (ADR "staff accounts"). None on the embedded
# demo, so that ``make run`` stays two steps; otherwise every role that reads personal data or
# grants roles.
STAFF_SECOND_FACTOR_ROLES = env_list(
    "STAFF_SECOND_FACTOR_ROLES",
    []
    if DEBUG
    else [
        "intake_clerk",
        "output_clerk",
        "dept_approver",
        "dept_lead",
        "centre_manager",
        "hotline_agent",
        "grid_worker",
        "grid_chief",
        "grid_dispatcher",
        "enforcement_officer",
        "auditor",
        "admin",
        "security_admin",
    ],
)
STAFF_SECOND_FACTOR_MAX_FAILURES = int(os.environ.get("STAFF_SECOND_FACTOR_MAX_FAILURES", "5"))
# Enrolling a second factor takes a one-time code the security administrator issued (ADR 0012,
# amended); off on the embedded demo so that it stays two commands.
STAFF_ENROLMENT_NEEDS_CODE = env_bool("STAFF_ENROLMENT_NEEDS_CODE", not DEBUG)
STAFF_ENROLMENT_CODE_HOURS = int(os.environ.get("STAFF_ENROLMENT_CODE_HOURS", "72"))
# An enrolment begun and never confirmed (its device) and an unused enrolment code expired this
# many hours ago are deleted by the hourly staff task (staff/tasks.py).
STAFF_PENDING_ENROLMENT_HOURS = int(os.environ.get("STAFF_PENDING_ENROLMENT_HOURS", "24"))
OTP_TOTP_ISSUER = os.environ.get("OTP_TOTP_ISSUER", "OneWindow")
# A staff session ends after this many minutes without a request, and in any case this many
# hours after signing in.
STAFF_SESSION_IDLE_MINUTES = int(os.environ.get("STAFF_SESSION_IDLE_MINUTES", "30"))
STAFF_SESSION_MAX_HOURS = int(os.environ.get("STAFF_SESSION_MAX_HOURS", "12"))
SESSION_COOKIE_AGE = STAFF_SESSION_MAX_HOURS * 3600

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
# A request body (a form, a JSON body; uploaded files are not counted) is refused above this:
# the API answers 413 in its error format (config/api.py).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("DATA_UPLOAD_MAX_MEMORY_SIZE") or 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Electronic papers (papers/): PDF, JPEG or PNG decided by content; at most this many MB and
# PDF pages, images at most this many pixels (checked before decoding), thumbnails this many
# pixels on the longer side. Kept encrypted under MEDIA_ROOT/papers/ (ADR 0014).
PAPER_MAX_BYTES = int(float(os.environ.get("PAPER_MAX_MB") or 10) * 1024 * 1024)
# The largest request body any page or API call takes (core/bodylimit.py): the largest single
# upload (a paper, or a catalogue workbook of 20 MB) and room for the form's fields. Set the
# same limit on the reverse proxy in front (client_max_body_size).
REQUEST_BODY_MAX_BYTES = (
    int(float(os.environ.get("REQUEST_BODY_MAX_MB") or 0) * 1024 * 1024)
    or max(PAPER_MAX_BYTES, 20 * 1024 * 1024) + 1024 * 1024
)
# Unit grids (grid/): an import file (GeoJSON) of at most this many MB.
GRID_IMPORT_MAX_BYTES = int(float(os.environ.get("GRID_IMPORT_MAX_MB") or 20) * 1024 * 1024)
PAPER_MAX_PAGES = int(os.environ.get("PAPER_MAX_PAGES") or 50)
PAPER_MAX_PIXELS = int(os.environ.get("PAPER_MAX_PIXELS") or 40_000_000)
PAPER_THUMBNAIL_PIXELS = 320

# Cache: per process by default. Production with several workers sets CACHE_REDIS_URL, so that
# the cache is shared (pip install onewindow[celery] brings the redis client). The progress
# page's guessing limit counts in the database, which every process shares, unless a "limits"
# alias is set — here the same Redis (cases/progress.py).
CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL", "")
CACHES: dict[str, dict[str, object]] = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
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
# Rendered intake papers (cases/receipts.py), keyed by their content: files shared by the box's
# processes, under var/ (never MEDIA_ROOT: no URL serves them), kept a week; beyond 20,000 papers
# (~60 KB each) a third of them is dropped.
CACHES["documents"] = {
    "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
    "LOCATION": os.environ.get("DOCUMENT_CACHE_DIR") or str(VAR_DIR / "cache" / "documents"),
    "TIMEOUT": 7 * 24 * 3600,
    "OPTIONS": {"MAX_ENTRIES": 20_000},
}

# Background tasks: "thread" (embedded default, no extra server), "sync" (inline, tests),
# or "celery" (production; set CELERY_BROKER_URL to redis:// or amqp://).
TASK_BACKEND = os.environ.get("TASK_BACKEND", "thread")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "redis://127.0.0.1:6379/0")
# Publishing a task makes one try with this connect timeout (an unreachable broker is logged and
# its work left to the sweeps, never retried inside the request).
CELERY_PUBLISH_TIMEOUT_SECONDS = 1.0
# A told move's notice not handed over after this long is told by workflow's sweep.
WORKFLOW_NOTICE_GRACE_SECONDS = 60

# Personal data at rest (see core/crypto.py). The embedded default generates keys into
# var/keys.json; production sets both (url-safe base64, 32 bytes; first data key encrypts).
DATA_ENCRYPTION_KEYS = os.environ.get("DATA_ENCRYPTION_KEYS", "")
BLIND_INDEX_KEY = os.environ.get("BLIND_INDEX_KEY", "")
if not DEBUG and not (DATA_ENCRYPTION_KEYS and BLIND_INDEX_KEY):
    raise RuntimeError(
        "DATA_ENCRYPTION_KEYS and BLIND_INDEX_KEY must be set when DEBUG=0 / "
        "生产环境必须设置个人数据加密密钥"
    )
# The audit chain's HMAC key (core/audit_chain.py, ADR 0011; url-safe base64, >= 32 bytes).
# Production must set it (kept with the application servers, not in the database); only the
# embedded demo (DEBUG=1) derives one from SECRET_KEY.
AUDIT_CHAIN_KEY = os.environ.get("AUDIT_CHAIN_KEY", "").strip()
if not DEBUG and not AUDIT_CHAIN_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "生产模式（DEBUG=0）拒绝在未设置 AUDIT_CHAIN_KEY 时启动："
        "审计链的密钥须与应用服务器一同保管，"
        "不得由 SECRET_KEY 推导（URL 安全的 base64，至少 32 字节）。"
        " / Production mode (DEBUG=0) refuses to start without AUDIT_CHAIN_KEY: the audit"
        " chain's key is kept with the application servers, never derived from SECRET_KEY"
        " (url-safe base64, at least 32 bytes)."
    )
# Database roles (ADR 0011): production runs the application as a role that does not own the
# audit table; ONEWINDOW_AUDIT_OWNER_OK=1 lets the owner role run (for `migrate` only).
AUDIT_OWNER_OK = env_bool("ONEWINDOW_AUDIT_OWNER_OK", False)
# Reverse proxies whose X-Forwarded-For is believed (addresses or networks, comma-separated;
# core/client.py). Empty: the connection's address is the client's.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

# Changes of a person's identity details (applicants/services.py): a new phone waits for the
# code sent to it (or a second staff member) this many minutes, and this many wrong codes.
PERSON_CHANGE_CODE_MINUTES = int(os.environ.get("PERSON_CHANGE_CODE_MINUTES", "10"))
PERSON_CHANGE_CODE_ATTEMPTS = int(os.environ.get("PERSON_CHANGE_CODE_ATTEMPTS", "5"))
# Codes sent per person and per target phone in any hour, across all changes (429 beyond).
PERSON_CHANGE_CODES_PER_HOUR = int(os.environ.get("PERSON_CHANGE_CODES_PER_HOUR", "5"))
# The official identity check for a change of name (applicants/identity.py): a dotted path to
# a class with verify(id_type, id_number, name); the default refuses ("not configured").
IDENTITY_VERIFIER = os.environ.get(
    "IDENTITY_VERIFIER", "onewindow.applicants.identity.NotConfigured"
)
# Citizen and company accounts (citizens/README.md, ADR 0015): a sign-in code lives this many
# minutes and dies after this many wrong tries; one code a minute and this many a day per
# mobile, this many an hour per client address; a browser session ends after the idle minutes or
# the lifetime hours, an app's bearer token after the days; real-name binding tries per account
# and day. The real-name check: a dotted path to a class with verify(id_number, name,
# phone_index) (citizens/realname.py); the embedded demo checks the city's own register.
CITIZEN_CODE_MINUTES = int(os.environ.get("CITIZEN_CODE_MINUTES", "5"))
CITIZEN_CODE_ATTEMPTS = int(os.environ.get("CITIZEN_CODE_ATTEMPTS", "5"))
CITIZEN_CODE_RESEND_SECONDS = int(os.environ.get("CITIZEN_CODE_RESEND_SECONDS", "60"))
CITIZEN_CODES_PER_DAY = int(os.environ.get("CITIZEN_CODES_PER_DAY", "10"))
CITIZEN_CODES_PER_ADDRESS_HOUR = int(os.environ.get("CITIZEN_CODES_PER_ADDRESS_HOUR", "30"))
CITIZEN_SESSION_IDLE_MINUTES = int(os.environ.get("CITIZEN_SESSION_IDLE_MINUTES", "30"))
CITIZEN_SESSION_HOURS = int(os.environ.get("CITIZEN_SESSION_HOURS", "12"))
CITIZEN_TOKEN_DAYS = int(os.environ.get("CITIZEN_TOKEN_DAYS", "30"))
CITIZEN_BIND_ATTEMPTS_PER_DAY = int(os.environ.get("CITIZEN_BIND_ATTEMPTS_PER_DAY", "5"))
# The embedded demo writes each sign-in code to the console (the log backend masks it in the
# message): never on in production.
CITIZEN_CODE_CONSOLE = env_bool("CITIZEN_CODE_CONSOLE", DEBUG) and DEBUG
CITIZEN_REAL_NAME_VERIFIER = os.environ.get("CITIZEN_REAL_NAME_VERIFIER") or (
    "onewindow.citizens.realname.DemoRegistryVerifier"
    if DEBUG
    else "onewindow.citizens.realname.NotConfigured"
)
# How long a look-up token of the applicants API names its person or organisation (minutes).
APPLICANT_LOOKUP_TOKEN_MINUTES = int(os.environ.get("APPLICANT_LOOKUP_TOKEN_MINUTES", "30"))

# Case numbers: unique across the city. Fields: district (6-digit division code), date, seq.
CASE_NUMBER_FORMAT = os.environ.get("CASE_NUMBER_FORMAT", "{district}{date:%Y%m%d}{seq:05d}")


def public_base_url(environ: Mapping[str, str]) -> str:
    """Where citizens reach the public pages (receipts, QR codes, the SMS short link):
    ``PUBLIC_BASE_URL``, else the address served, from ``HOST`` and ``PORT`` (``make run``
    passes them), so that a server on another port never prints links to port 8000."""
    explicit = (environ.get("PUBLIC_BASE_URL") or "").strip()
    if explicit:
        return explicit.rstrip("/")
    host = (environ.get("HOST") or "").strip() or "127.0.0.1"
    port = (environ.get("PORT") or "").strip() or "8000"
    if not port.isascii() or not port.isdigit() or not 0 < int(port) < 65536:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"PORT 必须是 1–65535 之间的数字，而不是 {port!r}"
            f" / PORT must be a number from 1 to 65535, not {port!r}"
        )
    if host in {"0.0.0.0", "::", "[::]"}:
        host = "127.0.0.1"  # bound to every address: this machine reaches it there
    elif ":" in host and not host.startswith("["):
        host = f"[{host}]"  # an IPv6 address in a URL
    return f"http://{host}:{int(port)}"


PUBLIC_BASE_URL = public_base_url(os.environ)

# Local names for the platform, shown in page headers.
ONEWINDOW_CITY_NAME = os.environ.get("ONEWINDOW_CITY_NAME", "")

# Logs: "plain" (the message only; the embedded default) or "json" (one object a line with the
# request id; the production profile). LOG_REQUESTS: one line per request (core/requestid.py).
LOG_FORMAT = os.environ.get("LOG_FORMAT", "plain").strip().lower() or "plain"
if LOG_FORMAT not in {"plain", "json"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"LOG_FORMAT 只能是 plain 或 json，而不是 {LOG_FORMAT!r}"
        f" / LOG_FORMAT must be plain or json, not {LOG_FORMAT!r}"
    )
LOG_REQUESTS = env_bool("LOG_REQUESTS", LOG_FORMAT == "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "request_id": {"()": "onewindow.core.requestid.RequestIdFilter"},
        "refusals_at_info": {"()": "onewindow.core.logfilters.RefusalsAtInfo"},
    },
    "formatters": {
        "plain": {"format": "%(message)s"},
        "json": {"()": "onewindow.core.requestid.JsonFormatter"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "filters": ["request_id"],
            "formatter": LOG_FORMAT,
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    # WeasyPrint and fontTools log every step of every PDF at INFO.
    "loggers": {
        # A 403 / 404 (audited already) is one INFO line, written once: not also through
        # Django's own DEBUG console handler (core/logfilters.py).
        "django.request": {
            "handlers": ["console"],
            "filters": ["refusals_at_info"],
            "level": os.environ.get("LOG_LEVEL", "INFO"),
            "propagate": False,
        },
        "jieba": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

# /metrics (config/metrics.py): readable from these addresses or networks, or with
# "Authorization: Bearer <METRICS_TOKEN>" when a token is set; anyone else gets a 404. Unset:
# the machine itself; set but empty: no address (the token alone). /readyz: the same rule.
_metrics_addresses = os.environ.get("METRICS_ALLOWED_ADDRESSES")
METRICS_ALLOWED_ADDRESSES = (
    ["127.0.0.1", "::1"]
    if _metrics_addresses is None
    else [part.strip() for part in _metrics_addresses.split(",") if part.strip()]
)
for _entry in METRICS_ALLOWED_ADDRESSES:
    try:
        ipaddress.ip_network(_entry, strict=False)
    except ValueError as _error:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured(
            f"METRICS_ALLOWED_ADDRESSES 中的 {_entry!r} 不是地址或网段"
            f" / {_entry!r} in METRICS_ALLOWED_ADDRESSES is not an address or a network"
        ) from _error
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "").strip()
# How long the database counts of /metrics are shared by every worker (core/sharedcache.py).
METRICS_CACHE_SECONDS = float(os.environ.get("METRICS_CACHE_SECONDS") or 30)
# /readyz (core/health.py): how long to wait for a Celery worker's answer, in seconds, and how
# long the broker and worker answer is shared by every process (core/sharedcache.py).
HEALTH_WORKER_TIMEOUT = float(os.environ.get("HEALTH_WORKER_TIMEOUT") or 1.0)
HEALTH_CACHE_SECONDS = float(os.environ.get("HEALTH_CACHE_SECONDS") or 5)

ADMIN_SITE_HEADER = _("OneWindow administration")

# Appointments and the queue (onewindow.hall, ADR 0017): how far ahead a slot can be booked,
# the no-show limit (HALL_NO_SHOW_LIMIT no-shows within HALL_NO_SHOW_WINDOW_DAYS → no booking
# for HALL_NO_SHOW_BAN_DAYS), how early and late a booking checks in at the kiosk, and the
# service time assumed for a wait estimate before a group has served anybody today.
HALL_BOOKING_DAYS_AHEAD = int(os.environ.get("HALL_BOOKING_DAYS_AHEAD", "7"))
HALL_NO_SHOW_LIMIT = int(os.environ.get("HALL_NO_SHOW_LIMIT", "3"))
HALL_NO_SHOW_WINDOW_DAYS = int(os.environ.get("HALL_NO_SHOW_WINDOW_DAYS", "30"))
HALL_NO_SHOW_BAN_DAYS = int(os.environ.get("HALL_NO_SHOW_BAN_DAYS", "30"))
HALL_CHECK_IN_EARLY_MINUTES = int(os.environ.get("HALL_CHECK_IN_EARLY_MINUTES", "30"))
HALL_CHECK_IN_LATE_MINUTES = int(os.environ.get("HALL_CHECK_IN_LATE_MINUTES", "15"))
HALL_DEFAULT_SERVICE_MINUTES = int(os.environ.get("HALL_DEFAULT_SERVICE_MINUTES", "8"))
# Resident ID numbers one kiosk (client address) may type a minute; beyond: 429, audited.
HALL_KIOSK_ID_TRIES_PER_MINUTE = int(os.environ.get("HALL_KIOSK_ID_TRIES_PER_MINUTE", "10"))
# Booking codes one kiosk may type a minute (40-bit codes: guessing in bulk is refused, 429).
HALL_KIOSK_CODE_TRIES_PER_MINUTE = int(os.environ.get("HALL_KIOSK_CODE_TRIES_PER_MINUTE", "10"))

# Ratings (好差评, 国办发〔2019〕51号): the local rules. RATING_PERIOD_DAYS: natural days after
# completion (or the visit) within which the applicant may rate; RATING_DEFAULT_LEVEL: the level
# given when no rating came within the period ("" none, or 3 or 5 — counted apart from active
# ratings); RATING_PROMISED_MIN: the minimum number of ratings a promised item should have each
# month (shown in the tables); RATING_CALLBACK_WORKING_DAYS: a bad rating is called back within
# that many working days; RATING_LEDGER_MIN_DAYS / _MAX_DAYS: the bounds of a 限期整改 deadline
# in working days; RATING_SCORES: points per level for the staff score (5,4,3,2,1).
RATING_PERIOD_DAYS = int(os.environ.get("RATING_PERIOD_DAYS", "7"))
RATING_DEFAULT_LEVEL = os.environ.get("RATING_DEFAULT_LEVEL", "5").strip()
# RATING_DEFAULTS_FROM: the default is given only to cases completed from this local date
# (YYYY-MM-DD); empty (the safe rule): only to cases completed within the last
# 2 × RATING_PERIOD_DAYS days — so the first sweep after a deployment never defaults the whole
# history. Each default is dated when its period ended (completion + RATING_PERIOD_DAYS).
RATING_DEFAULTS_FROM = os.environ.get("RATING_DEFAULTS_FROM", "").strip()
RATING_PROMISED_MIN = int(os.environ.get("RATING_PROMISED_MIN", "2"))
RATING_CALLBACK_WORKING_DAYS = int(os.environ.get("RATING_CALLBACK_WORKING_DAYS", "1"))
RATING_LEDGER_MIN_DAYS = int(os.environ.get("RATING_LEDGER_MIN_DAYS", "5"))
RATING_LEDGER_MAX_DAYS = int(os.environ.get("RATING_LEDGER_MAX_DAYS", "15"))
# RATING_PAD_MINUTES: how long after a window move the rating pad at that window shows its form;
# RATING_POSTS_PER_MINUTE: public rating posts one client address may send a minute (429 beyond).
RATING_PAD_MINUTES = int(os.environ.get("RATING_PAD_MINUTES", "10"))
RATING_POSTS_PER_MINUTE = int(os.environ.get("RATING_POSTS_PER_MINUTE", "20"))
# HOTLINE_OPEN311_PER_MINUTE: the requests a new Open311 client may post a minute (429 beyond);
# each client's own limit is set when its key is issued.
HOTLINE_OPEN311_PER_MINUTE = int(os.environ.get("HOTLINE_OPEN311_PER_MINUTE", "30"))
RATING_SCORES = tuple(
    int(points) for points in os.environ.get("RATING_SCORES", "10,8,6,3,0").split(",")
)

# The 12345 hotline (国办发〔2020〕53号; local rules): a unit signs for an order within
# HOTLINE_SIGN_WORKING_DAYS, may return a wrongly dispatched one within
# HOTLINE_RETURN_WORKING_DAYS; the call-back is due HOTLINE_CALLBACK_WORKING_DAYS after the
# reply, and an order closes as "could not reach" after HOTLINE_CALLBACK_ATTEMPTS failed
# attempts per caller; one extension asks for at most HOTLINE_EXTENSION_MAX_WORKING_DAYS.
# Handling limits per type and urgency are data (hotline.TimeLimitRule, in the admin).
# HOTLINE_FROM_BAD_RATINGS: each active bad rating of the last
# HOTLINE_FROM_BAD_RATINGS_SINCE_DAYS days also becomes a submitted 12345 complaint.
HOTLINE_SIGN_WORKING_DAYS = int(os.environ.get("HOTLINE_SIGN_WORKING_DAYS", "1"))
HOTLINE_RETURN_WORKING_DAYS = int(os.environ.get("HOTLINE_RETURN_WORKING_DAYS", "2"))
HOTLINE_CALLBACK_WORKING_DAYS = int(os.environ.get("HOTLINE_CALLBACK_WORKING_DAYS", "1"))
HOTLINE_CALLBACK_ATTEMPTS = int(os.environ.get("HOTLINE_CALLBACK_ATTEMPTS", "3"))
HOTLINE_EXTENSION_MAX_WORKING_DAYS = int(os.environ.get("HOTLINE_EXTENSION_MAX_WORKING_DAYS", "10"))
HOTLINE_FROM_BAD_RATINGS = env_bool("HOTLINE_FROM_BAD_RATINGS", False)
# HOTLINE_TELEPHONY_TOKEN: the bearer token of the telephony system (CTI) that tells which agent
# a call rings through to (POST /api/hotline/telephony/calls); unset: that endpoint refuses all.
HOTLINE_TELEPHONY_TOKEN = os.environ.get("HOTLINE_TELEPHONY_TOKEN", "")
HOTLINE_FROM_BAD_RATINGS_SINCE_DAYS = int(
    os.environ.get("HOTLINE_FROM_BAD_RATINGS_SINCE_DAYS", "7")
)
# The knowledge base (知识库, 实时更新): a published article is reviewed again this many days after
# its publication or its last confirmed review.
KNOWLEDGE_REVIEW_DAYS = int(os.environ.get("KNOWLEDGE_REVIEW_DAYS", "180"))

# Grid management (城市网格化管理), reporting: a public report (web, 12345, Open311) is verified on
# site by the grid's worker within URBAN_VERIFY_LIMIT_HOURS working hours (核实); a report — a
# grid worker's, or a verified public one — is filed or refused by the supervision centre within
# URBAN_FILE_LIMIT_HOURS working hours (立案). A report carries at most URBAN_PHOTOS_MAX photos
# (JPEG, PNG or WebP) of at most URBAN_PHOTO_MAX_MB each (the phone page resizes them to 1600 px
# first). URBAN_PUBLIC_REPORTS_PER_HOUR: public web reports one client address may send an hour
# (429 beyond). URBAN_COMMAND_CENTRE: the name of the department that is the district's grid
# command centre as a 12345 handling unit — work orders dispatched to it become grid cases.
# A unit's feedback is checked on site (核查) within URBAN_CHECK_LIMIT_HOURS working hours.
URBAN_VERIFY_LIMIT_HOURS = float(os.environ.get("URBAN_VERIFY_LIMIT_HOURS", "1"))
URBAN_FILE_LIMIT_HOURS = float(os.environ.get("URBAN_FILE_LIMIT_HOURS", "1"))
URBAN_CHECK_LIMIT_HOURS = float(os.environ.get("URBAN_CHECK_LIMIT_HOURS", "1"))
URBAN_PHOTOS_MAX = int(os.environ.get("URBAN_PHOTOS_MAX", "6"))
URBAN_PHOTO_MAX_MB = float(os.environ.get("URBAN_PHOTO_MAX_MB", "5"))
URBAN_PUBLIC_REPORTS_PER_HOUR = int(os.environ.get("URBAN_PUBLIC_REPORTS_PER_HOUR", "10"))
URBAN_COMMAND_CENTRE = os.environ.get("URBAN_COMMAND_CENTRE", "城市管理监督指挥中心")
