"""Puente settings: one file, every value read from the environment (see .env.example)."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    return env(name, default).strip().lower() in ("1", "true", "yes", "on")


def envint(name: str, default: int) -> int:
    try:
        return int(env(name, str(default)))
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer") from exc


def envsecret(name: str, default: str = "") -> str:
    """A secret from NAME, or from the file NAME_FILE points at (Docker/Kubernetes secrets)."""
    path = env(name + "_FILE")
    if path:
        return Path(path).read_text().strip()
    return env(name, default)


# "demo" is the laptop/demo mode `make run` uses: MFA off, insecure defaults allowed.
PUENTE_MODE = env("PUENTE_MODE", "production")
DEBUG = envbool("DEBUG", "false")
SECRET_KEY = envsecret("SECRET_KEY")
if not SECRET_KEY:
    if PUENTE_MODE in ("demo", "test") or DEBUG:
        SECRET_KEY = "insecure-demo-key-never-use-in-production-0123456789abcdef"
    else:
        raise ImproperlyConfigured("SECRET_KEY (or SECRET_KEY_FILE) must be set outside demo mode")

ALLOWED_HOSTS = [h.strip() for h in env("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",") if h.strip()]
CSRF_TRUSTED_ORIGINS = [o.strip() for o in env("CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "django_htmx",
    "django_tasks_db",
    "puente.core",
    "puente.accounts",
    "puente.audit",
    "puente.patients",
    "puente.episodes",
    "puente.directory",
    "puente.tasks",
    "puente.screening",
    "puente.assessments",
    "puente.notes",
    "puente.careplans",
    "puente.consent",
    "puente.referrals",
    "puente.caseload",
    "puente.timekeeping",
    "puente.perf",
    "puente.api",
    "puente.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "puente.accounts.middleware.IdleTimeoutMiddleware",
    "puente.accounts.middleware.RequireMFAMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "puente.core.context_processors.puente",
                "puente.tasks.context_processors.unread_notifications",
            ],
        },
    },
]

# SQLite under var/ by default (the embedded demo database); PostgreSQL in production and CI.
DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'var' / 'puente.sqlite3'}"),
        conn_max_age=envint("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    _pg_settings = []
    if not envbool("PUENTE_PG_JIT", "false"):
        # PostgreSQL's JIT compiles any plan whose *estimated* cost passes jit_above_cost; the permission
        # subqueries are estimated over a whole organization even where a patient's own index probe answers in a
        # millisecond, so a 1 ms note list spent 260 ms compiling (docs/performance.md). Short OLTP queries gain
        # nothing from it. PUENTE_PG_JIT=true restores the server's setting (e.g. for a reporting replica).
        _pg_settings.append("-c jit=off")
    # The server default (4) prices a random page read as on a spinning disk, so a directory search hashed the
    # whole service-at-location table (33 ms) rather than probe its index for the ~1,100 sites in the bounding
    # box (7 ms). An application's working set sits in memory or on SSD; 1.1 is the usual value there.
    # PUENTE_PG_RANDOM_PAGE_COST="" keeps the server's setting.
    _page_cost = env("PUENTE_PG_RANDOM_PAGE_COST", "1.1")
    if _page_cost:
        _pg_settings.append(f"-c random_page_cost={float(_page_cost)}")
    if _pg_settings:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = " ".join(_pg_settings)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
if PUENTE_MODE == "test":
    # Tests create hundreds of users; the slow hasher only costs time there.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Security: MFA for every staff role unless turned off (demo and tests only).
PUENTE_REQUIRE_MFA = envbool("PUENTE_REQUIRE_MFA", "false" if PUENTE_MODE in ("demo", "test") else "true")
PUENTE_IDLE_TIMEOUT_MINUTES = envint("PUENTE_IDLE_TIMEOUT_MINUTES", 15)
PUENTE_IDLE_WARNING_SECONDS = envint("PUENTE_IDLE_WARNING_SECONDS", 120)
PUENTE_BREAK_GLASS_MINUTES = envint("PUENTE_BREAK_GLASS_MINUTES", 60)
PUENTE_SW_REFERRAL_DUE_HOURS = envint("PUENTE_SW_REFERRAL_DUE_HOURS", 24)
# Directory: a listing not verified for this many days is shown as stale.
PUENTE_DIRECTORY_STALE_DAYS = envint("PUENTE_DIRECTORY_STALE_DAYS", 180)
# Directory imports larger than this are refused before being read (nothing imported).
PUENTE_DIRECTORY_IMPORT_MAX_MB = envint("PUENTE_DIRECTORY_IMPORT_MAX_MB", 25)
# Community referrals: the patient's check-back N days after acceptance, how long its link works, and when a
# referral counts as stalled (business days without acceptance; days without a partner update).
PUENTE_CHECKBACK_DAYS = envint("PUENTE_CHECKBACK_DAYS", 7)
PUENTE_CHECKBACK_LINK_HOURS = envint("PUENTE_CHECKBACK_LINK_HOURS", 168)
PUENTE_REFERRAL_ACCEPT_DAYS = envint("PUENTE_REFERRAL_ACCEPT_DAYS", 3)
PUENTE_REFERRAL_UPDATE_DAYS = envint("PUENTE_REFERRAL_UPDATE_DAYS", 14)
PUENTE_CHECKBACK_SWEEP_MINUTES = envint("PUENTE_CHECKBACK_SWEEP_MINUTES", 60)
# Consent: the largest signed form (PDF/JPEG/PNG) that may be uploaded, in MB.
PUENTE_CONSENT_UPLOAD_MAX_MB = envint("PUENTE_CONSENT_UPLOAD_MAX_MB", 10)
# Clocks: how often the background sweep runs, and how long before a task is due its reminder goes out.
PUENTE_CLOCK_SWEEP_MINUTES = envint("PUENTE_CLOCK_SWEEP_MINUTES", 5)
PUENTE_TASK_REMINDER_HOURS = envint("PUENTE_TASK_REMINDER_HOURS", 4)
# Python-only settings (dicts; see the apps' READMEs): PUENTE_ACUITY_WEIGHTS, PUENTE_ASSIGNMENT_WEIGHTS,
# PUENTE_CASELOAD_TARGETS (caseload), PUENTE_CLOCK_RULES (tasks).
OTP_TOTP_ISSUER = "Puente"

AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = envint("AXES_COOLOFF_MINUTES", 30) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_USERNAME_FORM_FIELD = "username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_VERBOSE = False

SESSION_COOKIE_AGE = 12 * 3600
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
SECURE_COOKIES = envbool("SECURE_COOKIES", "false" if DEBUG or PUENTE_MODE in ("demo", "test") else "true")
SESSION_COOKIE_SECURE = SECURE_COOKIES
CSRF_COOKIE_SECURE = SECURE_COOKIES
SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true" if SECURE_COOKIES else "false")
SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000 if SECURE_COOKIES else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_SECONDS > 0
SECURE_HSTS_PRELOAD = SECURE_HSTS_SECONDS > 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if envbool("BEHIND_PROXY", "false") else None
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy, in every mode (the browser tests run with it): only our own scripts, styles and
# images; no inline script, no eval (htmx's hx-on is not used, see static/js/puente.js), no framing, forms post
# only to us. The inline SVG of the MFA QR code is markup, not a resource; data: images are for it and favicons.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("es", _("Spanish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", "America/Denver")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Outside production, serve straight from the app folders (no collectstatic step for `make run`).
WHITENOISE_USE_FINDERS = PUENTE_MODE != "production" or DEBUG
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and PUENTE_MODE == "production"
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# Django 6.1 mailers. EMAIL_BACKEND picks the backend (console in development; smtp in production).
_email_backend = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or PUENTE_MODE in ("demo", "test")
    else "django.core.mail.backends.smtp.EmailBackend",
)
_email_options: dict = {}
if _email_backend.endswith("smtp.EmailBackend"):
    _email_options = {
        "host": env("EMAIL_HOST", "localhost"),
        "port": envint("EMAIL_PORT", 25),
        "username": env("EMAIL_HOST_USER"),
        "password": envsecret("EMAIL_HOST_PASSWORD"),
        "use_tls": envbool("EMAIL_USE_TLS", "false"),
        "timeout": 10,
    }
MAILERS = {"default": {"BACKEND": _email_backend, "OPTIONS": _email_options}}
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Puente <puente@localhost>")

TASKS = {
    "default": {
        # Tests run jobs at once, in the request; everywhere else the database queue and `db_worker`.
        "BACKEND": "django.tasks.backends.immediate.ImmediateBackend"
        if PUENTE_MODE == "test"
        else "django_tasks_db.DatabaseBackend"
    }
}
# Text messages to patients (self-screening links; later check-backs): a class with send(to, body).
PUENTE_SMS_BACKEND = env("PUENTE_SMS_BACKEND", "puente.core.messaging.ConsoleSMSBackend")
# Used in emails (which never carry PHI) to point at the app.
PUENTE_BASE_URL = env("PUENTE_BASE_URL", "http://127.0.0.1:8000")
# C-SSRS triage: "three_tier" (low/moderate/high, the common local convention; default) or "columbia"
# (Columbia's own two tiers: imminent risk vs. everything else).
PUENTE_CSSRS_TIERS = env("PUENTE_CSSRS_TIERS", "three_tier")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}

# axes.W006 asks to lock by IP too. Hospital staff share a few NAT addresses, so an IP lockout would let
# one person's typos (or an attacker) lock out a whole unit; accounts are locked by username instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Covering indexes (``Index(include=...)``) are a PostgreSQL speed-up; SQLite builds the same index without the
    # extra columns, which is what we want there (referrals.Referral "referral_open_by_stall").
    SILENCED_SYSTEM_CHECKS.append("models.W040")
