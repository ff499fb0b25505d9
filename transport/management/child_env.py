"""The environment of `run_platform`'s children: the services this process resolved, so all share them.

In embedded mode the launcher has started PostgreSQL and Redis while loading settings; exporting their
URLs lets the web server, worker and beat connect straight to them instead of resolving them again.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlencode

from django.conf import settings


def child_environment(base: Mapping[str, str]) -> dict[str, str]:
    env = dict(base)
    env["DATABASE_URL"] = base.get("DATABASE_URL") or database_url(settings.DATABASES["default"])
    env["REDIS_URL"] = settings.REDIS_URL
    env["CELERY_BROKER_URL"] = settings.CELERY_BROKER_URL
    # the queues too: settings that draw a queue name per process (the test settings do) must not leave the web
    # server publishing where no worker listens
    env["CELERY_QUEUE"] = settings.CELERY_TASK_DEFAULT_QUEUE
    env["TRANSPORT_EVENT_QUEUE"] = settings.TRANSPORT_EVENT_QUEUE
    env["TRANSPORT_VAR_DIR"] = str(settings.VAR_DIR)
    env["DJANGO_SETTINGS_MODULE"] = settings.SETTINGS_MODULE
    env.setdefault("DJANGO_DEBUG", "1")  # the local demo shows tracebacks and the browsable docs
    env["PYTHONUNBUFFERED"] = "1"  # interleave the children's logs as they happen
    return env


def database_url(database: Mapping[str, Any]) -> str:
    """A PostgreSQL URL that dj-database-url parses back into `database` (pool options come from env)."""
    user = quote(database.get("USER") or "", safe="")
    password = quote(database.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = database.get("HOST") or ""
    port = f":{database['PORT']}" if database.get("PORT") else ""
    options = {
        name: value
        for name, value in (database.get("OPTIONS") or {}).items()
        if isinstance(value, str | int)
    }
    query = f"?{urlencode(options)}" if options else ""
    return f"postgresql://{credentials}{host}{port}/{quote(database['NAME'], safe='')}{query}"
