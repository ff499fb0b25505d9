"""How fast live positions reach the websockets watching them, and what an open websocket costs: fleet watchers
served by one uvicorn process, fed as ingestion feeds them, beside a bare `websockets` broadcast server with the same
watchers and updates, in the same run.

    python bench/tracking_websockets.py [seconds] [--buses N] [--watchers N] [--client-processes N]
                                        [--servers pubsub,raw] [--compression] [--uvicorn-ws IMPL]

Seeds its own database (created next to the configured one and dropped afterwards): one company, whose dispatcher
watches its fleet. Two servers in turn, one process each (bench/ws_servers.py), each with the same WATCHERS
websocket clients in client processes of their own (bench/ws_clients.py: asyncio on uvloop, connected 100 at a
time, each until its snapshot):
- the platform ("pubsub"): uvicorn serving config.asgi's /ws/fleet/<company>/, the watchers authenticated by the
  dispatcher's bearer token. The updates reach them as in production: one Redis PUBLISH per update to the fleet's
  group (apps/tracking/fanout.py), heard once by the process's hub on its one subscription to the group, coalesced
  per group per tick, encoded once per frame and written by the hub straight to each watcher's connection
  (apps/tracking/websockets/hub.py, feed.py). The channel layer carries none of it (only drivers' dispatch
  messages), so which layer is configured is not measured here;
- the raw primitive ("raw"), bench/ws_raw.py: a bare `websockets` broadcast server, no Django, no Channels, no Redis.
The watchers offer permessage-deflate, as browsers do; both servers decline it, as production's flags do
(--compression makes both accept it, to measure what it costs).

Paced: BUSES synthetic buses, one update per bus per second spread evenly over the second, with received_at the
publish time (the platform's through apps.tracking.fanout.group_messages_send, what ingestion does after a live
move), for WARMUP_SECONDS and then `seconds` measured. At that rate a 100 ms tick coalesces nothing away, so every
watcher should get every update: lost = expected - delivered over every watcher and measured update, once every
position arrived or none came for DRAIN_QUIET_SECONDS (late is not lost). Deliveries are bus positions received,
frames the websocket messages carrying them; latency = arrival - received_at, where arrival is when the watcher's
process read the frame (one process reads a burst of 1,000 frames in tens of ms: the raw server's latency shows
that floor).
Saturation: distinct buses as fast as the server takes them: the publisher keeps at most BACKLOG updates per
watcher undelivered (as the watchers report), SATURATION_SECONDS measured after a ramp. The raw server is saturated
twice: one frame per update, and one frame per 100 ms tick for all watchers (as the platform coalesces, per
group).
Memory per connection: the server's RSS with every watcher connected and idle, less its RSS before (after one
watcher opened and closed, so that one-time set-up is not counted), over the watchers.
CPU: each process's time over the measured window, in % of one core (the machine may have fewer cores than busy
processes: the watchers compete with the server).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import psutil  # noqa: E402
from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from apps.auth.services.sessions import access_token_for  # noqa: E402
from apps.tracking.fanout import fleet_group, iso  # noqa: E402
from bench import ws_servers  # noqa: E402
from bench.coach_line import bench_channel_layers, bench_database  # noqa: E402
from bench.ws_clients import Watchers  # noqa: E402
from bench.ws_report import Phase, Run, print_runs  # noqa: E402
from tests.worlds.ticketing import build_sales_world  # noqa: E402
from transport.management.commands.run_platform import WS_IMPLEMENTATION  # noqa: E402
from transport.redis_client import quick_client  # noqa: E402
from transport.testing.network import free_port  # noqa: E402

WARMUP_SECONDS = 3
IDLE_SECONDS = 2  # connected watchers left alone before the memory is read
SATURATION_RAMP_SECONDS = 1
SATURATION_SECONDS = 5
SATURATION_BUSES = 1_000  # cycled: a bus comes back after this many updates, far apart for a 100 ms tick
BACKLOG = 200  # updates per watcher the saturating publisher lets be undelivered
DRAIN_QUIET_SECONDS = 5  # after publishing: done when every expected position arrived or none came for this long
DRAIN_MAX_SECONDS = 300  # late is not lost: a server that fell behind is given this long to catch up
RAW_TICK_MS = 100


class CpuMeter:
    """CPU time of named processes over a window, in % of one core."""

    def __init__(self, pids: dict[str, list[int]]) -> None:
        self.processes = {name: [psutil.Process(pid) for pid in each] for name, each in pids.items()}
        self.began = time.perf_counter()
        self.start = {name: self._used(each) for name, each in self.processes.items()}

    @staticmethod
    def _used(processes: list[psutil.Process]) -> float:
        return sum(sum(process.cpu_times()[:2]) for process in processes)

    def stop(self) -> dict[str, float]:
        elapsed = time.perf_counter() - self.began
        return {name: 100 * (self._used(each) - self.start[name]) / elapsed for name, each in self.processes.items()}


def _log(line: str) -> None:
    """Where a long run is (the figures come together at the end, on stdout)."""
    print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)


def redis_pid() -> list[int]:
    """The Redis server's process if it runs on this machine (its CPU share is part of the platform's cost)."""
    pid = int(quick_client().info("server")["process_id"])
    try:
        return [pid] if "redis" in psutil.Process(pid).name() else []
    except psutil.Error:
        return []


def _update(bus_id: str, fixed_at: str, n: int) -> dict[str, Any]:
    return {"bus_id": bus_id, "trip_id": None, "lat": -1.0 - n / 100_000, "lon": 36.8, "speed_kmh": 50.0,
            "heading": 0.0, "fixed_at": fixed_at, "received_at": iso(datetime.now(UTC))}


def _drain(watchers: Watchers, target: int) -> float:
    """Wait until the watchers have `target` positions, or none arrives for DRAIN_QUIET_SECONDS; the seconds until
    the last one arrived."""
    began = time.monotonic()
    deadline = began + DRAIN_MAX_SECONDS
    seen, since = watchers.positions(), began
    while seen < target and time.monotonic() - since < DRAIN_QUIET_SECONDS and time.monotonic() < deadline:
        time.sleep(0.05)
        if (now_seen := watchers.positions()) != seen:
            seen, since = now_seen, time.monotonic()
    return since - began


def paced(send: ws_servers.Sender, watchers: Watchers, pids: dict[str, list[int]], *, buses: int, seconds: float,
          connected: int) -> Phase:
    """BUSES buses, one update per bus per second, evenly spread; the window after the warm-up measured."""
    bus_ids = [str(uuid.uuid4()) for _ in range(buses)]
    interval = 1 / buses
    count, first = round((WARMUP_SECONDS + seconds) * buses), round(WARMUP_SECONDS * buses)
    keys: list[str] = []
    send_ms: list[float] = []
    base = watchers.positions()
    meter = None
    started, epoch = time.perf_counter(), time.time()
    for n in range(count):
        if (pause := started + n * interval - time.perf_counter()) > 0:
            time.sleep(pause)
        if n == first:
            meter = CpuMeter(pids)
        bus_id = bus_ids[n % buses]
        fixed_at = iso(datetime.fromtimestamp(epoch + n * interval, UTC))  # the fix's time: its slot
        began = time.perf_counter()
        send(_update(bus_id, fixed_at, n))
        send_ms.append((time.perf_counter() - began) * 1000)
        if n >= first:
            keys.append(f"{bus_id} {fixed_at}")
    if (pause := started + count * interval - time.perf_counter()) > 0:
        time.sleep(pause)
    assert meter is not None
    cpu = meter.stop()
    drained = _drain(watchers, base + count * connected)
    window = (epoch + WARMUP_SECONDS, epoch + WARMUP_SECONDS + seconds)
    return Phase(seconds=seconds, published=count, publishing_seconds=WARMUP_SECONDS + seconds, cpu=cpu,
                 send_ms=send_ms, drain_seconds=drained,
                 report=watchers.report(keys=keys, window=window, latencies=True))


def saturate(send: ws_servers.Sender, watchers: Watchers, pids: dict[str, list[int]], *, connected: int) -> Phase:
    """Distinct buses as fast as the server takes them (at most BACKLOG undelivered per watcher)."""
    pool = [str(uuid.uuid4()) for _ in range(SATURATION_BUSES)]
    keys: list[str] = []
    send_ms: list[float] = []
    base = watchers.positions()
    meter, window_began = None, 0.0
    began = time.perf_counter()
    ramped, ends = began + SATURATION_RAMP_SECONDS, began + SATURATION_RAMP_SECONDS + SATURATION_SECONDS
    while (now := time.perf_counter()) < ends:
        if meter is None and now >= ramped:
            meter, window_began = CpuMeter(pids), time.time()
        if len(keys) - (watchers.positions() - base) / connected >= BACKLOG:
            time.sleep(0.0005)
            continue
        bus_id, fixed_at = pool[len(keys) % SATURATION_BUSES], iso(datetime.now(UTC))
        sent = time.perf_counter()
        send(_update(bus_id, fixed_at, len(keys)))
        send_ms.append((time.perf_counter() - sent) * 1000)
        keys.append(f"{bus_id} {fixed_at}")
    window = (window_began, time.time())
    assert meter is not None
    cpu = meter.stop()
    drained = _drain(watchers, base + len(keys) * connected)
    return Phase(seconds=window[1] - window[0], published=len(keys), publishing_seconds=time.perf_counter() - began,
                 cpu=cpu, send_ms=send_ms, drain_seconds=drained,
                 report=watchers.report(keys=keys, window=window, latencies=False))


Feeds = Callable[[Watchers, list[str]], Any]  # a context manager: (paced sender, {mode: saturation sender})


def measure(kind: str, name: str, server: ws_servers.Server, url: str, subprotocols: list[str], feeds: Feeds,
            args: argparse.Namespace) -> Run:
    """One server, started: its memory, then the watchers connected, paced and saturated."""
    notes: list[str] = []
    try:
        ws_servers.warm(url, subprotocols)
        time.sleep(1)
        before = server.rss()
        watchers = Watchers(url=url, count=args.watchers, subprotocols=subprotocols, processes=args.client_processes)
        try:
            opened = watchers.connected()
            time.sleep(IDLE_SECONDS)
            after = server.rss()
            pids = {"server": [server.pid], "watchers": watchers.pids, "redis": redis_pid(), "bench": [os.getpid()]}
            _log(f"{name}: {opened[0]:,} watchers connected")
            with feeds(watchers, notes) as (paced_sender, saturation_senders):
                run_paced = paced(paced_sender, watchers, pids, buses=args.buses, seconds=args.seconds,
                                  connected=opened[0])
                _log(f"{name}: paced, {run_paced.rate:,.0f} deliveries/s, {run_paced.lost:,} lost, drained in "
                     f"{run_paced.drain_seconds:.1f} s")
                saturated = {}
                for mode, sender in saturation_senders.items():
                    saturated[mode] = saturate(sender, watchers, pids, connected=opened[0])
                    _log(f"{name}: saturated, one frame per {mode}, {saturated[mode].rate:,.0f} deliveries/s, "
                         f"{saturated[mode].lost:,} lost, drained in {saturated[mode].drain_seconds:.1f} s")
        finally:
            watchers.close()
    finally:
        server.stop()
    notes += server.exception_notes()
    return Run(kind=kind, name=name, connected=opened, rss=(before, after), paced=run_paced, saturated=saturated,
               notes=notes)


def platform_run(database: str, company_id: uuid.UUID, dispatcher: Any, args: argparse.Namespace) -> Run:
    settings.CHANNEL_LAYERS = bench_channel_layers()  # the server's: its prefix names the groups published to
    port = free_port()
    sender = ws_servers.platform_sender(fleet_group(company_id))

    @contextmanager
    def feeds(watchers: Watchers, notes: list[str]) -> Iterator[tuple[ws_servers.Sender, dict[str, Any]]]:
        yield sender, {"watcher tick": sender}

    token = access_token_for(dispatcher)  # a fresh one per server: tokens live minutes
    server = ws_servers.start_platform(port=port, database=database, implementation=args.uvicorn_ws,
                                       compression=args.compression)
    return measure("pubsub", "platform (hub on Redis pub/sub)", server, f"ws://127.0.0.1:{port}/ws/fleet/{company_id}/",
                   ["bearer", token], feeds, args)


def raw_run(args: argparse.Namespace) -> Run:
    port = free_port()

    @contextmanager
    def feeds(watchers: Watchers, notes: list[str]) -> Iterator[tuple[ws_servers.Sender, dict[str, Any]]]:
        per_update, per_tick = ws_servers.RawSender(port, ticked=False), ws_servers.RawSender(port, ticked=True)
        try:
            yield per_update, {"update": per_update, "tick": per_tick}
        finally:
            per_update.close()
            per_tick.close()

    server = ws_servers.start_raw(port=port, tick_ms=RAW_TICK_MS, compression=args.compression)
    return measure("raw", "raw websockets broadcast", server, f"ws://127.0.0.1:{port}/ws/fleet/raw/", ["bearer", "raw"],
                   feeds, args)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seconds", nargs="?", type=float, default=20.0)
    parser.add_argument("--buses", type=int, default=10)
    parser.add_argument("--watchers", type=int, default=1_000)
    parser.add_argument("--client-processes", type=int, default=1)
    parser.add_argument("--servers", default="pubsub,raw", help="which of pubsub (the platform), raw to measure")
    parser.add_argument("--compression", action="store_true",
                        help="both servers accept the permessage-deflate the watchers offer (production declines it)")
    parser.add_argument("--uvicorn-ws", default=WS_IMPLEMENTATION,
                        choices=["websockets", "websockets-sansio", "wsproto"],
                        help=f"uvicorn's websocket implementation (production's: {WS_IMPLEMENTATION})")
    args = parser.parse_args()
    runs = []
    with bench_database("tracking_ws") as name:
        world = build_sales_world("bench-fleet")
        connection.close()
        dispatcher = world.users["dispatcher"]
        for kind in args.servers.split(","):
            if kind == "raw":
                runs.append(raw_run(args))
            else:
                runs.append(platform_run(name, world.company_id, dispatcher, args))
    print_runs(runs, args=args, warmup=WARMUP_SECONDS, saturation=SATURATION_SECONDS)


if __name__ == "__main__":
    main()
