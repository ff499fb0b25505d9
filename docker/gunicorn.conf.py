"""Gunicorn settings for the REST API (`config.wsgi`) behind the nginx gateway.

Every value can be tuned from the environment without rebuilding the image; see docker/README.md.
Sync workers: each request holds one process, and nginx buffers slow clients in front of them
(DESIGN.md section 6 measured sync workers well ahead of the ASGI handler for plain HTTP).
"""

from __future__ import annotations

import json
import logging
import os


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "")
    return int(raw) if raw.strip() else default


def _cpu_count() -> int:
    # The cores this container may run on, not the host's total (cgroup cpusets shrink the affinity mask).
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")  # noqa: S104  (a container listens on its own interface)
worker_class = "sync"
workers = _env_int("GUNICORN_WORKERS", 2 * _cpu_count() + 1)

# Import Django once in the master so workers share its memory pages and a broken deploy fails before
# any worker forks. Safe because loading settings and apps opens no database, Redis or broker connection.
preload_app = True

# A worker stuck on one request longer than this is killed and replaced. nginx waits longer (60s), so the
# kill comes first and the client promptly gets the gateway's 502 problem instead of a hanging request.
timeout = _env_int("GUNICORN_TIMEOUT", 30)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _env_int("GUNICORN_KEEPALIVE", 5)

# Recycle workers now and then so a slow leak in any library cannot grow without bound; the jitter keeps
# them from restarting together.
max_requests = _env_int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _env_int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# The heartbeat file is touched on every request; on a container's overlay filesystem that can block.
worker_tmp_dir = "/dev/shm"  # noqa: S108
# The control socket (gunicornc) otherwise goes under $HOME, which the unprivileged user does not have.
control_socket = os.environ.get("GUNICORN_CONTROL_SOCKET", "/tmp/gunicorn.ctl")  # noqa: S108

# Only nginx reaches this port (compose publishes none of it), so its X-Forwarded-* headers are trusted.
forwarded_allow_ips = "*"

loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


class AccessJsonFormatter(logging.Formatter):
    """One JSON object per request, built from gunicorn's access atoms so every value is escaped properly."""

    FIELDS = {
        "remote_addr": "h",
        "method": "m",
        "path": "U",
        "query": "q",
        "protocol": "H",
        "status": "s",
        "bytes": "B",
        "duration_ms": "M",
        "request_id": "{x-request-id}o",  # the id Django used and logged (it sanitises the incoming one)
        "forwarded_for": "{x-forwarded-for}i",
        "user_agent": "a",
    }

    def format(self, record: logging.LogRecord) -> str:
        atoms = record.args if isinstance(record.args, dict) else {}
        entry: dict[str, object] = {
            "time": self.formatTime(record),  # the same clock format as the Django and gunicorn.error lines
            "level": record.levelname,
            "logger": record.name,
        }
        for field, atom in self.FIELDS.items():
            value = atoms.get(atom, "-")
            if isinstance(value, str):
                # gunicorn pre-escapes quotes for its Apache-style line; json.dumps escapes them itself.
                value = value.replace('\\"', '"')
            entry[field] = value
        entry["status"] = int(entry["status"]) if str(entry["status"]).isdigit() else entry["status"]
        return json.dumps(entry, default=str)


# gunicorn's own messages as JSON lines like Django's; the access log with the formatter above.
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(process)d",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
        "access_json": {"()": AccessJsonFormatter},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"},
        "access": {"class": "logging.StreamHandler", "formatter": "access_json", "stream": "ext://sys.stdout"},
    },
    "root": {"level": "INFO", "handlers": ["console"]},
    "loggers": {
        "gunicorn.error": {"level": loglevel.upper(), "handlers": ["console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": ["access"], "propagate": False},
    },
}
