"""Settings for the koopstadt C+R portal.

One module for every environment. Everything that differs between a laptop and a city's server is
read from environment variables; docs/settings.md documents each of them. With no variable set the
portal runs the "embedded default": SQLite, Celery tasks executed eagerly, e-mails on the console.
"""

import ipaddress
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from cities.directory.roles import Role
from koopstadt.env import (
    env_bool,
    env_float,
    env_int,
    env_list,
    env_name_map,
    env_names_map,
    env_required,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

# --- Environment ---------------------------------------------------------------------------------
DJANGO_ENV = env_str("DJANGO_ENV", "development")
if DJANGO_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured("DJANGO_ENV must be development, test or production")
PRODUCTION = DJANGO_ENV == "production"

if PRODUCTION:
    SECRET_KEY = env_required("SECRET_KEY", "production needs a long random secret (50+ characters)")
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("The environment variable ALLOWED_HOSTS must be set in production")
    DEBUG = False
else:
    # Only ever used on a developer's machine; production refuses to start without its own key.
    SECRET_KEY = env_str("SECRET_KEY") or "django-insecure-local-development-only-0f6c1b3e9a4d2f7e8b5c"
    ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"])
    DEBUG = env_bool("DEBUG", DJANGO_ENV == "development")

# The portal's name (header, tab titles, log-in page, e-mails) and the name of the network it serves.
PORTAL_NAME = env_str("PORTAL_NAME") or "koopstadt C+R"
NETWORK_NAME = env_str("NETWORK_NAME") or "koopstadt"
# Absolute base URL used in e-mails sent by background tasks (no request to build it from).
SITE_URL = (env_str("SITE_URL") or "http://127.0.0.1:8000").rstrip("/")
# Where people write to the operator (the Leichte-Sprache page names both; the accessibility statement
# names ACCESSIBILITY_EMAIL).
CONTACT_EMAIL = env_str("CONTACT_EMAIL") or "koopstadt@example.org"
ACCESSIBILITY_EMAIL = env_str("ACCESSIBILITY_EMAIL") or "barrierefreiheit@example.org"
# The operator's video in German Sign Language (DGS) for /gebaerdensprache/: an address (https://…) or a
# path under STATIC_URL (e.g. "video/dgs.mp4" in static/); empty: the page says the video is being prepared.
DGS_VIDEO_URL = env_str("DGS_VIDEO_URL") or ""

# --- Applications --------------------------------------------------------------------------------
INSTALLED_APPS = [
    "cities",
    "exchanges",
    # Demo data, the load-data generator and the bench's hooks: never in a production installation
    # (the container image leaves the package out), unless asked for (the bench, a demo on a server).
    *(
        ["koopstadt.development"]
        if not PRODUCTION or env_bool("KOOPSTADT_DEVELOPMENT_TOOLS", env_bool("KOOPSTADT_BENCH", False))
        else []
    ),
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    # htmx's JavaScript as a static file (static/django-htmx/htmx.min.js, no CDN) and request.htmx.
    "django_htmx",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    # First: every answer (even a redirect or a 413) carries the request id and is counted.
    "koopstadt.request_context.RequestIdMiddleware",
    "koopstadt.metrics.MetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Refuses too large bodies (413) before anything reads them.
    "koopstadt.security_middleware.RequestBodyLimitMiddleware",
    "csp.middleware.CSPMiddleware",
    "koopstadt.security_middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "koopstadt.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "koopstadt.security_middleware.SessionExpiryMiddleware",
    "koopstadt.security_middleware.ActingUserMiddleware",
    # request.htmx: a filter or the claim's calculation asked by htmx gets only the part that changes.
    "django_htmx.middleware.HtmxMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: turns a locked-out log-in into the lock-out page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "koopstadt.urls"
# ./scripts/bench only: counts queries per request and adds two baseline views
# (koopstadt/development/bench.py).
BENCH_INSTRUMENTATION = env_bool("KOOPSTADT_BENCH", False)
if BENCH_INSTRUMENTATION:
    MIDDLEWARE.insert(0, "koopstadt.development.bench.QueryCountMiddleware")
    ROOT_URLCONF = "koopstadt.development.bench_urls"
WSGI_APPLICATION = "koopstadt.wsgi.application"

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
                "exchanges.portal.context_processors.portal",
            ],
        },
    },
    {
        # Plain text (e-mail subjects and bodies): the same templates, never HTML-escaped
        # (koopstadt/plain_text.py).
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

# --- Database ------------------------------------------------------------------------------------
DATABASE_URL = env_str("DATABASE_URL") or ""
if not DATABASE_URL:
    # The embedded default: one SQLite file under the project (var/ is not under version control).
    (BASE_DIR / "var").mkdir(exist_ok=True)
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}",
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60 if PRODUCTION else 0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Select fields iterate their choices with .iterator(); a server-side cursor costs three round
    # trips (DECLARE, FETCH, CLOSE) for a few dozen rows, and breaks behind PgBouncer's transaction pooling.
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Users and log-in ----------------------------------------------------------------------------
AUTH_USER_MODEL = "cities.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses log-ins of a locked-out e-mail address + IP address before the password is checked.
    "axes.backends.AxesStandaloneBackend",
    # Second: refuses a password log-in that comes before the account's delay is over.
    "cities.accounts.backends.LoginDelayBackend",
    "rules.permissions.ObjectPermissionBackend",
    "cities.accounts.backends.PortalModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 60 * 60 * 24)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Log-in throttling (django-axes): locked per e-mail address AND IP address, never per address or per
# account alone (someone elsewhere must not be able to lock a person out). The address is the client's,
# also behind the reverse proxy (TRUSTED_PROXIES).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "cities.accounts.login_security.login_username"
AXES_CLIENT_IP_CALLABLE = "cities.operations.audit.client_ip"
# Not counted against the name + address pair: single sign-ons, attempts the delay refused unread.
AXES_WHITELIST_CALLABLE = "cities.accounts.login_security.login_attempt_not_counted"
# Per account, from any address: after this many failures within the window each attempt waits 1, 2, 4 …
# seconds after the last failure, at most LOGIN_DELAY_MAX_SECONDS; browsers the person has logged in
# with before (a signed cookie) are not delayed (cities/services/login_security.py).
LOGIN_DELAY_AFTER = env_int("LOGIN_DELAY_AFTER", 5)
LOGIN_DELAY_MAX_SECONDS = env_int("LOGIN_DELAY_MAX_SECONDS", 60)
LOGIN_DELAY_WINDOW_MINUTES = env_int("LOGIN_DELAY_WINDOW_MINUTES", 60)
LOGIN_DEVICE_COOKIE_DAYS = env_int("LOGIN_DEVICE_COOKIE_DAYS", 180)
AXES_LOCKOUT_CALLABLE = "cities.accounts.views.locked_out"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Sessions end after inactivity and, at the latest, a fixed time after log-in.
SESSION_IDLE_SECONDS = env_int("SESSION_IDLE_SECONDS", 30 * 60)
SESSION_ABSOLUTE_SECONDS = env_int("SESSION_ABSOLUTE_SECONDS", 60 * 60 * 10)
if DJANGO_ENV == "test":
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# --- Single sign-on (OpenID Connect) ------------------------------------------------------------
# Optional log-in through a city's identity provider (Keycloak, ADFS, Entra ID …), see docs/sso.md.
# Off while OIDC_RP_CLIENT_ID is empty: no extra backend, no button, /konto/oidc/… answers 404.
# mozilla-django-oidc reads these settings when someone logs in, never at import.
OIDC_RP_CLIENT_ID = env_str("OIDC_RP_CLIENT_ID") or ""
_SSO_ON = "single sign-on is switched on by OIDC_RP_CLIENT_ID (docs/sso.md)"
OIDC_RP_CLIENT_SECRET = env_required("OIDC_RP_CLIENT_SECRET", _SSO_ON) if OIDC_RP_CLIENT_ID else ""
OIDC_OP_AUTHORIZATION_ENDPOINT = (
    env_required("OIDC_OP_AUTHORIZATION_ENDPOINT", _SSO_ON) if OIDC_RP_CLIENT_ID else ""
)
OIDC_OP_TOKEN_ENDPOINT = env_required("OIDC_OP_TOKEN_ENDPOINT", _SSO_ON) if OIDC_RP_CLIENT_ID else ""
OIDC_OP_USER_ENDPOINT = env_required("OIDC_OP_USER_ENDPOINT", _SSO_ON) if OIDC_RP_CLIENT_ID else ""
OIDC_RP_SIGN_ALGO = env_str("OIDC_RP_SIGN_ALGO") or "RS256"
# RS256/ES256 tokens are checked against the provider's published keys.
OIDC_OP_JWKS_ENDPOINT = (
    env_required("OIDC_OP_JWKS_ENDPOINT", f"{_SSO_ON}, signature algorithm {OIDC_RP_SIGN_ALGO}")
    if OIDC_RP_CLIENT_ID and OIDC_RP_SIGN_ALGO.startswith(("RS", "ES"))
    else env_str("OIDC_OP_JWKS_ENDPOINT") or ""
)
OIDC_RP_SCOPES = env_str("OIDC_RP_SCOPES") or "openid email profile"
# PKCE (S256) on every log-in; a provider without PKCE support ignores its parameters.
OIDC_USE_PKCE = True
# Seconds to wait for the identity provider's token, key and user-info answers.
OIDC_TIMEOUT = env_int("OIDC_TIMEOUT", 10)
# Text of the log-in button; empty: "Log in with your city account", translated.
OIDC_LOGIN_LABEL = env_str("OIDC_LOGIN_LABEL") or ""
# Claim-mapping rules (cities.accounts.sso): a person is found by e-mail address or, if allowed, created.
OIDC_CREATE_USERS = env_bool("OIDC_CREATE_USERS", True)
OIDC_CITY_CLAIM = env_str("OIDC_CITY_CLAIM") or "city"
OIDC_CITY_MAP = env_name_map("OIDC_CITY_MAP")
OIDC_ROLES_CLAIM = env_str("OIDC_ROLES_CLAIM") or "groups"
OIDC_ROLE_MAP = env_names_map("OIDC_ROLE_MAP", Role.values)
OIDC_SYNC_ROLES = env_bool("OIDC_SYNC_ROLES", True)
OIDC_DEFAULT_ROLES = env_list("OIDC_DEFAULT_ROLES", [Role.STAFF.value])
if set(OIDC_DEFAULT_ROLES) - set(Role.values):
    raise ImproperlyConfigured(f"OIDC_DEFAULT_ROLES must name roles out of {', '.join(Role.values)}")
if OIDC_RP_CLIENT_ID:
    AUTHENTICATION_BACKENDS.insert(1, "cities.accounts.backends.PortalOIDCBackend")

# --- Language, time ------------------------------------------------------------------------------
LANGUAGE_CODE = "de"
LANGUAGES = [("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# Production cookies carry the __Host- prefix: the browser only accepts them over HTTPS, for this host.
LANGUAGE_COOKIE_NAME = "__Host-koopstadt_language" if PRODUCTION else "koopstadt_language"
LANGUAGE_COOKIE_SECURE = PRODUCTION
LANGUAGE_COOKIE_SAMESITE = "Lax"
LOGIN_DEVICE_COOKIE_NAME = "__Host-koopstadt_device" if PRODUCTION else "koopstadt_device"
TIME_ZONE = "Europe/Berlin"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["koopstadt.formats"]

# --- Static files and uploads --------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or BASE_DIR / "var" / "static")
if not PRODUCTION:
    # WhiteNoise serves from the finders locally but expects STATIC_ROOT to exist.
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# In development WhiteNoise serves straight from the finders, also with DEBUG off (./scripts/demo shows the
# portal's own error pages so): no collectstatic needed for the demo. (Not in the tests: the scan would
# cost every test client's first request; the live server serves static files itself.)
WHITENOISE_USE_FINDERS = DJANGO_ENV == "development"
# Bootstrap's CSS is in static/vendor/bootstrap/, the unchanged files of the npm package, checked by sha256
# (./scripts/vendor-bootstrap): no CDN, nothing leaves the portal.
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
# Uploaded files live outside the web root and are only ever served through views that check
# permissions, so there is deliberately no MEDIA_URL that a web server could serve.
MEDIA_ROOT = Path(env_str("MEDIA_ROOT") or BASE_DIR / "var" / "media")
# Where uploads are kept: "filesystem" (MEDIA_ROOT; with several web hosts a shared volume such as NFS)
# or "s3", any S3-compatible object storage (MinIO, Ceph, a cloud), through django-storages.
STORAGE_BACKEND = env_str("STORAGE_BACKEND", "filesystem")
if STORAGE_BACKEND == "filesystem":
    DEFAULT_STORAGE = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
elif STORAGE_BACKEND == "s3":
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env_required(
                "AWS_STORAGE_BUCKET_NAME", "STORAGE_BACKEND=s3 needs the bucket's name"
            ),
            "endpoint_url": env_str("AWS_S3_ENDPOINT_URL") or None,
            "region_name": env_str("AWS_S3_REGION_NAME") or None,
            "access_key": env_str("AWS_ACCESS_KEY_ID") or None,
            "secret_key": env_str("AWS_SECRET_ACCESS_KEY") or None,
            "location": env_str("AWS_LOCATION", "uploads"),
            # MinIO and most on-premises stores want path-style addresses.
            "addressing_style": env_str("AWS_S3_ADDRESSING_STYLE") or None,
            # Private objects; the portal streams them to people it has checked, never by a public URL.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    raise ImproperlyConfigured("STORAGE_BACKEND must be filesystem or s3")
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# --- E-mail --------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    # Readable on the console: decoded subject, every link on its own line (development package only).
    else "koopstadt.development.console_email.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(BASE_DIR / "var" / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "koopstadt C+R <cr-portal@example.org>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
ADMINS = [("Administrators", addr) for addr in env_list("ADMIN_EMAILS")]

# --- Redis ---------------------------------------------------------------------------------------
# Seconds any process waits for Redis per attempt (connect, and each answer): the broker, the cache,
# /readyz. A web request never waits much longer than this when Redis is slow or gone, and never fails a
# saved action because of it (docs/reliability.md, "Redis outages").
REDIS_TIMEOUT = env_float("REDIS_TIMEOUT", 1.0)

# --- Cache ---------------------------------------------------------------------------------------
# Shared by all web processes when CACHE_URL points at Redis (production, benchmark); otherwise
# each process keeps its own small memory cache (development, tests). API throttling and the log-in
# delay count in it, so production needs the shared one (manage.py check --deploy says so).
# On Redis errors the cache answers "missing" instead of failing the request (koopstadt/cache.py).
CACHE_URL = env_str("CACHE_URL") or ""
CACHES = {
    "default": (
        {
            "BACKEND": "koopstadt.cache.ForgivingRedisCache",
            "LOCATION": CACHE_URL,
            "TIMEOUT": 300,
            # Several portals (e.g. the benchmark's scales) sharing one Redis database keep apart.
            "KEY_PREFIX": env_str("CACHE_KEY_PREFIX") or "",
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
        if CACHE_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "TIMEOUT": 300}
    )
}

# --- Celery --------------------------------------------------------------------------------------
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or ""
# Without a broker every task runs eagerly inside the web process (the embedded default).
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_TASK_DEFAULT_QUEUE", "celery")
# Nothing reads a task's result, so none is stored: without a result backend the web process never
# talks to a result store (Celery's Redis result store retried 20 times, a second apart, inside the
# request while Redis was down, and then broke for good). Set one only for your own tools.
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND") or None
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 60 * 60 * 24
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
# First wait before a task retries after a transient error (doubles per retry, with jitter).
TASK_RETRY_BACKOFF = env_int("CELERY_RETRY_BACKOFF", 10)
# Publishing a task is one attempt of at most REDIS_TIMEOUT (redis-py replaces a pooled connection that
# Redis closed meanwhile before using it, so a restarted Redis needs no retry). If it fails the action is
# kept all the same and the sweeper queues the work again (koopstadt/dispatch.py). Celery's default,
# up to four attempts with pauses, could hold a web request for several seconds while Redis hangs.
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # Seconds after which Redis hands an unacknowledged message (its worker died) to another worker.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 60 * 60),
    "socket_timeout": REDIS_TIMEOUT,
    "socket_connect_timeout": REDIS_TIMEOUT,
    # One attempt when a channel is opened for publishing (kombu would otherwise retry for
    # BROKER_CONNECTION_TIMEOUT with two-second pauses); workers reconnect by their own rules.
    "max_retries": 0,
}
CELERY_TIMEZONE = TIME_ZONE
# Django's LOGGING applies in the workers as well (same format, with request and task ids).
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Queues by kind of work, so that a slow mail server never delays routing or bookings (docs/scaling.md):
# "routing", "mail", "finance"; everything else goes to the default queue. With CELERY_SEPARATE_QUEUES=0
# every task goes to the default queue (one worker consuming one queue is enough then).
CELERY_SEPARATE_QUEUES = env_bool("CELERY_SEPARATE_QUEUES", True)
CELERY_TASK_ROUTES = ("koopstadt.task_queues.route_task",)
# celery beat with celery-redbeat: the schedule, each entry's last run and a lock live in the broker's Redis.
# Exactly one beat sends the periodic tasks; a second one (a standby on another host) waits for the lock and
# takes over once the holder has been gone BEAT_LOCK_SECONDS, knowing when each task last ran.
CELERY_BEAT_SCHEDULER = "redbeat.RedBeatScheduler"
CELERY_REDBEAT_REDIS_URL = CELERY_BROKER_URL
# Only redbeat's own options reach its client: one attempt of at most REDIS_TIMEOUT (a beat that loses Redis
# exits, and systemd or compose starts it again; it then waits for the lock like any standby).
CELERY_REDBEAT_REDIS_OPTIONS = {"socket_timeout": REDIS_TIMEOUT, "socket_connect_timeout": REDIS_TIMEOUT}
CELERY_REDBEAT_KEY_PREFIX = "koopstadt:beat:"
CELERY_REDBEAT_LOCK_KEY = "lock"  # koopstadt:beat:lock
BEAT_LOCK_SECONDS = env_int("BEAT_LOCK_SECONDS", 60)
CELERY_REDBEAT_LOCK_TIMEOUT = BEAT_LOCK_SECONDS
# The holder renews the lock on every tick and ticks at least this often; a standby asks as often.
CELERY_BEAT_MAX_LOOP_INTERVAL = max(1, BEAT_LOCK_SECONDS // 5)
# All periodic work in one list (times in Europe/Berlin).
CELERY_BEAT_SCHEDULE: dict[str, dict] = {
    "remind-overdue-requests": {
        "task": "exchanges.tasks.remind_overdue_requests_task",
        "schedule": crontab(hour=8, minute=0),
    },
    "remind-open-invitations": {
        "task": "exchanges.tasks.remind_open_invitations_task",
        "schedule": crontab(hour=8, minute=15),
    },
    "remind-held-exchanges": {
        "task": "exchanges.tasks.remind_held_task",
        "schedule": crontab(hour=8, minute=30),
    },
    "remind-reflections": {
        "task": "exchanges.tasks.remind_reflections_task",
        "schedule": crontab(hour=8, minute=45),
    },
    "remind-pending-trips": {
        "task": "exchanges.tasks.remind_pending_trips_task",
        "schedule": crontab(hour=8, minute=50),
    },
    "release-unclaimed-commitments": {
        "task": "exchanges.tasks.commitments_expire_task",
        "schedule": crontab(hour=3, minute=40),
    },
    "sweep-lost-work": {
        "task": "exchanges.tasks.sweep_lost_work_task",
        "schedule": 60 * 5,
    },
    "send-notification-digests": {
        "task": "exchanges.tasks.send_digests_task",
        "schedule": crontab(hour=7, minute=0),
    },
    "failed-tasks-digest": {
        "task": "cities.tasks.failed_tasks_digest_task",
        "schedule": crontab(hour=7, minute=30),
    },
    "learn-routing": {
        "task": "exchanges.tasks.routing_learn_task",
        "schedule": crontab(hour=3, minute=50),
    },
    "apply-retention-periods": {
        "task": "cities.tasks.retention_apply_task",
        "schedule": crontab(hour=3, minute=30),
    },
}

# --- Security ------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", SESSION_ABSOLUTE_SECONDS)
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"


def _origin(url: str) -> str:
    """scheme://host[:port] of an absolute address; empty for a path."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in {"http", "https"} and parts.netloc else ""


# Strict policy: no inline script or style anywhere (templates keep scripts and styles in static/).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        # The DGS video (DGS_VIDEO_URL) may come from the operator's video server.
        "media-src": [SELF, *([_origin(DGS_VIDEO_URL)] if _origin(DGS_VIDEO_URL) else [])],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Reverse proxies (addresses or networks, e.g. "127.0.0.1,::1") whose X-Forwarded-For is believed: the
# client address for log-in locks, the audit log and API throttling (koopstadt/client_address.py).
# Empty: REMOTE_ADDR is the client, which behind a proxy is the proxy for everyone.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
try:
    for _proxy in TRUSTED_PROXIES:
        ipaddress.ip_network(_proxy, strict=False)
except ValueError as _error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_error}") from None
# Browser features the portal never uses (koopstadt.security_middleware.PermissionsPolicyMiddleware).
PERMISSIONS_POLICY = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
if PRODUCTION:
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)
    BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", True)
    if BEHIND_TLS_PROXY:
        # The reverse proxy terminates TLS and must set this header (docs/settings.md).
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
        USE_X_FORWARDED_HOST = env_bool("USE_X_FORWARDED_HOST", False)

# --- Logging -------------------------------------------------------------------------------------
# One line per record on standard output; systemd's journal or the container runtime collects it.
# "json" (production default): one JSON object per line with request_id, task_name and task_id.
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOG_FORMAT = env_str("LOG_FORMAT", "json" if PRODUCTION else "plain")
if LOG_FORMAT not in {"json", "plain"}:
    raise ImproperlyConfigured("LOG_FORMAT must be json or plain")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"context": {"()": "koopstadt.logs.ContextFilter"}},
    "formatters": {
        "json": {"()": "koopstadt.logs.JsonFormatter"},
        "plain": {"()": "koopstadt.logs.PlainFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per web request (koopstadt.request_context); runserver logs its own in development.
        "koopstadt.requests": {"level": env_str("LOG_REQUESTS_LEVEL", "INFO" if PRODUCTION else "WARNING")},
        # WeasyPrint (koopstadt/pdf.py) logs each rendering step, and a warning for each screen-only CSS
        # rule of the portal's stylesheet it skips; its errors (a refused address, an image without
        # alternative text) are kept.
        "weasyprint": {"level": "ERROR"},
    },
}

# --- Monitoring ----------------------------------------------------------------------------------
# /metrics answers only these addresses, or a request with "Authorization: Bearer <METRICS_TOKEN>".
METRICS_ALLOWED_IPS = env_list("METRICS_ALLOWED_IPS", ["127.0.0.1", "::1"])
METRICS_TOKEN = env_str("METRICS_TOKEN") or ""

# --- Error reporting (optional) ------------------------------------------------------------------
# With SENTRY_DSN set, unhandled errors of web requests and tasks are sent to that Sentry (or GlitchTip)
# server; personal data is not sent (send_default_pii=False) and request bodies are left out.
SENTRY_DSN = env_str("SENTRY_DSN") or ""
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env_str("SENTRY_ENVIRONMENT", DJANGO_ENV),
        release=env_str("SENTRY_RELEASE") or None,
        integrations=[DjangoIntegration(), CeleryIntegration()],
        traces_sample_rate=env_float("SENTRY_TRACES_SAMPLE_RATE", 0.0),
        send_default_pii=False,
        max_request_body_size="never",
    )

# --- REST API ------------------------------------------------------------------------------------
# /api/v1/ for the cities' own systems (docs/api.md): the same services and access rules as the pages.
# Machines authenticate with tokens an administrator issues (cities.ApiToken); the browser with its session.
API_THROTTLE_RATE = env_str("API_THROTTLE_RATE", "600/hour")  # per token (per person for sessions)
API_TOKEN_DEFAULT_DAYS = env_int("API_TOKEN_DEFAULT_DAYS", 90)
API_TOKEN_MAX_DAYS = env_int("API_TOKEN_MAX_DAYS", 365)
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50)
API_MAX_PAGE_SIZE = 200
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "exchanges.api.authentication.ApiTokenAuthentication",
        "exchanges.api.authentication.CsrfSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        "exchanges.api.permissions.TokenScope",
    ],
    "DEFAULT_THROTTLE_CLASSES": ["exchanges.api.throttling.ApiRateThrottle"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        # DRF's JSON parser with a limit on nesting (a deep body was a RecursionError, a 500).
        "exchanges.api.parsers.BoundedJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "exchanges.api.pagination.IdCursorPagination",
    "DEFAULT_SCHEMA_CLASS": "exchanges.api.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "exchanges.api.errors.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": True,
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "koopstadt C+R API",
    "DESCRIPTION": (
        "The REST API of the koopstadt C+R portal for the cities' own systems. Same permissions as "
        "the browser; errors as RFC 9457 problem+json; lists paginated by cursor. See docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "RequestStatusEnum": "exchanges.cycle.models.requests.Status",
        "ClaimStatusEnum": "exchanges.travel.models.ClaimStatus",
        "InvitationStatusEnum": "exchanges.cycle.models.cycle.InvitationStatus",
        "FormatEnum": "exchanges.cycle.models.requests.Format",
        "TripStatusEnum": "exchanges.travel.models.TripStatus",
        "TripDecisionEnum": "exchanges.travel.models.Decision",
    },
}

# --- Portal rules --------------------------------------------------------------------------------
EXPERT_POOL_PAGE_SIZE = 20
LIST_PAGE_SIZE = 25
# Routing notifies the best departments (at most two per city) of at most this many cities, and keeps
# this many further departments as runners-up in its decisions (exchanges.cycle.services.routing).
ROUTING_MAX_CITIES = env_int("ROUTING_MAX_CITIES", 5)
ROUTING_KEPT_RUNNERS_UP = env_int("ROUTING_KEPT_RUNNERS_UP", 10)
# Routing that learns (exchanges.cycle.services.routing_learning, docs/routing.md): below this many
# examples overall, or per department, the rules alone decide; a department gains learnt points only
# when its share of the posterior among the request's candidates is at least ROUTING_LEARN_MIN_SHARE.
ROUTING_LEARN_MIN_EXAMPLES = env_int("ROUTING_LEARN_MIN_EXAMPLES", 30)
ROUTING_LEARN_MIN_DEPARTMENT_EXAMPLES = env_int("ROUTING_LEARN_MIN_DEPARTMENT_EXAMPLES", 3)
ROUTING_LEARN_MIN_SHARE = env_float("ROUTING_LEARN_MIN_SHARE", 0.5)
# The statistics pages share their computed figures this long (exchanges.statistics.figures).
STATISTICS_CACHE_SECONDS = env_int("STATISTICS_CACHE_SECONDS", 0 if DJANGO_ENV == "test" else 300)
# City matrices show this many cities with their own row and column; the rest are added up.
STATISTICS_MATRIX_CITIES = env_int("STATISTICS_MATRIX_CITIES", 12)
# Long lists count at most this many rows and list those (koopstadt/pagination.py).
LIST_COUNT_CAP = env_int("LIST_COUNT_CAP", 1000)
EXPERT_POOL_COUNT_CAP = env_int("EXPERT_POOL_COUNT_CAP", 200)
KNOWLEDGE_BASE_COUNT_CAP = env_int("KNOWLEDGE_BASE_COUNT_CAP", 200)
# Largest uploaded file (attachments, receipts); the web server should refuse larger bodies too.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 10 * 1024 * 1024)
# Office files are ZIP archives: refused when their members would unpack to more than this in total, or
# when they have more members (exchanges/services/uploads.py reads only their directory and a few bytes).
UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES = env_int("UPLOAD_ARCHIVE_MAX_EXPANDED_BYTES", 200 * 1024 * 1024)
UPLOAD_ARCHIVE_MAX_MEMBERS = env_int("UPLOAD_ARCHIVE_MAX_MEMBERS", 5000)
# PNG and JPEG images with more pixels than this are refused (from the header; nothing is decoded).
UPLOAD_IMAGE_MAX_PIXELS = env_int("UPLOAD_IMAGE_MAX_PIXELS", 100_000_000)
# Bodies up to this size are read: a file above UPLOAD_MAX_BYTES in them is counted but not kept, and the
# form comes back with the message next to the field and everything typed (koopstadt/upload_handlers.py).
# Larger bodies are refused with the portal's 413 page before Django reads them
# (koopstadt.security_middleware.RequestBodyLimitMiddleware); nginx's client_max_body_size must be the
# same (51m for the default: five times the largest file plus a megabyte for the rest of the form).
REQUEST_BODY_MAX_BYTES = env_int("REQUEST_BODY_MAX_BYTES", 5 * UPLOAD_MAX_BYTES + 1024 * 1024)
# Form fields without files stay small; uploads above 2.5 MB are streamed to a temporary file.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_HANDLERS = [
    "koopstadt.upload_handlers.OversizeUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Virus scan of every upload through clamd (exchanges/services/virus_scan.py); off when neither is set.
CLAMD_SOCKET = env_str("CLAMD_SOCKET") or ""
CLAMD_HOST = env_str("CLAMD_HOST") or ""
CLAMD_PORT = env_int("CLAMD_PORT", 3310)
CLAMD_TIMEOUT = env_int("CLAMD_TIMEOUT", 30)
# Working days the city contact has to accept or return a submitted request.
CONTACT_DEADLINE_WORKING_DAYS = env_int("CONTACT_DEADLINE_WORKING_DAYS", 5)
# Work recorded but not done after this many seconds is queued again by the sweeper (celery beat).
SWEEPER_GRACE_SECONDS = env_int("SWEEPER_GRACE_SECONDS", 5 * 60)
# Cost centre recorded on every booking of travel costs (the joint project's budget line).
TRAVEL_COST_CENTRE = env_str("TRAVEL_COST_CENTRE", "KOOPSTADT-CR")
# Days before and after the meeting a claimed trip may lie (travel days); outside: a reason for finance.
CLAIM_TRIP_MARGIN_DAYS = env_int("CLAIM_TRIP_MARGIN_DAYS", 1)
# A claim more than this share above its approved trip's estimate is flagged for finance (0.10 = 10 %).
TRIP_DEVIATION_SHARE = env_str("TRIP_DEVIATION_SHARE", "0.10")

# --- Data protection: retention periods (docs/data-protection.md) ----------------------------------
# Closed requests (completed, withdrawn, rejected, cancelled): case texts and attachments go after this.
RETENTION_CLOSED_REQUEST_YEARS = env_int("RETENTION_CLOSED_REQUEST_YEARS", 5)
# Receipt files: full years after the end of the year of booking (§ 147 AO, state budget rules).
RETENTION_RECEIPT_YEARS = env_int("RETENTION_RECEIPT_YEARS", 10)
# Texts of sent (or failed) outbox e-mails.
RETENTION_EMAIL_DAYS = env_int("RETENTION_EMAIL_DAYS", 90)
# Security audit events.
RETENTION_AUDIT_YEARS = env_int("RETENTION_AUDIT_YEARS", 3)
# Accounts without a log-in for this long are anonymised.
RETENTION_INACTIVE_ACCOUNT_YEARS = env_int("RETENTION_INACTIVE_ACCOUNT_YEARS", 3)
