"""Settings for the type checker (pyproject.toml, [tool.django-stubs]).

mypy's Django plugin imports settings and runs django.setup() to learn the installed apps and their
models; it never connects to anything. With DATABASE_URL / REDIS_URL / CELERY_BROKER_URL unset the
ordinary settings would start the embedded PostgreSQL and Redis (and write a secret key under ./var/),
so this module fills them, and the secret, with addresses that cannot be reached, whatever the
environment holds: the checker's result never depends on the machine.
"""

import os

os.environ.update(
    DATABASE_URL="postgres://typecheck.invalid/transport",
    REDIS_URL="redis://typecheck.invalid:6379/0",
    CELERY_BROKER_URL="amqp://typecheck.invalid//",
    DJANGO_SECRET_KEY="typecheck-only-never-serves",  # noqa: S106
)

# the test settings: their test-only app and events are part of what the checker reads
from config.settings_test import *  # noqa: E402, F403
