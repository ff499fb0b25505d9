"""Events published by the probe app (test-only)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from transport.events import EventPayload, EventSignal


@dataclass(frozen=True, kw_only=True)
class ProbeHappened(EventPayload):
    name: str
    hang_file: str | None = None  # the first delivery stalls until the worker is killed (crash tests)
    hang_seconds: int = 120


@dataclass(frozen=True, kw_only=True)
class ProbeFlaky(EventPayload):
    name: str  # fails until an Effect named "allow:<name>" exists


@dataclass(frozen=True, kw_only=True)
class ProbeUnheard(EventPayload):
    note: str = ""  # nobody subscribes


def _label_became_name(v1: dict[str, Any]) -> dict[str, Any]:
    fields = {key: value for key, value in v1.items() if key != "label"}
    return {**fields, "name": v1["label"], "source": "v1"}


@dataclass(frozen=True, kw_only=True)
class ProbeRenamed(EventPayload):
    """Version 1 was {"label": ...}; version 2 renamed it (not additive) and says where a row came from."""

    VERSION = 2
    UPCASTERS = {1: _label_became_name}

    name: str
    source: str


probe_happened = EventSignal(ProbeHappened)
probe_flaky = EventSignal(ProbeFlaky)
probe_unheard = EventSignal(ProbeUnheard)
probe_renamed = EventSignal(ProbeRenamed)
