"""The servers bench/tracking_websockets.py measures, each one process on a free loopback port, started and stopped
whole, and how each is fed one bus update:

- the platform: uvicorn serving config.asgi (`bench.coach_line:asgi_app`) on the bench database, with the
  websockets implementation and options production runs (docker/compose.yml's ws), fed through
  apps.tracking.fanout.group_messages_send as ingestion feeds it;
- the raw primitive: bench/ws_raw.py, fed by `RawSender` over a websocket of the publisher's own.

A sender takes one bus update (a dict as apps.tracking.fanout.bus_update makes) and returns once it is sent.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
from websockets.sync.client import connect

from apps.tracking.fanout import group_messages_send
from bench.coach_line import serves
from bench.ws_clients import ROOT
from transport.testing.worker import stop_process_group

START_SECONDS = 60
Sender = Callable[[dict[str, Any]], None]


class Server:
    """A server process started whole; what it writes on stderr goes to a file of its own, whose exceptions are
    counted: the ones logged while it served, and the ones logged while it stopped."""

    def __init__(self, command: list[str], port: int, env: dict[str, str]) -> None:
        self.log = tempfile.NamedTemporaryFile(prefix="bench-ws-server-", suffix=".log", delete=False)  # noqa: SIM115
        self.process = subprocess.Popen(command, cwd=ROOT, start_new_session=True, env={**os.environ, **env},
                                        stdout=self.log, stderr=subprocess.STDOUT)
        self.served_exceptions: dict[str, int] = {}
        self.stopping_exceptions: dict[str, int] = {}
        try:
            deadline = time.monotonic() + START_SECONDS
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"{command[2]} exited with {self.process.returncode}; see {self.log.name}")
                try:
                    if serves(port):
                        return
                except OSError:
                    time.sleep(0.2)
            raise RuntimeError(f"{command[2]} did not answer in time; see {self.log.name}")
        except BaseException:
            self.stop()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss(self) -> int:
        """Resident memory, in bytes."""
        return int(psutil.Process(self.pid).memory_info().rss)

    def _exceptions(self) -> dict[str, int]:
        """Each logged traceback's exception (its last line, up to the colon), counted."""
        counts: dict[str, int] = {}
        lines = Path(self.log.name).read_text(errors="replace").splitlines()
        for index, line in enumerate(lines):
            if line.startswith("Traceback (most recent call last)"):
                last = next((later for later in lines[index + 1:] if later and not later.startswith(" ")), "?")
                kind = last.split(":", 1)[0]
                counts[kind] = counts.get(kind, 0) + 1
        return counts

    def stop(self) -> None:
        self.served_exceptions = self._exceptions()
        stop_process_group(self.process, wait=30)
        self.log.close()
        after = self._exceptions()
        self.stopping_exceptions = {kind: count - self.served_exceptions.get(kind, 0) for kind, count in after.items()
                                    if count > self.served_exceptions.get(kind, 0)}
        os.unlink(self.log.name)

    def exception_notes(self) -> list[str]:
        notes = []
        for when, exceptions in (("while serving", self.served_exceptions),
                                 ("while stopping", self.stopping_exceptions)):
            if exceptions:
                kinds = ", ".join(f"{count:,} {kind}" for kind, count in sorted(exceptions.items(),
                                                                               key=lambda item: -item[1]))
                notes.append(f"the server logged exceptions {when}: {kinds}")
        return notes


def start_platform(*, port: int, database: str, implementation: str, compression: bool) -> Server:
    """uvicorn, one process, serving the project on `database` with uvicorn's websocket `implementation`
    (production's: run_platform's WS_IMPLEMENTATION), with the flags compose's ws service and `make run` use (frames
    up to 1 MiB, no per-message compression unless `compression`)."""
    return Server([sys.executable, "-m", "uvicorn", "--factory", "bench.coach_line:asgi_app", "--host", "127.0.0.1",
                   "--port", str(port), "--ws", implementation, "--ws-max-size", "1048576",
                   "--ws-per-message-deflate", "true" if compression else "false", "--lifespan", "off",
                   "--log-level", "warning", "--no-access-log"], port,
                  {"BENCH_DATABASE_NAME": database,
                   "DB_POOL_MAX_SIZE": os.environ.get("DB_POOL_MAX_SIZE", "8")})  # config/asgi.py's default


def start_raw(*, port: int, tick_ms: int, compression: bool) -> Server:
    return Server([sys.executable, "-c", "from bench.ws_raw import run; run()", str(port), str(tick_ms),
                   "deflate" if compression else "none"], port, {})


def warm(url: str, subprotocols: list[str]) -> None:
    """One watcher opened (to its snapshot) and closed: what the first connection sets up once (the channel layer's
    Redis connection, the database pool, lazy imports) is not memory per connection."""
    with connect(url, subprotocols=subprotocols or None, open_timeout=60) as websocket:  # type: ignore[arg-type]
        websocket.recv(timeout=60)


def platform_sender(group: str) -> Sender:
    """What ingestion does after a bus moved: the update to the group through the configured channel layer."""

    def send(bus: dict[str, Any]) -> None:
        if not group_messages_send([(group, {"type": "bus.position", "bus": bus})]):
            raise RuntimeError("the channel layer's Redis did not take an update")

    return send


class RawSender:
    """The raw server's publisher: whole frames to /publish (one per update), or positions to /publish/ticked."""

    def __init__(self, port: int, *, ticked: bool) -> None:
        self.ticked = ticked
        # no keepalive pings: one publisher may wait unused while the other saturates the server
        self.websocket = connect(f"ws://127.0.0.1:{port}/publish{'/ticked' if ticked else ''}", compression=None,
                                 ping_interval=None)

    def __call__(self, bus: dict[str, Any]) -> None:
        self.websocket.send(json.dumps(bus if self.ticked else {"type": "positions", "buses": [bus]}))

    def close(self) -> None:
        self.websocket.close()
