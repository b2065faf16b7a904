"""Django settings for the CEUS training platform.

Two modes, chosen by DJANGO_ENV:
- ``development`` (default): embedded defaults that need no server at all — SQLite and media
  files under ``var/``, and Celery's filesystem broker under ``var/celery/`` so that a real
  worker process runs on a laptop.
- ``production``: every secret must come from the environment and the security settings pass
  ``manage.py check --deploy``.
Real services are switched on by environment variables (DATABASE_URL, CELERY_BROKER_URL …);
see the README's configuration table.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Exchange, Queue

from training.api_docs import API_DOCS
from training.beat import beat_schedule
from training.channel_layers import REDIS_OPTIONS, channel_layers
from training.env import env_bool, env_int, env_list, env_required, env_str, local_secret
from training.storages import cine_storages, s3_origins

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("DJANGO_VAR_DIR") or BASE_DIR / "var")
VAR_DIR.mkdir(parents=True, exist_ok=True)

DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "production"}:
    raise ImproperlyConfigured(
        f"DJANGO_ENV must be 'development' or 'production', not {DJANGO_ENV!r}"
    )
PRODUCTION = DJANGO_ENV == "production"


if PRODUCTION:
    SECRET_KEY = env_required("DJANGO_SECRET_KEY", "production mode never invents a secret key.")
else:
    # Kept under var/, so sessions survive restarts on a laptop.
    SECRET_KEY = env_str("DJANGO_SECRET_KEY") or local_secret(VAR_DIR / "secret_key")

DEBUG = env_bool("DJANGO_DEBUG", default=not PRODUCTION)
if PRODUCTION:
    # An empty list would answer 400 to every request: fail at start-up instead.
    env_required("DJANGO_ALLOWED_HOSTS", "production serves only the host names listed there.")
ALLOWED_HOSTS = env_list(
    "DJANGO_ALLOWED_HOSTS", [] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"]
)
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Before the admin: it patches the admin's model forms with the translation fields.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "core",
    "accounts",
    "courses",
    "cineloops",
    "cases",
    "quizzes",
    "certification",
    "offline",
    "consults",
    "live",
    # Demo data: after the apps it fills, which never import it; refused in production.
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "core.errors.SiteNotFoundMiddleware",  # development: the site's 404 page, not Django's
    # Last: turns a sign-in refused for a lockout into the lockout page (accounts.lockout).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "training.urls"
WSGI_APPLICATION = "training.wsgi.application"
ASGI_APPLICATION = "training.asgi.application"

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
                "core.context_processors.menu_counts",
            ],
            # ``tr`` / ``lang_marker`` for bilingual content, on every page.
            "builtins": ["core.templatetags.content_i18n"],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL says otherwise -------------------------
if PRODUCTION:
    env_required("DATABASE_URL", "production runs on PostgreSQL shared by web and workers.")
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A web process and a worker share the file: wait for locks instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache: Redis when CACHE_URL says so, else memory of each process -----------------------
# ``default`` holds the library's shared page parts (cases.cache). Without CACHE_URL each
# process keeps its own (the library's content version then lives in a file under VAR_DIR, so
# the workers of one host agree); with several hosts, set CACHE_URL.
# ``shared`` holds what must be counted once for all processes (rate limits, core.ratelimit):
# the same Redis, or else a table in the database (made by `manage.py createcachetable`).
_CACHE_URL = env_str("CACHE_URL")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        }
    ),
    "shared": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": _CACHE_URL}
        if _CACHE_URL
        else {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "shared_cache",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        }
    ),
}
# Without CACHE_URL: the file through which the processes of one host share the library's
# content version (see cases/cache.py).
CASES_CACHE_VERSION_FILE = VAR_DIR / "cache" / "cases-content-version"

# --- Real time: the live rooms' channel layer (training/channel_layers.py) -------------------
CHANNEL_REDIS_URL = env_str("CHANNEL_REDIS_URL", "") or ""
if PRODUCTION:
    env_required(
        "CHANNEL_REDIS_URL", "live rooms served by several ASGI processes share their groups."
    )
CHANNEL_REDIS_OPTIONS = REDIS_OPTIONS
CHANNEL_LAYERS = channel_layers(
    CHANNEL_REDIS_URL, prefix=env_str("CHANNEL_REDIS_PREFIX", "ceus-live") or "ceus-live"
)

# --- Accounts --------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "courses:dashboard"
LOGOUT_REDIRECT_URL = "core:home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_COOKIE_AGE", 14 * 24 * 3600)
AUTHENTICATION_BACKENDS = [
    # First: refuses every sign-in (HTML form, API token) of a locked-out account or address.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# --- Sign-in lockout (django-axes): one policy for the login page and the API token ---------
# After LOGIN_FAILURE_LIMIT failed sign-ins an account (and, if listed, an address) is refused
# for LOGIN_COOLOFF_MINUTES; each refused try restarts the wait. A successful sign-in clears
# the count. Failures are kept in the database, so every worker sees them.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
# Per account by default: a hospital behind one NAT address is not locked out as a whole by
# a few colleagues' typos. Add "ip_address" to also lock an address that sprays many accounts.
AXES_LOCKOUT_PARAMETERS = env_list("LOGIN_LOCKOUT_BY", ["username"])
if not AXES_LOCKOUT_PARAMETERS or set(AXES_LOCKOUT_PARAMETERS) - {"username", "ip_address"}:
    raise ImproperlyConfigured("LOGIN_LOCKOUT_BY lists username and/or ip_address.")
# axes.W006 warns of lockouts keyed on user agent or cookies, which rotating them bypasses; a
# lockout per account is not bypassed that way, so the warning does not apply to it.
SILENCED_SYSTEM_CHECKS = [] if "ip_address" in AXES_LOCKOUT_PARAMETERS else ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "core.client_address.client_address"  # the same rule as /verify/
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False
# Password-reset requests per client address and per e-mail address entered, per hour.
PASSWORD_RESET_RATE_PER_HOUR = env_int("PASSWORD_RESET_RATE_PER_HOUR", 5)

# --- Internationalisation --------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Content (titles, texts) is stored in both languages by django-modeltranslation: each
# registered field has a ``_en`` and a ``_zh_hans`` column and reads return the active language's
# value, falling back to the other language when it is empty (templates mark the fallback).
MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("en", "zh-hans")
MODELTRANSLATION_FALLBACK_LANGUAGES = {"default": ("en", "zh-hans")}
USE_I18N = True
USE_TZ = True  # stored in UTC, shown in the user's (or the platform's) timezone
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Asia/Shanghai")

# --- Static and media files ------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("DJANGO_MEDIA_ROOT") or VAR_DIR / "media")
# Production: `collectstatic` names each file after a hash of its content and writes .br and .gz
# copies (WhiteNoise's storage; .br needs its `brotli` extra); WhiteNoise's middleware serves the
# smallest copy the browser accepts and marks hashed names immutable, cached for years. Its
# defaults do all this: no WHITENOISE_* setting is needed. Development serves static/ as it is.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- Email: printed to the console unless an SMTP server is configured -----------------------
EMAIL_BACKEND = env_str("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("DJANGO_EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("DJANGO_EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("DJANGO_EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("DJANGO_EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("DJANGO_EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DJANGO_DEFAULT_FROM_EMAIL", "CEUS Training <noreply@localhost>")

# --- REST API --------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = API_DOCS  # training/api_docs.py

# --- Celery: filesystem broker under var/ unless CELERY_BROKER_URL is set --------------------
CELERY_DIR = VAR_DIR / "celery"
if PRODUCTION:
    # Workers run on other machines: a local filesystem queue would strand every task.
    env_required("CELERY_BROKER_URL", "production needs a broker that all workers reach.")
# "localhost" only silences kombu's "no hostname" warning; the transport ignores it.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or "filesystem://localhost/"
if CELERY_BROKER_URL.startswith("filesystem://"):
    for sub in ("queue", "processed", "control"):
        (CELERY_DIR / sub).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        # Exchange bindings (worker control, broadcast); kombu's default is ./control.
        "control_folder": str(CELERY_DIR / "control"),
        "store_processed": False,
    }
else:
    # Above the hard time limit, so a long task is not redelivered while it still runs.
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 2 * 3600}
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or (
    CELERY_BROKER_URL
    if CELERY_BROKER_URL.startswith("redis")
    else f"file://{(CELERY_DIR / 'results').as_posix()}"
)
if CELERY_RESULT_BACKEND.startswith("file://"):
    (CELERY_DIR / "results").mkdir(parents=True, exist_ok=True)
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 50 * 60)
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 60 * 60)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # long tasks: do not hoard messages on one worker
# Queues by resource (training.tasks; every task names its own): cine processing, minutes of CPU
# per loop, on "cine"; everything else, seconds each (deadlines, curves, evaluations, sweeps),
# on "light", served by workers of its own so that a long loop never delays a deadline. A
# worker started without -Q consumes both; anything sent without a queue goes to "light".
CELERY_TASK_QUEUES = tuple(
    Queue(name, Exchange(name), routing_key=name) for name in ("cine", "light")
)
CELERY_TASK_DEFAULT_QUEUE = "light"
CELERY_TASK_ROUTES = ("training.tasks.route",)
CELERY_TASK_ALWAYS_EAGER = False  # tests switch this on through a fixture, never here
CELERY_TIMEZONE = TIME_ZONE
# Periodic tasks (CELERY_BEAT_SCHEDULE, below: training/beat.py): one `celery -A training beat`
# in production, embedded in the worker by `manage.py serve`. Beat keeps its last-run times here.
CELERY_DIR.mkdir(parents=True, exist_ok=True)
CELERY_BEAT_SCHEDULE_FILENAME = str(CELERY_DIR / "beat-schedule")

# --- Security: strict in production, relaxed on a laptop -------------------------------------
SESSION_COOKIE_SECURE = PRODUCTION
CSRF_COOKIE_SECURE = PRODUCTION
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
# Client addresses (rate limits, sign-in lockout; core.client_address): REMOTE_ADDR unless a
# proxy of ours sets TRUSTED_PROXY_HEADER, appended to by TRUSTED_PROXY_COUNT proxies.
TRUSTED_PROXY_HEADER = env_str("TRUSTED_PROXY_HEADER", "") or ""
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if TRUSTED_PROXY_HEADER else 0)
# Content-Security-Policy (django-csp), in every mode: scripts and styles only from our static
# files, no inline script or event handler. One exception: style attributes, which carry
# geometry computed from data (aspect ratios, bar widths, timeline positions, a thumbnail
# strip) — autoescaped values in a few templates; <style> elements stay refused.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "media-src": ["'self'", "blob:"],
        "object-src": ["'none'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        # The service worker (/sw.js, offline study) and the web app manifest: ours only.
        "worker-src": ["'self'"],
        "manifest-src": ["'self'"],
    }
}
if PRODUCTION:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    # Load balancers probe over plain HTTP: a redirect would read as "down".
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)

# --- Logging: to stderr; never log request bodies or patient data ----------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Cine loops: uploads, de-identification, derived files (cineloops app) -------------------
# Originals (patient data) and de-identified outputs live outside MEDIA_ROOT: nothing here is
# ever served as static media; outputs go through a view that checks who may see the loop.
# Two storages (``cineloops.storage``): ``cine_originals`` and ``cine_media``. Embedded default:
# folders on this host, which web and workers must then share. With CEUS_S3_BUCKET: an
# S3-compatible object store (django-storages), and hosts share nothing but it, the database
# and Redis. CINE_UPLOAD_DIR always keeps this host's own files in progress (``incoming/``:
# uploads streaming in; ``work/``: a worker's copies while it processes a loop).
CINE_UPLOAD_DIR = Path(env_str("CINE_UPLOAD_DIR") or VAR_DIR / "uploads")
CINE_MEDIA_DIR = Path(env_str("CINE_MEDIA_DIR") or VAR_DIR / "cine")
CEUS_S3_BUCKET = env_str("CEUS_S3_BUCKET", "") or ""
_S3_ENDPOINT_URL = env_str("CEUS_S3_ENDPOINT_URL", "") or None
_S3_REGION = env_str("CEUS_S3_REGION", "") or None
# Media requests are answered by a redirect to an address signed for this long (the player
# seeks with it): the permission check is made again at every new request to the platform.
CEUS_S3_URL_EXPIRE_SECONDS = env_int("CEUS_S3_URL_EXPIRE_SECONDS", 300)
if not 10 <= CEUS_S3_URL_EXPIRE_SECONDS <= 3600:
    raise ImproperlyConfigured("CEUS_S3_URL_EXPIRE_SECONDS must be between 10 and 3600.")
STORAGES |= cine_storages(
    bucket=CEUS_S3_BUCKET,
    originals_bucket=env_str("CEUS_S3_ORIGINALS_BUCKET", "") or "",
    endpoint_url=_S3_ENDPOINT_URL,
    region=_S3_REGION,
    expire=CEUS_S3_URL_EXPIRE_SECONDS,
)
# Browsers follow the media redirects to the object store: let pages load from it.
for _directive in ("img-src", "media-src", "connect-src"):
    CONTENT_SECURITY_POLICY["DIRECTIVES"].setdefault(_directive, ["'self'"])
    CONTENT_SECURITY_POLICY["DIRECTIVES"][_directive] += s3_origins(
        bucket=CEUS_S3_BUCKET, endpoint_url=_S3_ENDPOINT_URL, region=_S3_REGION
    )
if PRODUCTION:
    # Web and workers must share it: it keys the replacement UIDs and the date shift.
    CINE_DEID_SECRET = env_required("CINE_DEID_SECRET", "de-identification needs a kept secret.")
else:
    CINE_DEID_SECRET = env_str("CINE_DEID_SECRET") or local_secret(VAR_DIR / "cine_deid_secret")
if len(CINE_DEID_SECRET.encode()) < 16:
    raise ImproperlyConfigured("CINE_DEID_SECRET must be at least 16 bytes long.")
CINE_KEEP_ORIGINALS = env_bool("CINE_KEEP_ORIGINALS", False)
# JPEG Baseline de-identified DICOM even for lossless sources (cine.dicom_writer).
CINE_DICOM_LOSSY = env_bool("CINE_DICOM_LOSSY", False)
CINE_MAX_UPLOAD_BYTES = env_int("CINE_MAX_UPLOAD_BYTES", 2 * 1024**3)  # per file or ZIP entry
CINE_MAX_ZIP_MEMBERS = env_int("CINE_MAX_ZIP_MEMBERS", 1000)
CINE_MAX_ZIP_EXPANDED_BYTES = env_int("CINE_MAX_ZIP_EXPANDED_BYTES", 4 * CINE_MAX_UPLOAD_BYTES)
# Behind nginx: an `internal` location aliased to CINE_MEDIA_DIR (see cineloops/media.py).
CINE_MEDIA_ACCEL_PREFIX = env_str("CINE_MEDIA_ACCEL_PREFIX", "")
# Loops waiting this long are queued again by the beat sweep (cineloops.recovery).
CINE_STALLED_AFTER_MINUTES = env_int("CINE_STALLED_AFTER_MINUTES", 15)
if CINE_STALLED_AFTER_MINUTES < 1:
    raise ImproperlyConfigured("CINE_STALLED_AFTER_MINUTES must be at least 1.")
# A processing run stamps a heartbeat at least every few seconds; silent this long, it is dead
# and its loop is queued again by the sweep: within timeout + sweep interval, whatever the broker.
CINE_HEARTBEAT_TIMEOUT_SECONDS = env_int("CINE_HEARTBEAT_TIMEOUT_SECONDS", 180)
if CINE_HEARTBEAT_TIMEOUT_SECONDS < 30:
    raise ImproperlyConfigured("CINE_HEARTBEAT_TIMEOUT_SECONDS must be at least 30.")
# Partial uploads and unclaimed originals untouched this long are deleted (sweep, worker start).
CINE_INCOMING_MAX_AGE_MINUTES = env_int("CINE_INCOMING_MAX_AGE_MINUTES", 60)
if CINE_INCOMING_MAX_AGE_MINUTES < 10:
    raise ImproperlyConfigured("CINE_INCOMING_MAX_AGE_MINUTES must be at least 10.")
CINE_SWEEP_INTERVAL_SECONDS = env_int("CINE_SWEEP_INTERVAL_SECONDS", 60)
if not 10 <= CINE_SWEEP_INTERVAL_SECONDS <= CINE_HEARTBEAT_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "CINE_SWEEP_INTERVAL_SECONDS must be between 10 and CINE_HEARTBEAT_TIMEOUT_SECONDS."
    )
# Resumable uploads (cineloops.resumable) untouched this long are deleted with their parts
# (patient data) by a light-queue sweep every 15 minutes; every part received pushes it back.
CINE_PARTIAL_UPLOAD_HOURS = env_int("CINE_PARTIAL_UPLOAD_HOURS", 24)
if CINE_PARTIAL_UPLOAD_HOURS < 1:
    raise ImproperlyConfigured("CINE_PARTIAL_UPLOAD_HOURS must be at least 1.")
# Time-intensity curves still pending after this long (the broker was down when the ROI was
# saved) are queued again, by a sweep run as often (cases app).
CASES_TIC_STALLED_AFTER_MINUTES = env_int("CASES_TIC_STALLED_AFTER_MINUTES", 5)
if CASES_TIC_STALLED_AFTER_MINUTES < 1:
    raise ImproperlyConfigured("CASES_TIC_STALLED_AFTER_MINUTES must be at least 1.")
# Periodic tasks: training/beat.py.
CELERY_BEAT_SCHEDULE = beat_schedule(
    cine_sweep_seconds=CINE_SWEEP_INTERVAL_SECONDS,
    tic_stalled_minutes=CASES_TIC_STALLED_AFTER_MINUTES,
)

# --- Certification ---------------------------------------------------------------------------
# Certificates carry absolute links (the QR code, the badge's ids): the address the public
# reaches this platform at.
if PRODUCTION:
    PLATFORM_BASE_URL = env_required(
        "PLATFORM_BASE_URL", "certificates and badges link to the public address."
    ).rstrip("/")
else:
    # Unset in development: the port this server runs on (PORT, which `make run PORT=8111` sets;
    # `manage.py serve --port` also passes its address on to the processes it starts).
    PLATFORM_BASE_URL = (
        env_str("PLATFORM_BASE_URL") or f"http://127.0.0.1:{env_int('PORT', 8000)}"
    ).rstrip("/")
# Seeds the Ed25519 key that signs Open Badges credentials (the key is derived from it, so
# web and workers agree). Kept for ever: a new value makes earlier badges unverifiable.
if PRODUCTION:
    CERT_SIGNING_SECRET = env_required(
        "CERT_SIGNING_SECRET", "badges are signed with a key that must outlive every restart."
    )
else:
    CERT_SIGNING_SECRET = env_str("CERT_SIGNING_SECRET") or local_secret(
        VAR_DIR / "cert_signing_secret"
    )
if len(CERT_SIGNING_SECRET.encode()) < 32:
    raise ImproperlyConfigured("CERT_SIGNING_SECRET must be at least 32 bytes long.")
# Requests per minute per client address on the public verification page.
CERT_VERIFY_RATE_PER_MINUTE = env_int("CERT_VERIFY_RATE_PER_MINUTE", 30)
CERT_EXPIRY_REMINDER_DAYS = (60, 14)

# --- Platform --------------------------------------------------------------------------------
PLATFORM_NAME = _("CEUS Training")
DEMO_DATA_ALLOWED = not PRODUCTION
