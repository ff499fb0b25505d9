"""Test handlers: each writes Effect rows so tests can count what happened exactly."""

import time
from pathlib import Path

from tests.probe import signals
from tests.probe.models import Effect
from transport.events import Event, subscriber


@subscriber(signals.probe_happened)
def record_effect(event: Event) -> None:
    Effect.objects.create(name=event.payload["name"], event_id=event.id)
    hang_file = event.payload.get("hang_file")
    if hang_file and not Path(hang_file).exists():
        # the first delivery stalls mid-transaction so a test can kill the worker here
        Path(hang_file).write_text("started")
        time.sleep(event.payload.get("hang_seconds", 120))


@subscriber(signals.probe_flaky)
def fail_until_allowed(event: Event) -> None:
    name = event.payload["name"]
    if not Effect.objects.filter(name=f"allow:{name}").exists():
        raise RuntimeError(f"{name} is not allowed yet")
    Effect.objects.create(name=name, event_id=event.id)
