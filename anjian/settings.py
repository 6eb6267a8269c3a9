"""Django settings for Anjian, read from the environment (see docs/configuration.md).

Defaults give a working development instance on an embedded SQLite database
under ``var/``; production sets ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY``,
``ALLOWED_HOSTS`` and ``DEBUG=0``.
"""

import os
import tempfile
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent
VAR_DIR = Path(os.environ.get("ANJIAN_VAR_DIR", PROJECT_DIR / "var"))


def envbool(name: str, default: str) -> bool:
    return os.environ.get(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


DEBUG = envbool("DEBUG", "0")
SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-insecure-key-change-me")  # noqa: S105
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "anjian.core",
    "anjian.utilities",
    "anjian.territory",
    "anjian.accounts",
    "anjian.enterprises",
    "anjian.indicators",
    "anjian.inspections",
    "anjian.hazards",
    "anjian.accidents",
    "anjian.targets",
    "anjian.demo",
    "anjian.files",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "anjian.core.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "anjian.core.middleware.DefaultLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "anjian.accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "anjian.core.middleware.RequestContextMiddleware",
    "anjian.core.clock.ClockMiddleware",
]

ROOT_URLCONF = "anjian.urls"
WSGI_APPLICATION = "anjian.wsgi.application"

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
                "anjian.core.context_processors.navigation",
            ],
        },
    }
]

# Database: SQLite under var/ unless DATABASE_URL says otherwise.
_default_db = "sqlite:///" + str(VAR_DIR / "anjian.sqlite3")
DATABASES = {"default": dj_database_url.parse(os.environ.get("DATABASE_URL", _default_db), conn_max_age=60)}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})
    # WAL: readers never wait for the writer. IMMEDIATE: a transaction takes the write lock when it
    # begins, so a second one racing for the same row waits (up to ``timeout`` seconds) and then reads
    # the row as the first left it (the workflow's 409), instead of failing with "database is locked"
    # when its read snapshot turns out stale at its first write (docs/architecture.md, Concurrency).
    DATABASES["default"]["OPTIONS"].update({
        "timeout": envint("ANJIAN_SQLITE_TIMEOUT", 20),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    })
    # Tests on SQLite use a file, not Django's shared in-memory database: concurrency tests need
    # connections in several threads that lock and wait like the real thing. One file per process
    # (pytest-xdist workers add their own suffix); Django deletes it after the run.
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("ANJIAN_SQLITE_TEST_DB") or str(
        Path(tempfile.gettempdir()) / f"anjian-test-{os.getpid()}.sqlite3")}
if os.environ.get("ANJIAN_TEST_DB_NAME") and not DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Lets several checkouts run their suites against one PostgreSQL server at once.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["ANJIAN_TEST_DB_NAME"]}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["anjian.accounts.backends.LockoutModelBackend"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "anjian.accounts.validators.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "anjian.accounts.validators.CharacterClassValidator", "OPTIONS": {"min_classes": 3}},
    {"NAME": "anjian.accounts.validators.UsernameInPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
     "OPTIONS": {"user_attributes": ("username", "full_name", "email", "phone")}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
# API tokens (POST /api/v1/auth/token/) expire this many hours after they are issued; a password
# change revokes them, and a user sees and revokes their own (account page, /api/v1/auth/tokens/).
ANJIAN_TOKEN_TTL_HOURS = envint("ANJIAN_TOKEN_TTL_HOURS", 7 * 24)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Security policy (secadmin's settings; see docs/configuration.md).
ANJIAN_LOCKOUT_FAILURES = envint("ANJIAN_LOCKOUT_FAILURES", 5)
ANJIAN_LOCKOUT_WINDOW_MINUTES = envint("ANJIAN_LOCKOUT_WINDOW_MINUTES", 15)
ANJIAN_IDLE_TIMEOUT_MINUTES = envint("ANJIAN_IDLE_TIMEOUT_MINUTES", 30)
ANJIAN_UPLOAD_MAX_BYTES = envint("ANJIAN_UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Uploaded pictures: the most pixels one may claim (a 69-byte PNG can claim 20000x20000; decoding it
# would take 1.2 GB). 50 million covers every phone camera.
ANJIAN_UPLOAD_MAX_PIXELS = envint("ANJIAN_UPLOAD_MAX_PIXELS", 50_000_000)
# Behind nginx: the internal location the /files/ view hands files to with X-Accel-Redirect
# (docs/deployment.md); empty: Django streams them itself.
ANJIAN_ACCEL_REDIRECT_PREFIX = os.environ.get("ANJIAN_ACCEL_REDIRECT_PREFIX", "")
ANJIAN_IMPORT_MAX_BYTES = envint("ANJIAN_IMPORT_MAX_BYTES", 50 * 1024 * 1024)
# Imports with more rows than this run as a background job with a progress bar.
ANJIAN_IMPORT_BACKGROUND_ROWS = envint("ANJIAN_IMPORT_BACKGROUND_ROWS", 2000)
# Web exports of more rows than this run as a background job (file under VAR_DIR/exports, kept a day).
ANJIAN_EXPORT_INLINE_MAX_ROWS = envint("ANJIAN_EXPORT_INLINE_MAX_ROWS", 2000)
# Run background jobs inline (tests); otherwise Celery when REDIS_URL is set, else a thread.
ANJIAN_JOBS_INLINE = envbool("ANJIAN_JOBS_INLINE", "0")
ANJIAN_TRUST_X_FORWARDED_FOR = envbool("ANJIAN_TRUST_X_FORWARDED_FOR", "0")
# Day of the month on which enterprises that have not self-inspected are reminded (inspections app).
ANJIAN_SELF_INSPECTION_REMINDER_DAY = envint("ANJIAN_SELF_INSPECTION_REMINDER_DAY", 20)
# Overdue hazards: supervision orders escalate to the district after this many days.
ANJIAN_SUPERVISION_ESCALATE_DAYS = envint("ANJIAN_SUPERVISION_ESCALATE_DAYS", 7)
# The platform's date (YYYY-MM-DD) instead of the one recorded by `anjian demo` or the real one
# (anjian.core.clock; docs/configuration.md). Empty: not overridden.
ANJIAN_TODAY = os.environ.get("ANJIAN_TODAY", "")
# Imports: which reader (openpyxl streams in constant memory; calamine is faster but holds the sheet),
# and how often the progress bar moves.
ANJIAN_IMPORT_READER = os.environ.get("ANJIAN_IMPORT_READER", "stream")
ANJIAN_IMPORT_PROGRESS_ROWS = envint("ANJIAN_IMPORT_PROGRESS_ROWS", 500)
# Background jobs still "running" after this long are marked interrupted; finished jobs are purged after.
ANJIAN_JOB_TIMEOUT_MINUTES = envint("ANJIAN_JOB_TIMEOUT_MINUTES", 180)
ANJIAN_JOB_RETENTION_DAYS = envint("ANJIAN_JOB_RETENTION_DAYS", 30)
ANJIAN_SMS_BACKEND = os.environ.get("ANJIAN_SMS_BACKEND", "anjian.core.notify.ConsoleSMSBackend")

SESSION_COOKIE_AGE = 12 * 3600
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from the page, not the cookie
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = envbool("SECURE_COOKIES", "0")
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
if os.environ.get("SECURE_PROXY_SSL_HEADER"):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Internationalisation: Chinese first, English available.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", VAR_DIR / "static"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live under MEDIA_ROOT and are never served from it directly: only through
# /files/..., which checks the scope of the object they belong to (anjian.files).
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "private": {"BACKEND": "anjian.files.storage.PrivateStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# REST API
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "anjian.accounts.tokens.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "anjian.utilities.api_settings.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
        "rest_framework.filters.SearchFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "anjian.utilities.api_settings.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Anjian API",
    "DESCRIPTION": "安全生产与职业健康一张网 — REST API. Authenticate with POST /api/v1/auth/token/.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # The error answers of every operation (anjian/utilities/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums", "anjian.utilities.schema.declare_error_responses"],
}

# Background work: Celery on Redis when REDIS_URL is set; in-process otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not (REDIS_URL or os.environ.get("CELERY_BROKER_URL"))
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {}
MQTT_URL = os.environ.get("MQTT_URL", "")

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "anjian@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}

# The area the demo district and the default scope of `district` users hang under.
ANJIAN_DISTRICT_CODE = os.environ.get("ANJIAN_DISTRICT_CODE", "410199000000")

__all__ = ["_"]
