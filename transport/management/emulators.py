"""Local emulators of external providers that `run_platform` starts when their base URLs are not configured,
exactly as it starts embedded PostgreSQL and Redis when their URLs are not set.

settings.TRANSPORT_LOCAL_EMULATORS lists them: a name, the module run with `python -m` (it takes --host and
--port), and the environment variables it stands in for, each a template of its base URL. An emulator starts
when any of its variables is unset (or any of its `configured_by` ones, when it names them: a provider configured by
its key alone, its base URL defaulting to the real one); the children then see every variable pointing at it.
`args`, when a spec has them, follow --host and --port on the emulator's command line.
"""

from __future__ import annotations

import socket
import time
from collections.abc import Mapping
from dataclasses import dataclass

from django.conf import settings

from transport.management.supervisor import Supervisor

STARTUP_SECONDS = 30.0


@dataclass(frozen=True)
class LocalEmulator:
    name: str
    argv: list[str]
    port: int
    env: dict[str, str]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


def local_emulators(environ: Mapping[str, str]) -> list[LocalEmulator]:
    emulators = []
    for spec in settings.TRANSPORT_LOCAL_EMULATORS:
        variables: dict[str, str] = spec["env"]
        if all(environ.get(name) for name in spec.get("configured_by", variables)):
            continue  # every provider it stands in for is configured
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        emulators.append(LocalEmulator(
            name=spec["name"], port=port,
            argv=["-m", spec["module"], "--host", "127.0.0.1", "--port", str(port), *spec.get("args", [])],
            env={name: template.format(base=base) for name, template in variables.items()}))
    return emulators


def wait_for_port(port: int, supervisor: Supervisor) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        exited = supervisor.first_exited()
        if exited:
            raise RuntimeError(f"{exited.name} exited with code {exited.process.returncode} while starting.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"Nothing answered on port {port} within {STARTUP_SECONDS:.0f}s.")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
