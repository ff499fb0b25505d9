"""Settings for every environment, read from environment variables (see README, "Configuration").

With DATABASE_URL / REDIS_URL / CELERY_BROKER_URL unset the project starts embedded PostgreSQL and
Redis under ./var/ (TRANSPORT_VAR_DIR); with them set it uses those servers.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab

from config import services
from config.env import env_bool, env_int, env_list, env_str
from transport.reporting_database import REPORTING_DATABASE, reporting_database

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("TRANSPORT_VAR_DIR") or BASE_DIR / "var").resolve()

DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = services.secret_key(VAR_DIR)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
USE_X_FORWARDED_HOST = env_bool("DJANGO_USE_X_FORWARDED_HOST", False)

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework_simplejwt.token_blacklist",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "guardian",
    "channels",
    "transport",
    "apps.auth",
    "apps.company",
    "apps.ticketing",
    "apps.payment",
    "apps.tracking",
    "apps.notification",
    "apps.ai",
    "apps.qr",
] + env_list("TRANSPORT_EXTRA_APPS", [])

# Proxies whose X-Real-IP names the client (the nginx gateway's network in compose). Empty: none.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", [])

MIDDLEWARE = [
    "transport.http.request_id.RequestIdMiddleware",
    "transport.http.client_address.TrustedProxyMiddleware",
    "transport.http.query_guard.RefuseNulInQueryMiddleware",
    "transport.http.debug_errors.ApiProblemsInDebugMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database: persistent connections by default; a psycopg pool when DB_POOL_MAX_SIZE > 0 ---
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 0)
_database = dj_database_url.parse(
    services.database_url(VAR_DIR),
    conn_max_age=0 if DB_POOL_MAX_SIZE else env_int("DB_CONN_MAX_AGE", 600),
    conn_health_checks=not DB_POOL_MAX_SIZE,
)
# Django's PostgreSQL backend, with a reused connection's health check asking its socket rather than the server
_database["ENGINE"] = "transport.database"
if DB_POOL_MAX_SIZE:
    _database.setdefault("OPTIONS", {})["pool"] = {
        "min_size": env_int("DB_POOL_MIN_SIZE", 2),
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": env_int("DB_POOL_TIMEOUT", 10),
    }
# a PostgreSQL that stops answering must fail readiness and requests quickly, not hang them
_database.setdefault("OPTIONS", {})["connect_timeout"] = env_int("DB_CONNECT_TIMEOUT", 5)
# parameters bound by the server, and statements run this many times on a connection prepared there, so that
# the hot reads (a trip, a seat's live rows, search) are planned once per connection, not on every call.
# 0 turns both off (needed behind a transaction-pooling PgBouncer, which cannot keep prepared statements).
DB_PREPARE_THRESHOLD = env_int("DB_PREPARE_THRESHOLD", 5)
if DB_PREPARE_THRESHOLD:
    _database["OPTIONS"].update(server_side_binding=True, prepare_threshold=DB_PREPARE_THRESHOLD)
_database["TEST"] = {"NAME": env_str("DATABASE_TEST_NAME") or None}
DATABASES: dict[str, Any] = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: cache, locks, rate counters, channel layer; Celery broker ---
REDIS_URL = services.redis_url(VAR_DIR)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "transport"),
    }
}
# Redis pub/sub, not channels_redis's list-based RedisChannelLayer: one PUBLISH reaches every process
# subscribed to a group, which hands it to its local consumers; the list-based layer writes one capped,
# expiring list per consumer and silently drops what overflows. Tracking's fan-out publishes on this layer's
# channels in its serializer (apps/tracking/fanout.py): the watchers' hub hears them, the driver's stream
# through the layer.
CHANNEL_LAYERS: dict[str, dict[str, Any]] = {
    "default": {
        "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
        "CONFIG": {"hosts": [REDIS_URL], "prefix": env_str("CHANNELS_PREFIX", "transport")},
    }
}
# Websockets: a browser's Origin must be the site itself or one of these (e.g. https://app.example.com);
# clients that send no Origin (mobile apps, tracker devices) are not browsers and pass.
WEBSOCKET_ALLOWED_ORIGINS = env_list("WEBSOCKET_ALLOWED_ORIGINS", [])
WS_TICKET_SECONDS = max(1, min(env_int("WS_TICKET_SECONDS", 30), 300))
TRANSPORT_LOCKS_ENABLED = env_bool("TRANSPORT_LOCKS_ENABLED", True)
TRANSPORT_LOCK_EXPIRE_SECONDS = env_int("TRANSPORT_LOCK_EXPIRE_SECONDS", 10)

# --- Celery: durable delivery (late acks, requeue on worker loss, prefetch 1, publisher confirms) ---
CELERY_BROKER_URL = services.broker_url(REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "transport")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = env_int("CELERY_BROKER_CONNECTION_TIMEOUT", 4)
# A worker killed mid-task (OOM killer, docker kill, a lost node) holds unacknowledged messages. RabbitMQ
# hands them back when it sees the connection go: at once for a killed process, within about two heartbeats
# for a lost node. The Redis transport hands a message back once `visibility_timeout` has passed since it was
# delivered, checked every `unacked_restore_interval` seconds by every worker: a crash costs at most about
# visibility + interval. The same timeout also redelivers a message still running (or waiting for its
# countdown) after that long: event handlers are applied once whatever the copies (the inbox), periodic tasks
# are idempotent, and event retries keep their broker countdowns well below it (longer ones wait in the
# database, see TRANSPORT_EVENT_BROKER_DELAY_MAX_SECONDS).
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 45)
CELERY_BROKER_HEARTBEAT = env_int("CELERY_BROKER_HEARTBEAT", 20)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "confirm_publish": True,  # amqp: wait for the broker's ack of every publish
    "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,  # redis: redelivery of unacked messages
    "unacked_restore_interval": env_int("CELERY_UNACKED_RESTORE_SECONDS", 5),
    "unacked_restore_throttle": 1,  # every interval really scans (kombu's default scans every 10th)
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY = True
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
# Celery's fixup closes database connections around every task unless this is set; the kernel closes
# only broken or expired ones instead (transport/worker_connections.py), as Django does per request.
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1_000_000)
CELERY_BEAT_SCHEDULE = {
    "outbox-sweep": {
        "task": "transport.events.sweep_outbox",
        "schedule": env_int("OUTBOX_SWEEP_SECONDS", 15),
    },
    "idempotency-purge": {
        "task": "transport.idempotency.purge_expired",
        "schedule": 3600,
    },
    "ticketing-expire-holds": {
        "task": "ticketing.expire_holds",
        "schedule": env_int("TICKETING_EXPIRE_HOLDS_SECONDS", 60),
    },
    "company-materialise-trips": {
        "task": "company.materialise_trips",
        "schedule": env_int("COMPANY_MATERIALISE_EVERY_SECONDS", 3600),
    },
    "tracking-maintain-history": {
        "task": "tracking.maintain_history",
        "schedule": crontab(hour=0, minute=17),  # daily; idempotent, and a week of partitions is made ahead
    },
}
# Trips are materialised from schedules this many days ahead (company.materialise_trips).
COMPANY_TRIPS_DAYS_AHEAD = env_int("COMPANY_TRIPS_DAYS_AHEAD", 14)
TRANSPORT_EVENT_MAX_ATTEMPTS = env_int("TRANSPORT_EVENT_MAX_ATTEMPTS", 5)
TRANSPORT_EVENT_RETRY_BACKOFF_SECONDS = env_int("TRANSPORT_EVENT_RETRY_BACKOFF_SECONDS", 2)
# A retry due within this many seconds waits in the broker (a countdown); a later one waits in the database
# and the outbox sweep sends it when due. On Redis a countdown longer than the visibility timeout would be
# handed back and run again and again, and RabbitMQ closes a channel whose message stays unacknowledged past
# its consumer timeout (30 minutes by default).
TRANSPORT_EVENT_BROKER_DELAY_MAX_SECONDS = env_int("TRANSPORT_EVENT_BROKER_DELAY_MAX_SECONDS",
                                                   CELERY_VISIBILITY_TIMEOUT // 3)
# Idempotency-Key records are kept this long, then purged hourly; a "running" claim older than the stale
# timeout belongs to a request that died, and a retry may take it over.
TRANSPORT_IDEMPOTENCY_TTL_HOURS = env_int("TRANSPORT_IDEMPOTENCY_TTL_HOURS", 24)
TRANSPORT_IDEMPOTENCY_STALE_SECONDS = env_int("TRANSPORT_IDEMPOTENCY_STALE_SECONDS", 60)
# a request claimed in its own transaction (@idempotent(atomic=True)): how long the same request arriving
# meanwhile waits for it to commit and replays its answer, before it is told 409 (still running)
TRANSPORT_IDEMPOTENCY_WAIT_MS = env_int("TRANSPORT_IDEMPOTENCY_WAIT_MS", 5000)

# --- Auth ---
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "apps.auth.backends.RolePermissionBackend",  # a member's role permissions, for the Django admin
    "guardian.backends.ObjectPermissionBackend",
]
TRANSPORT_PRINCIPAL_FOR_USER = "apps.auth.api.principal_for_user"  # the kernel's admin scoping asks identity
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
GUARDIAN_RAISE_403 = False
ANONYMOUS_USER_NAME = None

# --- JWT (identity): asymmetric keys from the environment, or one generated under ./var/ for local runs ---
# JWT_PREVIOUS_PUBLIC_KEYS: comma-separated "kid:PEM" or "kid:/path/to/public.pem"; they still verify.
JWT_PRIVATE_KEY = env_str("JWT_PRIVATE_KEY")
JWT_PRIVATE_KEY_FILE = env_str("JWT_PRIVATE_KEY_FILE")
JWT_KEY_ID = env_str("JWT_KEY_ID")
JWT_PREVIOUS_PUBLIC_KEYS = env_list("JWT_PREVIOUS_PUBLIC_KEYS", [])
JWT_ISSUER = env_str("JWT_ISSUER", "transport-platform")
JWT_AUDIENCE = env_str("JWT_AUDIENCE", "transport-api")
SIMPLE_JWT: dict[str, Any] = {
    "ALGORITHM": "EdDSA",
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=min(env_int("JWT_ACCESS_MINUTES", 15), 15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env_int("JWT_REFRESH_DAYS", 14)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "ISSUER": JWT_ISSUER,
    "AUDIENCE": JWT_AUDIENCE,
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "AUTH_TOKEN_CLASSES": ("apps.auth.jwt.tokens.AccessToken",),
}
# Attempts per window: strict per account or identifier (email, phone), generous per client address,
# since carrier-grade NAT puts thousands of mobile passengers behind one address (see apps/auth/ratelimit.py).
AUTH_RATE_LIMITS = {
    "login": {"account": env_int("AUTH_LOGIN_LIMIT", 10), "address": env_int("AUTH_LOGIN_ADDRESS_LIMIT", 300),
              "window": env_int("AUTH_LOGIN_WINDOW", 300)},
    "register": {"account": env_int("AUTH_REGISTER_LIMIT", 5),
                 "address": env_int("AUTH_REGISTER_ADDRESS_LIMIT", 500),
                 "window": env_int("AUTH_REGISTER_WINDOW", 3600)},
    "password_reset": {"account": env_int("AUTH_RESET_LIMIT", 5),
                       "address": env_int("AUTH_RESET_ADDRESS_LIMIT", 500),
                       "window": env_int("AUTH_RESET_WINDOW", 3600)},
    "refresh": {"account": env_int("AUTH_REFRESH_LIMIT", 30),
                "address": env_int("AUTH_REFRESH_ADDRESS_LIMIT", 1000),
                "window": env_int("AUTH_REFRESH_WINDOW", 300)},
}
# how long a device credential's principal is kept in Redis (a revocation ends it at once)
AUTH_DEVICE_CACHE_SECONDS = env_int("AUTH_DEVICE_CACHE_SECONDS", 300)
AUTH_INVITATION_LIFETIME = timedelta(hours=env_int("AUTH_INVITATION_HOURS", 72))
AUTH_PASSWORD_RESET_LIFETIME = timedelta(minutes=env_int("AUTH_PASSWORD_RESET_MINUTES", 60))
# Invitation and password-reset tokens are derived from this secret (identity's own), never stored or
# published; changing it voids every pending link. Required in production (docker/compose.yml refuses to
# start without it); local runs and tests derive one from SECRET_KEY.
AUTH_ACCOUNT_LINK_SECRET = env_str("AUTH_ACCOUNT_LINK_SECRET") or hmac.new(
    SECRET_KEY.encode(), b"transport-account-link-secret", hashlib.sha256
).hexdigest()
# Where a link sends the person: the client page that posts the token to /api/v1/auth/invitations/accept or
# /api/v1/auth/password/reset/confirm. "{token}" is replaced.
AUTH_INVITATION_LINK = env_str("AUTH_INVITATION_LINK", "http://127.0.0.1:8000/invitations/accept?token={token}")
AUTH_PASSWORD_RESET_LINK = env_str("AUTH_PASSWORD_RESET_LINK", "http://127.0.0.1:8000/password/reset?token={token}")

# --- HTTP API ---
DATA_UPLOAD_MAX_MEMORY_SIZE = env_int("DATA_UPLOAD_MAX_MEMORY_SIZE", 1024 * 1024)
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "transport.http.schema.ProblemAutoSchema",
    "EXCEPTION_HANDLER": "transport.http.problems.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "transport.http.pagination.CappedPageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_PARSER_CLASSES": ["transport.http.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "apps.auth.jwt.authentication.BearerTokenAuthentication",
        "apps.auth.jwt.authentication.DeviceAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Transport platform API",
    "DESCRIPTION": "Trips, seats, payments, tickets, boarding and live tracking for bus operators.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # request bodies get components of their own, so what the server refuses (blank strings, unknown fields)
    # can be documented for requests without constraining answers
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "BusStatusEnum": "apps.company.models.Bus.Status",
        "TripStatusEnum": "apps.company.models.Trip.Status",
    },
}

LANGUAGE_CODE = "en-us"
# the languages messages to passengers and staff are written in (a company picks its default among them)
LANGUAGES = [("en", "English"), ("sw", "Kiswahili"), ("fr", "Français")]
# the price of one SMS segment on each backend ("backend=CURRENCY amount", comma-separated), for the admin's
# estimate of what a message template costs
SMS_COST_PER_SEGMENT: dict[str, str] = {
    backend.strip(): price.strip() for backend, _, price in (
        item.partition("=") for item in env_list("SMS_COST_PER_SEGMENT",
                                                 ["africastalking=KES 0.80", "twilio=USD 0.0079"]))}
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT") or VAR_DIR / "static")

LOGGING: dict[str, Any] = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "transport.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "redis_lock": {"level": "WARNING"},  # it logs every acquire and release at INFO: hot-path noise
        "celery": {"level": env_str("LOG_LEVEL_CELERY", "INFO")},
    },
}

# --- Ticketing: sales limits (company-wide defaults until the company settings carry them) ---
TICKETING_MAX_SEATS_PER_BOOKING = env_int("TICKETING_MAX_SEATS_PER_BOOKING", 6)
TICKETING_MAX_ACTIVE_HOLDS_PER_USER = env_int("TICKETING_MAX_ACTIVE_HOLDS_PER_USER", 3)
TICKETING_MAX_ACTIVE_HOLDS_PER_DEVICE = env_int("TICKETING_MAX_ACTIVE_HOLDS_PER_DEVICE", 20)
TICKETING_MAX_HOLD_EXTENSIONS = env_int("TICKETING_MAX_HOLD_EXTENSIONS", 2)
# how long a writer of seat rows waits for a database lock (another writer's seats, a booking row) before it
# answers 409 seat_busy with Retry-After: a wait always ends, and far below a request's own time limit
TICKETING_SEAT_LOCK_TIMEOUT_MS = env_int("TICKETING_SEAT_LOCK_TIMEOUT_MS", 5000)
# POS: sales in one offline sync batch; how old an offline sale may be, and how far ahead of the server's
# clock a device's may run when its offline sales or boarding scans are synced
TICKETING_MAX_POS_SYNC_BATCH = env_int("TICKETING_MAX_POS_SYNC_BATCH", 200)
TICKETING_POS_SALE_MAX_AGE_DAYS = env_int("TICKETING_POS_SALE_MAX_AGE_DAYS", 7)
TICKETING_POS_CLOCK_SKEW_SECONDS = env_int("TICKETING_POS_CLOCK_SKEW_SECONDS", 300)
# a ticket code stays good this long after the trip reaches the passenger's alighting stop (plus any delay)
TICKETING_CODE_GRACE_HOURS = env_int("TICKETING_CODE_GRACE_HOURS", 6)
# offline boarding scans one driver device uploads at once
TICKETING_MAX_BOARDING_SYNC = env_int("TICKETING_MAX_BOARDING_SYNC", 500)
# an offline boarding scan claiming a time more than this long before the trip's departure is refused
TICKETING_BOARDING_EARLIEST_HOURS = env_int("TICKETING_BOARDING_EARLIEST_HOURS", 12)

# --- Tracking: GPS fix filters (as Traccar's FilterHandler) and ingestion limits ---
# a fix implying a faster move from the last accepted one than this is a jump, not a bus
TRACKING_FILTER_MAX_SPEED_KMH = env_int("TRACKING_FILTER_MAX_SPEED_KMH", 160)
# a fix closer than this many metres AND seconds to the last accepted one says nothing new
TRACKING_FILTER_MIN_DISTANCE_M = env_int("TRACKING_FILTER_MIN_DISTANCE_M", 5)
TRACKING_FILTER_MIN_PERIOD_SECONDS = env_int("TRACKING_FILTER_MIN_PERIOD_SECONDS", 5)
TRACKING_FILTER_MAX_ACCURACY_M = env_int("TRACKING_FILTER_MAX_ACCURACY_M", 100)
# how far ahead of the server's clock a device's fix may claim to be, and how old it may be
TRACKING_FILTER_FUTURE_SECONDS = env_int("TRACKING_FILTER_FUTURE_SECONDS", 300)
TRACKING_FILTER_TOO_OLD_SECONDS = env_int("TRACKING_FILTER_TOO_OLD_SECONDS", 7 * 24 * 3600)
# points in one batch a driver's device uploads
TRACKING_MAX_BATCH = env_int("TRACKING_MAX_BATCH", 500)
# Websocket watchers get at most one frame per this many milliseconds (per group, encoded once for all its
# watchers), holding each bus's newest position (a dispatcher watching 300 buses gets a few frames a second, not 300)
TRACKING_WS_TICK_MS = max(0, env_int("TRACKING_WS_TICK_MS", 100))

# --- Tracking: trip progress. A bus within this many metres of its next stop has arrived there; it has left
# once more than half as far again away (GPS jitter at the edge records nothing twice) ---
TRACKING_STOP_RADIUS_M = env_int("TRACKING_STOP_RADIUS_M", 150)

# --- Tracking: the position history keeps this many days (whole daily partitions are dropped past it), and
# its daily partitions are made this many days ahead (tracking.maintain_history, daily) ---
TRACKING_HISTORY_RETENTION_DAYS = env_int("TRACKING_HISTORY_RETENTION_DAYS", 90)
TRACKING_HISTORY_DAYS_AHEAD = env_int("TRACKING_HISTORY_DAYS_AHEAD", 7)
# --- Tracking: a company's GTFS-Realtime feeds are built at most once per this many seconds, and served from
# the cache meanwhile ---
TRACKING_GTFS_RT_CACHE_SECONDS = env_int("TRACKING_GTFS_RT_CACHE_SECONDS", 10)

# --- Tracking: the demo's simulated bus. run_platform (`make run`) starts `tracking_simulate` once the server is
# ready, which drives the demo trip through the OsmAnd endpoint; 0 turns it off. The speedup plays the trip that
# many times faster: up to about 1.7 every fix is stamped with the real time (the bus seems that much faster),
# beyond it the fixes start behind the clock (apps/tracking/simulation/pace.py) ---
TRACKING_DEMO_SIMULATION = env_bool("TRACKING_DEMO_SIMULATION", True)
TRACKING_DEMO_SIMULATION_SPEEDUP = float(env_str("TRACKING_DEMO_SIMULATION_SPEEDUP", "1"))

# --- QR ticket codes (qr): the HMAC keys are derived from this secret and each key's id ---
# QR_SIGNING_SECRET is required in production (docker/compose.yml refuses to start without it); local runs
# and tests derive one from SECRET_KEY. Changing it invalidates every code already issued.
QR_SIGNING_SECRET = env_str("QR_SIGNING_SECRET") or hmac.new(
    SECRET_KEY.encode(), b"transport-qr-signing-secret", hashlib.sha256
).hexdigest()
# Each process rereads the key table this often, so a rotation or removal elsewhere applies within it.
QR_KEY_REFRESH_SECONDS = env_int("QR_KEY_REFRESH_SECONDS", 5)

# --- Events (kernel outbox/inbox) ---
TRANSPORT_EVENT_APP_PACKAGES = ["apps"]  # whose signals.py modules hold published events
TRANSPORT_EVENT_QUEUE = env_str("TRANSPORT_EVENT_QUEUE") or CELERY_TASK_DEFAULT_QUEUE
TRANSPORT_EVENT_BREAKER_SECONDS = env_int("TRANSPORT_EVENT_BREAKER_SECONDS", 5)
TRANSPORT_OUTBOX_SWEEP_GRACE_SECONDS = env_int("TRANSPORT_OUTBOX_SWEEP_GRACE_SECONDS", 5)
TRANSPORT_OUTBOX_RETENTION_DAYS = env_int("TRANSPORT_OUTBOX_RETENTION_DAYS", 7)
# Inbox rows (handlers already applied) are pruned by the sweep after this many days. Keep it longer than
# any event can still be redelivered: an outbox row is republished only while unpublished, and published
# rows are kept TRANSPORT_OUTBOX_RETENTION_DAYS.
TRANSPORT_INBOX_RETENTION_DAYS = env_int("TRANSPORT_INBOX_RETENTION_DAYS", 14)

# --- Payments (payment): provider base URLs per environment; `make run` points the sandbox ones at the local
# emulators when they are not set (see apps/payment/emulators) ---
PAYMENT_PROVIDER_BASE_URLS: dict[str, dict[str, str]] = {
    "mpesa": {
        "sandbox": env_str("PAYMENT_MPESA_SANDBOX_URL", "https://sandbox.safaricom.co.ke"),
        "production": env_str("PAYMENT_MPESA_PRODUCTION_URL", "https://api.safaricom.co.ke"),
    },
    "mtn_momo": {
        "sandbox": env_str("PAYMENT_MTN_MOMO_SANDBOX_URL", "https://sandbox.momodeveloper.mtn.com"),
        "production": env_str("PAYMENT_MTN_MOMO_PRODUCTION_URL", "https://proxy.momoapi.mtn.com"),
    },
    "paypal": {
        "sandbox": env_str("PAYMENT_PAYPAL_SANDBOX_URL", "https://api-m.sandbox.paypal.com"),
        "production": env_str("PAYMENT_PAYPAL_PRODUCTION_URL", "https://api-m.paypal.com"),
    },
}
# every call to a provider gives up after this long: the payment then stays pending and is resolved by query
PAYMENT_PROVIDER_TIMEOUT_SECONDS = float(env_str("PAYMENT_PROVIDER_TIMEOUT_SECONDS", "10"))
# Provider credentials are encrypted at rest with these Fernet keys (comma-separated, urlsafe base64 of 32 bytes,
# `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`). The first
# encrypts, all decrypt: to rotate, put a new key first, run `manage.py payment_rotate_credentials`, then drop
# the old one. Required in production (docker/compose.yml); local runs and tests derive one from SECRET_KEY.
PAYMENT_CREDENTIALS_KEYS = env_list("PAYMENT_CREDENTIALS_KEYS", []) or [
    base64.urlsafe_b64encode(hmac.new(SECRET_KEY.encode(), b"transport-payment-credentials",
                                      hashlib.sha256).digest()).decode()]
# The per-payment secrets in callback URLs are derived from this (payment's own secret, like the QR keys).
PAYMENT_CALLBACK_SECRET = env_str("PAYMENT_CALLBACK_SECRET") or hmac.new(
    SECRET_KEY.encode(), b"transport-payment-callback-secret", hashlib.sha256).hexdigest()
# Where providers reach us: the public https origin of this deployment (callbacks, webhooks, Paybill URLs).
PAYMENT_CALLBACK_BASE_URL = env_str("PAYMENT_CALLBACK_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
# A hold is extended to at least this many minutes from the moment its payment is started, at most
# PAYMENT_HOLD_MAX_MINUTES (the company's own setting is bounded by it).
PAYMENT_HOLD_MAX_MINUTES = env_int("PAYMENT_HOLD_MAX_MINUTES", 30)
# pending payments and refunds: how often beat looks for ones due a status query, and the longest backoff
PAYMENT_POLL_SECONDS = env_int("PAYMENT_POLL_SECONDS", 15)
PAYMENT_POLL_MAX_BACKOFF_SECONDS = env_int("PAYMENT_POLL_MAX_BACKOFF_SECONDS", 300)
# callbacks stored but not processed this long after arrival (the worker or broker was down) are processed again
PAYMENT_EVENT_RETRY_SECONDS = env_int("PAYMENT_EVENT_RETRY_SECONDS", 30)
CELERY_BEAT_SCHEDULE.update({
    "payment-poll-pending": {"task": "payment.poll_pending", "schedule": PAYMENT_POLL_SECONDS},
    "payment-process-stored-events": {"task": "payment.process_stored_events",
                                      "schedule": PAYMENT_EVENT_RETRY_SECONDS},
    # daily: each company's yesterday in its own timezone (ended everywhere by then); 03:00 UTC is 06:00 in Nairobi
    "payment-reconcile-yesterday": {"task": "payment.reconcile_yesterday",
                                    "schedule": crontab(minute=0, hour=env_int("PAYMENT_RECONCILE_HOUR_UTC", 3))},
})
# ---- notification ----
# The public origin of this deployment, for links in messages (tickets, account links, the dashboard)
PUBLIC_BASE_URL = env_str("PUBLIC_BASE_URL", PAYMENT_CALLBACK_BASE_URL).rstrip("/")
# Email: SMTP in production (EMAIL_HOST, ...); by default a file per message under var/mail, for the demo to show
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(BASE_DIR / "var" / "mail"))
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Transport <no-reply@localhost>")
# a message a gateway could not take is tried again after RETRY * 2^(attempts-1) seconds, at most MAX_ATTEMPTS times
NOTIFICATION_RETRY_SECONDS = env_int("NOTIFICATION_RETRY_SECONDS", 30)
NOTIFICATION_MAX_ATTEMPTS = env_int("NOTIFICATION_MAX_ATTEMPTS", 6)
# the sweep sends queued messages whose task was lost once they are this old, and runs this often
NOTIFICATION_SWEEP_GRACE_SECONDS = env_int("NOTIFICATION_SWEEP_GRACE_SECONDS", 60)
NOTIFICATION_SWEEP_SECONDS = env_int("NOTIFICATION_SWEEP_SECONDS", 30)
# a delivery report that overtook the commit of its send is kept this long for its delivery to appear
NOTIFICATION_PARKED_REPORT_HOURS = env_int("NOTIFICATION_PARKED_REPORT_HOURS", 48)
# company admins get yesterday's sales at this hour of their company's clock
NOTIFICATION_SUMMARY_HOUR = env_int("NOTIFICATION_SUMMARY_HOUR", 7)
CELERY_BEAT_SCHEDULE.update({
    "notification-send-due": {"task": "notification.send_due", "schedule": NOTIFICATION_SWEEP_SECONDS},
    "notification-daily-sales-summaries": {"task": "notification.daily_sales_summaries",
                                           "schedule": crontab(minute=5)},  # hourly: each company at its hour
})
# --- Notifications: SMS gateways (apps/notification/sms). The platform's own account sends for every company that
# configured none (a company may set its own gateway, sender id and credentials in the admin). `make run` points
# each gateway at its local emulator when any of its variables below is unset (see apps/notification/emulators) ---
SMS_BACKEND = env_str("SMS_BACKEND", "africastalking")  # the platform's gateway: africastalking or twilio
# the platform's sender: Africa's Talking's alphanumeric sender id or shortcode ("" sends from AT's shared
# default); Twilio's From number, or a Messaging Service SID ("MG...")
SMS_SENDER_ID = env_str("SMS_SENDER_ID", "")
AFRICASTALKING_BASE_URL = env_str("AFRICASTALKING_BASE_URL", "https://api.africastalking.com").rstrip("/")
AFRICASTALKING_USERNAME = env_str("AFRICASTALKING_USERNAME", "")
AFRICASTALKING_API_KEY = env_str("AFRICASTALKING_API_KEY", "")
TWILIO_BASE_URL = env_str("TWILIO_BASE_URL", "https://api.twilio.com").rstrip("/")
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
# a gateway call gives up after this long (connecting, or waiting for the answer); the message is then retried
SMS_TIMEOUT_SECONDS = float(env_str("SMS_TIMEOUT_SECONDS", "10"))
# Companies' gateway credentials are encrypted at rest with these Fernet keys, as payment's are with its own
# (comma-separated; the first encrypts, all decrypt: put a new key first, run
# `manage.py notification_rotate_credentials`, then drop the old one). Local runs and tests derive one from
# SECRET_KEY.
NOTIFICATION_CREDENTIALS_KEYS = env_list("NOTIFICATION_CREDENTIALS_KEYS", []) or [
    base64.urlsafe_b64encode(hmac.new(SECRET_KEY.encode(), b"transport-notification-credentials",
                                      hashlib.sha256).digest()).decode()]
# The secrets in Africa's Talking's delivery-report URLs (its reports are unsigned) are derived from this.
# A new value makes the URLs pasted into Africa's Talking's dashboards unrecognised.
NOTIFICATION_REPORT_SECRET = env_str("NOTIFICATION_REPORT_SECRET") or hmac.new(
    SECRET_KEY.encode(), b"transport-notification-report-secret", hashlib.sha256).hexdigest()
# The public origin gateways post delivery reports to, as they see it (behind the gateway's proxy: Twilio signs
# this URL); payment's callback origin unless set.
NOTIFICATION_REPORT_BASE_URL = (env_str("NOTIFICATION_REPORT_BASE_URL") or PAYMENT_CALLBACK_BASE_URL).rstrip("/")

# --- Questions (ai): Gemini writes the SQL. No key: `make run` points these at its local emulator ---
GEMINI_API_KEY = env_str("GEMINI_API_KEY", "")
# empty: Google's endpoint; else another server speaking the same API (the local emulator)
GEMINI_BASE_URL = env_str("GEMINI_BASE_URL", "").rstrip("/")
GEMINI_MODEL = env_str("GEMINI_MODEL", "gemini-2.5-flash")
# a question gives up on the model after this long (connecting, or waiting for the answer): a 503, never retried
GEMINI_TIMEOUT_SECONDS = float(env_str("GEMINI_TIMEOUT_SECONDS", "30"))

# run_platform (`make run`) starts these local emulators when the variables they stand in for are unset
TRANSPORT_LOCAL_EMULATORS: list[dict[str, Any]] = [
    {"name": "payment-emulators", "module": "apps.payment.emulators",
     "env": {"PAYMENT_MPESA_SANDBOX_URL": "{base}/safaricom", "PAYMENT_MTN_MOMO_SANDBOX_URL": "{base}/mtn_momo",
             "PAYMENT_PAYPAL_SANDBOX_URL": "{base}/paypal"}},
    # one process per gateway, so that configuring one never puts the other's emulator in its place; the
    # credentials are the emulators' own sandbox accounts (apps/notification/emulators/accounts.py)
    {"name": "africastalking-emulator", "module": "apps.notification.emulators.africastalking",
     "env": {"AFRICASTALKING_BASE_URL": "{base}", "AFRICASTALKING_USERNAME": "sandbox",
             "AFRICASTALKING_API_KEY": "atsk-emulator-sandbox-key"}},
    {"name": "twilio-emulator", "module": "apps.notification.emulators.twilio",
     "env": {"TWILIO_BASE_URL": "{base}", "TWILIO_ACCOUNT_SID": "AC0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e0e",
             "TWILIO_AUTH_TOKEN": "emulator-sandbox-auth-token-0001"}},
    # Gemini's emulator stands in when no key is configured (a real key alone means Google's endpoint); its key is
    # the emulator's own (apps/ai/emulators/state.py); it answers the demo's questions (the evaluation set's demo
    # cases, apps/ai/emulators/demo_answers.py)
    {"name": "gemini-emulator", "module": "apps.ai.emulators.gemini", "configured_by": ["GEMINI_API_KEY"],
     "args": ["--demo-answers"],
     "env": {"GEMINI_BASE_URL": "{base}", "GEMINI_API_KEY": "emulator-gemini-key-0001"}},
]
# management commands run_platform runs once everything answers (with the children's environment)
TRANSPORT_DEMO_AFTER_READY: list[list[str]] = [["payment_register_urls"],
                                               ["sms_report_urls", "--register-with-local-emulator"]]
# management commands run_platform then keeps running beside the server, supervised as its other children;
# "{base}" in an argument becomes the server's URL
TRANSPORT_DEMO_CHILDREN: list[dict[str, Any]] = [
    {"name": "bus-simulator", "command": ["tracking_simulate", "--base-url", "{base}",
                                          "--speedup", str(TRACKING_DEMO_SIMULATION_SPEEDUP)]},
] if TRACKING_DEMO_SIMULATION else []

# --- Notifications (notification): e-tickets. An SMS carries a short link to the ticket's PDF,
# {NOTIFICATION_TICKET_LINK_BASE_URL}/t/{code}: the deployment's public origin unless a shorter domain serves it ---
NOTIFICATION_TICKET_LINK_BASE_URL = env_str("NOTIFICATION_TICKET_LINK_BASE_URL", PUBLIC_BASE_URL).rstrip("/")

# --- Questions (ai): the database role operators' questions run as. It may only read the reporting views
# (apps/ai/reporting/role.py); migrations create it with a login, and `migrate` grants it each new view ---
AI_REPORTING_ROLE = env_str("AI_REPORTING_ROLE", "transport_reporting")
# Questions run on their own connection, which logs in as that role (transport/reporting_database.py): same server
# and database as DATABASE_URL, with this password (`migrate` sets it on the role; empty: none, for a server that
# trusts local connections), or everything from AI_REPORTING_DATABASE_URL when that is set
AI_REPORTING_PASSWORD = env_str("AI_REPORTING_PASSWORD")
AI_REPORTING_DATABASE_URL = env_str("AI_REPORTING_DATABASE_URL")
DATABASES[REPORTING_DATABASE] = reporting_database(
    _database, role=AI_REPORTING_ROLE, password=AI_REPORTING_PASSWORD,
    url_settings=dj_database_url.parse(AI_REPORTING_DATABASE_URL) if AI_REPORTING_DATABASE_URL else None,
    conn_max_age=env_int("DB_CONN_MAX_AGE", 600))
DATABASE_ROUTERS = ["transport.reporting_database.ReportingRouter"]
# Each question costs a model call: at most this many per user per hour, and per company per day (429 beyond)
AI_QUESTIONS_PER_USER_PER_HOUR = env_int("AI_QUESTIONS_PER_USER_PER_HOUR", 30)
AI_QUESTIONS_PER_COMPANY_PER_DAY = env_int("AI_QUESTIONS_PER_COMPANY_PER_DAY", 500)
# a question's SQL returns at most this many rows (LIMIT clamped, the rest not read) and runs at most this long
AI_ROW_LIMIT = env_int("AI_ROW_LIMIT", 500)
AI_STATEMENT_TIMEOUT_MS = env_int("AI_STATEMENT_TIMEOUT_MS", 5000)
