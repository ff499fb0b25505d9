"""What bench/tracking_websockets.py measured of each server, and how it prints it: every figure beside the raw
primitive's of the same run."""

from __future__ import annotations

import argparse
import os
from dataclasses import dataclass, field
from typing import Any

AIM_DELIVERIES = 5_000  # per second, with 1,000 watchers (the aim)
AIM_P99_MS = 200


@dataclass
class Phase:
    seconds: float  # the measured window
    published: int  # updates, warm-up or ramp included
    publishing_seconds: float  # warm-up or ramp included
    report: dict[str, Any]  # the watchers' merged report (bench/ws_clients.py)
    cpu: dict[str, float]  # % of one core by process, over the window
    send_ms: list[float]  # each publish call
    drain_seconds: float  # from the last publish until every position arrived (or none came for a while)

    @property
    def rate(self) -> float:
        return self.report["window_positions"] / self.seconds

    @property
    def frames(self) -> float:
        return self.report["window_frames"] / self.seconds

    @property
    def lost(self) -> int:
        return int(self.report["expected"] - self.report["delivered"])

    def latency(self, share: float) -> float:
        values = self.report["latencies_ms"]
        return values[max(0, int(len(values) * share) - 1)] if values else float("nan")


@dataclass
class Run:
    kind: str  # "pubsub" (the platform), "raw"
    name: str
    connected: tuple[int, int, float]  # connected, failed, seconds the slowest client process took
    rss: tuple[int, int]  # the server's, before the watchers and with them connected and idle
    paced: Phase
    saturated: dict[str, Phase]  # by how the frames were made
    notes: list[str] = field(default_factory=list)

    @property
    def per_connection_kib(self) -> float:
        return (self.rss[1] - self.rss[0]) / max(self.connected[0], 1) / 1024


def _cpu(cpu: dict[str, float]) -> str:
    return ", ".join(f"{name} {share:.0f}%" for name, share in cpu.items())


def _phase(phase: Phase) -> str:
    figures = phase.report
    latency = (f"; latency p50 {phase.latency(0.5):,.1f} ms, p99 {phase.latency(0.99):,.1f} ms, "
               f"max {figures['latencies_ms'][-1]:,.1f} ms" if figures["latencies_ms"] else "")
    return (f"{phase.rate:,.0f} deliveries/s in {phase.frames:,.0f} frames/s; lost {phase.lost:,} of "
            f"{figures['expected']:,}, duplicates {figures['duplicates']:,}{latency}")


def print_runs(runs: list[Run], *, args: argparse.Namespace, warmup: float, saturation: float) -> None:
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"tracking websockets bench: {args.watchers:,} fleet watchers in {args.client_processes} client "
          f"process(es), permessage-deflate {'on' if args.compression else 'off'}, one server process each "
          f"(uvicorn --ws {args.uvicorn_ws}); {args.buses} buses at one update per bus per second, "
          f"{args.seconds:.0f} s after {warmup:.0f} s warm-up; saturation {saturation:.0f} s; {os.cpu_count()} "
          f"cores, load average at the end {load}")
    for run in runs:
        connected, failed, took = run.connected
        print(f"  {run.name}: {connected:,} watchers connected in {took:.1f} s ({failed} failed, "
              f"{run.paced.report['closed']} closed later)")
        print(f"    paced: {_phase(run.paced)}")
        print(f"      drained {run.paced.drain_seconds:.1f} s after the last update; publish call p50 "
              f"{sorted(run.paced.send_ms)[len(run.paced.send_ms) // 2]:.2f} ms; CPU {_cpu(run.paced.cpu)}")
        for mode, phase in run.saturated.items():
            print(f"    saturation, one frame per {mode}: {_phase(phase)}")
            print(f"      {phase.published / phase.publishing_seconds:,.0f} updates/s published; drained "
                  f"{phase.drain_seconds:.1f} s after; CPU {_cpu(phase.cpu)}")
        before, after = run.rss
        print(f"    memory per open websocket: {run.per_connection_kib:,.1f} KiB (RSS {before / 2**20:,.1f} MiB "
              f"before the watchers, {after / 2**20:,.1f} MiB with them, idle)")
        for note in run.notes:
            print(f"    {note}")
    raw = next((run for run in runs if run.kind == "raw"), None)
    for run in runs:
        if raw is None or run is raw:
            continue
        saturated = next(iter(run.saturated.values())).rate
        print(f"  {run.name} / raw: paced deliveries {run.paced.rate / raw.paced.rate:.2f}, p99 latency "
              f"{run.paced.latency(0.99) / raw.paced.latency(0.99):,.1f}x; saturation "
              f"{saturated / raw.saturated['update'].rate:.2f} of raw's one frame per update, "
              f"{saturated / raw.saturated['tick'].rate:.2f} of one frame per tick; memory per websocket "
              f"{run.per_connection_kib / raw.per_connection_kib:.1f}x")
    platform = next((run for run in runs if run.kind == "pubsub"), None)
    if platform is not None:
        paced = platform.paced
        met = (paced.rate >= AIM_DELIVERIES and paced.lost == 0 and paced.report["duplicates"] == 0
               and paced.latency(0.99) <= AIM_P99_MS)
        print(f"  aim (>= {AIM_DELIVERIES:,} deliveries/s, p99 <= {AIM_P99_MS} ms, none lost "
              f"or duplicated): {'met' if met else 'MISSED'}")
