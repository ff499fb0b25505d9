"""Child processes of `run_platform`: each in its own process group, so stopping one stops all it forked.

The children do not share the terminal's foreground group, so Ctrl-C reaches only the launcher, which
then stops them all at once: SIGTERM to every group, a grace period, SIGKILL for whatever is left.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

GRACE_SECONDS = 20


class StopRequest:
    """Set by SIGINT/SIGTERM. A plain flag: taking a lock (threading.Event) inside a signal handler can
    deadlock against the main thread that holds it."""

    def __init__(self) -> None:
        self.requested = False

    def set(self, *_signal_args: object) -> None:
        self.requested = True

    def is_set(self) -> bool:
        return self.requested

    def wait(self, seconds: float) -> bool:
        if not self.requested:
            time.sleep(seconds)  # a signal runs its handler during the sleep; we notice on the next poll
        return self.requested


@dataclass(frozen=True)
class Child:
    name: str
    process: subprocess.Popen[bytes]

    @property
    def pid(self) -> int:
        return self.process.pid

    def exited(self) -> bool:
        return self.process.poll() is not None


class Supervisor:
    def __init__(self, *, env: dict[str, str], cwd: Path) -> None:
        self.env = env
        self.cwd = cwd
        self.children: list[Child] = []

    def start(self, name: str, argv: Sequence[str]) -> Child:
        process = subprocess.Popen(list(argv), env=self.env, cwd=self.cwd, process_group=0)
        child = Child(name=name, process=process)
        self.children.append(child)
        return child

    def first_exited(self) -> Child | None:
        return next((child for child in self.children if child.exited()), None)

    def stop_all(self, grace_seconds: float = GRACE_SECONDS) -> None:
        groups = [child.pid for child in self.children]  # process_group=0: group id == leader's pid
        for group in groups:
            _signal_group(group, signal.SIGTERM)
        deadline = time.monotonic() + grace_seconds
        for child in self.children:
            try:
                child.process.wait(max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                _signal_group(child.pid, signal.SIGKILL)
                child.process.wait()
        # A leader may exit before its own children (a worker's pool processes): finish those too.
        while any(_live_members(group) for group in groups) and time.monotonic() < deadline:
            time.sleep(0.1)
        for group in groups:
            if _live_members(group):
                _signal_group(group, signal.SIGKILL)


def _signal_group(group: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the whole group has already exited
        os.killpg(group, signum)


def _live_members(group: int) -> list[int]:
    """Pids still running in the process group (zombies waiting for a reaper do not count)."""
    members = []
    for process in psutil.process_iter(["status"]):
        try:
            if os.getpgid(process.pid) == group and process.info["status"] != psutil.STATUS_ZOMBIE:
                members.append(process.pid)
        except (ProcessLookupError, psutil.Error):
            continue
    return members
