"""Django settings for Minhu.

Everything that differs between a laptop and a city's cluster comes from the
environment: DATABASE_URL (PostgreSQL in production, SQLite by default),
REDIS_URL (Huey's queue in production, SQLite by default), MINHU_SECRET_KEY,
MINHU_DEBUG, MINHU_ALLOWED_HOSTS and MINHU_DATA_DIR.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MINHU_DATA_DIR", BASE_DIR.parent / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
# The cold-start classifier is built from the shipped corpus and cached here by content
# fingerprint; several data directories (test cities) may share one cache.
TRIAGE_CACHE_DIR = Path(os.environ.get("MINHU_TRIAGE_CACHE_DIR", DATA_DIR / "triage")).resolve()

DEBUG = os.environ.get("MINHU_DEBUG", "1") == "1"
SECRET_KEY = os.environ.get("MINHU_SECRET_KEY", "dev-only-insecure-key-change-me-in-production")
ALLOWED_HOSTS = os.environ.get("MINHU_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(
    ","
)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "huey.contrib.djhuey",
    "minhu.core",
    "minhu.accounts",
    "minhu.org",
    "minhu.catalog",
    "minhu.workcal",
    "minhu.orders",
    "minhu.audit",
    "minhu.notices",
    "minhu.intake",
    "minhu.portal",
    "minhu.qrcodes",
    "minhu.patrol",
    "minhu.telephony",
    "minhu.partners",
    "minhu.outbox",
    "minhu.exchange",
    "minhu.open311",
    "minhu.geo",
    "minhu.triage",
    "minhu.dedup",
    "minhu.demo",
    "minhu.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "minhu.web.locale.ChosenLanguageMiddleware",  # zh-hans unless switched (not Accept-Language)
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "minhu.core.middleware.ReadableMethodNotAllowed",
    "minhu.core.middleware.DropNulFromPageQueries",
]
CSRF_FAILURE_VIEW = "minhu.core.views.csrf_failure"

ROOT_URLCONF = "minhu.urls"
WSGI_APPLICATION = "minhu.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "minhu.web.context.workspace",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# SQLite in WAL mode is the embedded default; DATABASE_URL selects PostgreSQL.
_sqlite_path = DATA_DIR / "minhu.sqlite3"
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{_sqlite_path}", conn_max_age=int(os.environ.get("MINHU_CONN_AGE", 60))
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets the web process read while the worker writes; IMMEDIATE
        # transactions avoid "database is locked" upgrades under contention.
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;"
        ),
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["TEST"] = {"NAME": os.environ.get("MINHU_TEST_SQLITE", "")}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Background jobs (Huey) ------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
HUEY = {
    "name": "minhu",
    "immediate": os.environ.get("MINHU_HUEY_IMMEDIATE", "0") == "1",
    "consumer": {"workers": int(os.environ.get("MINHU_WORKERS", 2)), "worker_type": "thread"},
}
if REDIS_URL:
    HUEY.update({"huey_class": "huey.RedisHuey", "url": REDIS_URL})
else:
    HUEY.update({"huey_class": "huey.SqliteHuey", "filename": str(DATA_DIR / "huey.sqlite3")})

# --- I18N -------------------------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language picked with the switch in the top bar is remembered for a year.
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"

# Attachments: what the intake edge accepts.
MINHU_ATTACHMENT_MAX_BYTES = 10 * 1024 * 1024
MINHU_ORDER_NUMBER_PREFIX = os.environ.get("MINHU_ORDER_PREFIX", "YZ")

# --- Citizen messages (SMS, e-mail); operator guide: docs/notifications.md ----------
# SMS backend by dotted path: ...console.ConsoleBackend (log only, the default),
# ...file.FileBackend (JSON lines in DATA_DIR), ...gateway.HttpGatewayBackend (production).
MINHU_SMS_BACKEND = os.environ.get("MINHU_SMS_BACKEND",
                                   "minhu.notices.backends.console.ConsoleBackend")
MINHU_SMS_GATEWAY_URL = os.environ.get("MINHU_SMS_GATEWAY_URL", "")
MINHU_SMS_GATEWAY_TOKEN = os.environ.get("MINHU_SMS_GATEWAY_TOKEN", "")
MINHU_SMS_GATEWAY_TIMEOUT = float(os.environ.get("MINHU_SMS_GATEWAY_TIMEOUT", "10"))
MINHU_SMS_SIGNATURE = os.environ.get("MINHU_SMS_SIGNATURE", "【云州12345】")
# Non-transactional SMS end with "回复TD退订"; with this on, also with the opt-out page link.
MINHU_SMS_OPTOUT_LINK = os.environ.get("MINHU_SMS_OPTOUT_LINK", "1") == "1"
# Shared secret the gateway sends (X-Minhu-Gateway-Secret) with inbound replies (TD/退订).
MINHU_SMS_INBOUND_SECRET = os.environ.get("MINHU_SMS_INBOUND_SECRET", "")
# Links in messages (rating, opt-out) are absolute: the address citizens reach us at.
MINHU_PUBLIC_URL = os.environ.get("MINHU_PUBLIC_URL", "http://127.0.0.1:8000")
# E-mail goes through Django's mail system: console in development, SMTP when set.
EMAIL_BACKEND = os.environ.get(
    "MINHU_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend" if os.environ.get("MINHU_EMAIL_HOST")
    else "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("MINHU_EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("MINHU_EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("MINHU_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("MINHU_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("MINHU_EMAIL_TLS", "0") == "1"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("MINHU_EMAIL_FROM", "12345@localhost")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MINHU_LOG_LEVEL", "WARNING")},
    # Django's own logger would print each line twice (its handler and the root's).
    "loggers": {"django": {"handlers": ["console"], "propagate": False}},
}

# --- Behind HTTPS in production ----------------------------------------------
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("MINHU_CSRF_TRUSTED_ORIGINS", "").split(",")
                        if o]
if not DEBUG:
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_CONTENT_TYPE_NOSNIFF = True
