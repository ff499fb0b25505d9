"""`docker compose config` on docker/compose.yml with an env file, through the Compose CLI wheel (no engine)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.deploy.tooling import DOCKER_DIR, ENV_EXAMPLE, compose_binary

REQUIRED_SECRETS = {
    "DJANGO_SECRET_KEY": "compose-check-secret",
    "JWT_PRIVATE_KEY": "compose-check-signing-key",
    "QR_SIGNING_SECRET": "compose-check-qr-secret",
    "AUTH_ACCOUNT_LINK_SECRET": "compose-check-account-link-secret",
    "PAYMENT_CREDENTIALS_KEYS": "Y29tcG9zZS1jaGVjay1wYXltZW50LWNyZWRlbnRpYWxzLQ==",
    "PAYMENT_CALLBACK_SECRET": "compose-check-payment-callback-secret",
    "POSTGRES_PASSWORD": "compose-check-postgres",
    "REDIS_PASSWORD": "compose-check-redis",
    "RABBITMQ_PASSWORD": "compose-check-rabbitmq",
    "AI_REPORTING_PASSWORD": "compose-check-reporting",
}


def env_example_with(values: dict[str, str]) -> str:
    """docker/env.example with the values of the given (uncommented) variables set, as an operator would."""
    lines = []
    for line in ENV_EXAMPLE.read_text().splitlines():
        name, separator, _ = line.partition("=")
        lines.append(f"{name}={values[name]}" if separator and name in values else line)
    return "\n".join(lines) + "\n"


def run_compose_config(env_file_text: str) -> subprocess.CompletedProcess[str]:
    """`docker compose config` on a copy of docker/ whose .env holds the given text; no engine involved."""
    with tempfile.TemporaryDirectory() as scratch:
        docker_copy = Path(scratch) / "docker"
        shutil.copytree(DOCKER_DIR, docker_copy)
        (docker_copy / ".env").write_text(env_file_text)
        # Only PATH and HOME: the caller's shell variables would otherwise take part in interpolation.
        return subprocess.run(
            [compose_binary(), "--file", str(docker_copy / "compose.yml"), "config", "--format", "json"],
            capture_output=True,
            text=True,
            env={"PATH": os.environ.get("PATH", ""), "HOME": scratch},
            timeout=120,
            check=False,
        )
