"""Test settings: the real services (from the environment, or embedded), plus test-only apps."""

import uuid

from config.env import env_int, env_str
from config.settings import *  # noqa: F403
from config.settings import CHANNEL_LAYERS, DATABASES, INSTALLED_APPS, LOGGING, STATIC_ROOT

INSTALLED_APPS = [*INSTALLED_APPS, "tests.probe"]
TRANSPORT_EVENT_APP_PACKAGES = ["apps", "tests"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast; argon2 is tested in identity
LOGGING = {**LOGGING, "root": {**LOGGING["root"], "level": "WARNING"}}

# Threads and worker processes in tests must not keep connections to the test database open
# (benchmarks, which drop their database by force, ask for production-like persistent ones).
DATABASES["default"]["CONN_MAX_AGE"] = env_int("TEST_DB_CONN_MAX_AGE", 0)
# One queue per test run, so a run never consumes another run's messages on a shared broker.
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE") or f"test-{uuid.uuid4().hex[:12]}"
TRANSPORT_EVENT_QUEUE = env_str("TRANSPORT_EVENT_QUEUE") or CELERY_TASK_DEFAULT_QUEUE
# Redis pub/sub channels are shared by every database of a server: one channel prefix per test run, so runs
# side by side never hear each other's websocket groups.
_run_prefix = f"test-{uuid.uuid4().hex[:12]}"
CHANNEL_LAYERS = {"default": {**CHANNEL_LAYERS["default"],
                              "CONFIG": {**CHANNEL_LAYERS["default"]["CONFIG"], "prefix": _run_prefix}}}

# WhiteNoise warns on every request when the static folder is missing; tests do not collect static.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
