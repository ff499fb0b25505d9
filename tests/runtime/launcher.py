"""Run `manage.py run_platform` as a real subprocess and find every process it left behind.

Every launched process inherits a unique marker variable (so do its children and grandchildren, and the
embedded servers it starts), which lets a test list leftovers without guessing at command lines.
"""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path

import psutil

PROJECT_DIR = Path(__file__).resolve().parents[2]
MARKER_VARIABLE = "TRANSPORT_TEST_LAUNCH"
STARTED_LINE = re.compile(r"^Started (?P<name>[\w-]+) \(pid (?P<pid>\d+)\)\.$", re.MULTILINE)


def new_marker() -> str:
    return uuid.uuid4().hex


def run_platform(args: Sequence[str], *, env: Mapping[str, str], marker: str) -> subprocess.CompletedProcess[str]:
    """Run the launcher to completion (it bounds itself with --ready-timeout); stdout and stderr together."""
    return subprocess.run(
        _command(args), env={**env, MARKER_VARIABLE: marker}, cwd=PROJECT_DIR,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, check=False,
    )


def start_platform(args: Sequence[str], *, env: Mapping[str, str], marker: str) -> subprocess.Popen[str]:
    """Start the launcher and leave it running; read its output with `read_until`."""
    return subprocess.Popen(
        _command(args), env={**env, MARKER_VARIABLE: marker}, cwd=PROJECT_DIR,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )


def read_until(process: subprocess.Popen[str], text: str) -> str:
    """The launcher's output up to the line holding `text`, or to its end if it exits first."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line)
        if text in line:
            break
    return "".join(lines)


def _command(args: Sequence[str]) -> list[str]:
    return [sys.executable, str(PROJECT_DIR / "manage.py"), "run_platform", *args]


def started_children(output: str) -> dict[str, int]:
    """{name: pid} of the children the launcher reported starting."""
    return {match["name"]: int(match["pid"]) for match in STARTED_LINE.finditer(output)}


def marked_processes(marker: str) -> list[psutil.Process]:
    """Live processes that carry `marker` in their environment."""
    found = []
    for process in psutil.process_iter():
        try:
            if process.status() != psutil.STATUS_ZOMBIE and process.environ().get(MARKER_VARIABLE) == marker:
                found.append(process)
        except psutil.Error:
            continue  # exited while we looked, or not ours to inspect
    return found


def kill_marked(marker: str) -> None:
    """Last-resort cleanup for a failed test, so it never leaves processes behind."""
    for process in marked_processes(marker):
        try:
            process.kill()
        except psutil.NoSuchProcess:
            continue
