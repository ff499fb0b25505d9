"""Test handlers: each writes Effect rows so tests can count what happened exactly."""

import time
from pathlib import Path

from tests.probe import signals
from tests.probe.models import Effect
from transport.events import Event, subscriber


@subscriber(signals.probe_happened)
def record_effect(event: Event[signals.ProbeHappened]) -> None:
    Effect.objects.create(name=event.payload.name, event_id=event.id)
    hang_file = event.payload.hang_file
    if hang_file and not Path(hang_file).exists():
        # the first delivery stalls mid-transaction so a test can kill the worker here
        Path(hang_file).write_text("started")
        time.sleep(event.payload.hang_seconds)


@subscriber(signals.probe_flaky)
def fail_until_allowed(event: Event[signals.ProbeFlaky]) -> None:
    name = event.payload.name
    if not Effect.objects.filter(name=f"allow:{name}").exists():
        raise RuntimeError(f"{name} is not allowed yet")
    Effect.objects.create(name=name, event_id=event.id)


@subscriber(signals.probe_renamed)
def record_renamed(event: Event[signals.ProbeRenamed]) -> None:
    Effect.objects.create(name=f"{event.payload.source}:{event.payload.name}", event_id=event.id)
