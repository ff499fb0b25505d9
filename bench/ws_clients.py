"""The watchers of bench/tracking_websockets.py: websocket clients in processes of their own (asyncio on uvloop and
the `websockets` library, no Django), each counting the bus positions it is sent.

    python -c "from bench.ws_clients import run; run()" <url> <connections>

with BENCH_WS_SUBPROTOCOLS (a JSON list) offered, and permessage-deflate offered as browsers offer it (the server
decides).

A process opens its connections BATCH at a time, each waiting for its first frame (the snapshot), then writes
{"connected": n, "failed": m, "seconds": s} on stdout and, every PROGRESS_SECONDS, {"progress": positions} (all
positions received so far, what the publisher's saturation pacing follows). On stdin, a {"report": {"keys": [...],
"window": [t0, t1], "latencies": true}} line asks what it got, answered by one {"result": {...}} line, after which
its records start afresh; {"close": true} ends it.

A position's key is "<bus_id> <fixed_at>"; its latency is the time it arrived (time.time() when its frame was
read) less its `received_at` (the publisher's clock: the same machine). A position at or before one the
connection already had for that bus counts as a duplicate, not as a delivery.

`Watchers` is the bench's side: it starts the processes, follows their progress and merges their reports.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from array import array
from datetime import datetime
from pathlib import Path
from typing import Any

BATCH = 100  # connections opened at once
OPEN_SECONDS = 120  # a bound on one handshake and its snapshot while hundreds queue for the server
PROGRESS_SECONDS = 0.05
CLOSE_SECONDS = 15
ROOT = Path(__file__).resolve().parent.parent


class Records:
    """What one process's connections were sent since the last report."""

    def __init__(self) -> None:
        self.positions = 0  # ever, for progress
        self.closed = 0  # connections the server closed or lost after their snapshot
        self.clear()

    def clear(self) -> None:
        self.latencies: dict[str, list[float]] = {}  # by key, one per connection that got it
        self.duplicates = 0
        self.frame_times = array("d")
        self.frame_positions = array("I")
        self._sent_at: dict[str, float] = {}  # received_at -> epoch seconds: every connection gets the same string

    def frame(self, now: float, frame: dict[str, Any], last: dict[str, str]) -> None:
        buses = frame.get("buses", [])
        self.frame_times.append(now)
        self.frame_positions.append(len(buses))
        self.positions += len(buses)
        for bus in buses:
            bus_id, fixed_at = bus["bus_id"], bus["fixed_at"]
            if fixed_at <= last.get(bus_id, ""):
                self.duplicates += 1
                continue
            last[bus_id] = fixed_at
            sent_at = self._sent_at.get(bus["received_at"])
            if sent_at is None:
                sent_at = self._sent_at[bus["received_at"]] = datetime.fromisoformat(bus["received_at"]).timestamp()
            self.latencies.setdefault(f"{bus_id} {fixed_at}", []).append(now - sent_at)

    def report(self, *, keys: list[str], window: tuple[float, float], connected: int,
               latencies: bool) -> dict[str, Any]:
        delivered = 0
        kept: list[float] = []
        for key in keys:
            got = self.latencies.get(key, ())
            delivered += len(got)
            if latencies:
                kept.extend(round(seconds * 1000, 3) for seconds in got)
        began, ended = window
        frames = positions = 0
        for at, count in zip(self.frame_times, self.frame_positions, strict=True):
            if began <= at < ended:
                frames += 1
                positions += count
        return {"connected": connected, "closed": self.closed, "expected": len(keys) * connected,
                "delivered": delivered, "duplicates": self.duplicates, "window_frames": frames,
                "window_positions": positions, "latencies_ms": kept}


def _say(message: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


async def _watch(url: str, subprotocols: list[str], records: Records, opened: asyncio.Future[bool]) -> None:
    from websockets.asyncio.client import connect

    last: dict[str, str] = {}
    try:
        async with connect(url, subprotocols=subprotocols or None, open_timeout=OPEN_SECONDS,  # type: ignore[arg-type]
                           ping_interval=None, max_size=None, compression="deflate") as websocket:
            await asyncio.wait_for(websocket.recv(), OPEN_SECONDS)  # the snapshot
            opened.set_result(True)
            async for message in websocket:
                records.frame(time.time(), json.loads(message), last)
    except Exception:  # noqa: BLE001 (a refused or lost connection is counted, whatever closed it)
        if not opened.done():
            opened.set_result(False)
            return
    records.closed += 1


async def _progress(records: Records) -> None:
    while True:
        _say({"progress": records.positions})
        await asyncio.sleep(PROGRESS_SECONDS)


async def _main(url: str, count: int, subprotocols: list[str]) -> None:
    loop = asyncio.get_running_loop()
    records = Records()
    began = time.perf_counter()
    tasks, connected = [], 0
    for start in range(0, count, BATCH):
        opened = [loop.create_future() for _ in range(min(BATCH, count - start))]
        tasks += [asyncio.ensure_future(_watch(url, subprotocols, records, each)) for each in opened]
        connected += sum(await asyncio.gather(*opened))
    _say({"connected": connected, "failed": count - connected, "seconds": time.perf_counter() - began})
    tasks.append(asyncio.ensure_future(_progress(records)))
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        command = json.loads(line)
        if "close" in command:
            break
        asked = command["report"]
        _say({"result": records.report(keys=asked["keys"], window=tuple(asked["window"]), connected=connected,
                                       latencies=asked["latencies"])})
        records.clear()
    for task in tasks:
        task.cancel()


def run() -> None:
    """The client process's entry (see the module's docstring)."""
    import uvloop

    url, count = sys.argv[1], int(sys.argv[2])
    subprotocols = json.loads(os.environ.get("BENCH_WS_SUBPROTOCOLS", "[]"))
    uvloop.run(_main(url, count, subprotocols))


class Watchers:
    """`count` watchers of `url` in `processes` client processes: started at once, closed by `close()`."""

    def __init__(self, *, url: str, count: int, subprotocols: list[str], processes: int) -> None:
        shares = [count // processes + (1 if n < count % processes else 0) for n in range(processes)]
        env = {**os.environ, "BENCH_WS_SUBPROTOCOLS": json.dumps(subprotocols)}
        self.processes = [subprocess.Popen(
            [sys.executable, "-c", "from bench.ws_clients import run; run()", url, str(share)],
            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, start_new_session=True,
        ) for share in shares]
        self._progress = [0] * processes
        self._opened: list[dict[str, Any] | None] = [None] * processes
        self._results: list[dict[str, Any] | None] = [None] * processes
        self._changed = threading.Condition()
        for index, process in enumerate(self.processes):
            threading.Thread(target=self._read, args=(index, process), daemon=True).start()

    def _read(self, index: int, process: subprocess.Popen[str]) -> None:
        assert process.stdout is not None
        for line in process.stdout:
            message = json.loads(line)
            with self._changed:
                if "progress" in message:
                    self._progress[index] = message["progress"]
                elif "connected" in message:
                    self._opened[index] = message
                else:
                    self._results[index] = message["result"]
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    def _wait(self, slots: list[dict[str, Any] | None], what: str) -> list[dict[str, Any]]:
        with self._changed:
            while any(slot is None for slot in slots):
                if any(process.poll() is not None for process in self.processes):
                    raise RuntimeError(f"a client process exited before it reported {what}")
                self._changed.wait(1)
            return [slot for slot in slots if slot is not None]

    @property
    def pids(self) -> list[int]:
        return [process.pid for process in self.processes]

    def connected(self) -> tuple[int, int, float]:
        """(connected, failed, seconds the slowest process took) once every process has opened its share."""
        opened = self._wait(self._opened, "its connections")
        return (sum(each["connected"] for each in opened), sum(each["failed"] for each in opened),
                max(each["seconds"] for each in opened))

    def positions(self) -> int:
        """Positions received by every watcher so far (as of the processes' last progress lines)."""
        with self._changed:
            return sum(self._progress)

    def report(self, *, keys: list[str], window: tuple[float, float], latencies: bool) -> dict[str, Any]:
        """What every watcher got of `keys`, frames and positions received in `window`; then records start afresh."""
        self._results = [None] * len(self.processes)
        command = json.dumps({"report": {"keys": keys, "window": window, "latencies": latencies}}) + "\n"
        for process in self.processes:
            assert process.stdin is not None
            process.stdin.write(command)
            process.stdin.flush()
        results = self._wait(self._results, "its records")
        merged = {name: sum(result[name] for result in results) for name in results[0] if name != "latencies_ms"}
        merged["latencies_ms"] = sorted(value for result in results for value in result["latencies_ms"])
        return merged

    def close(self) -> None:
        """Ask each process to end, and stop any that has not within CLOSE_SECONDS."""
        from transport.testing.worker import stop_process_group  # the bench's side only: it imports Django

        for process in self.processes:
            if process.poll() is None and process.stdin is not None:
                with contextlib.suppress(OSError):
                    process.stdin.write(json.dumps({"close": True}) + "\n")
                    process.stdin.close()
        for process in self.processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(CLOSE_SECONDS)
            stop_process_group(process, wait=30)  # type: ignore[arg-type]
