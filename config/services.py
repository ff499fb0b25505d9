"""Where PostgreSQL, Redis and the broker are: from the environment, or embedded under ./var/."""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import urlparse

from config.env import env_str
from transport import embedded


def database_url(var_dir: Path) -> str:
    return env_str("DATABASE_URL") or embedded.postgres_url(var_dir / "postgres" / "data")


def redis_url(var_dir: Path) -> str:
    return env_str("REDIS_URL") or embedded.redis_url(var_dir / "redis")


def broker_url(redis: str) -> str:
    """CELERY_BROKER_URL if set (amqp:// in production), else a separate database of our Redis."""
    explicit = env_str("CELERY_BROKER_URL")
    if explicit:
        return explicit
    parsed = urlparse(redis)
    if parsed.scheme == "unix":
        return f"redis+socket://{parsed.path}?virtual_host=1"
    return redis_with_db(redis, 1)


def redis_with_db(url: str, db: int) -> str:
    parsed = urlparse(url)
    if parsed.scheme == "unix":
        return f"unix://{parsed.path}?db={db}"
    return parsed._replace(path=f"/{db}").geturl()


def secret_key(var_dir: Path) -> str:
    """DJANGO_SECRET_KEY in production; a per-installation key kept under ./var/ for local runs."""
    explicit = env_str("DJANGO_SECRET_KEY")
    if explicit:
        return explicit
    path = var_dir / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()
