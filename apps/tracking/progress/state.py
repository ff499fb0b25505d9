"""A trip's progress in Redis, tracking's own working state (the durable stop times are company's): a hash
`trip:{trip_id}:progress` holding the next stop, the stop the bus is at, whether the trip is over, the last
position evaluated and the recent ones the speed is smoothed over. A write succeeds only over the revision it
read, so two requests evaluating the same trip at once never undo each other's step."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import cast
from uuid import UUID

from apps.tracking.filters import distance_m
from transport.redis_client import quick_client

KEEP_SECONDS = 2 * 24 * 3600  # progress of a trip nobody reports on any more goes away by itself
SPEED_WINDOW = timedelta(minutes=5)  # the speed is the distance covered over the last few minutes
SPEED_MIN_SPAN = timedelta(seconds=60)
SPEED_MIN_SAMPLES = 3
SPEED_MAX_SAMPLES = 30
STANDING_KMH = 3.0  # slower than this, the bus is standing: its speed says nothing of the road ahead

# KEYS: the progress hash. ARGV: the revision read ("0" when there was none), then field, value pairs.
# Returns 1 if written, 0 if another writer got there first.
_WRITE_OVER = """
local current = redis.call('HGET', KEYS[1], 'rev') or '0'
if current ~= ARGV[1] then
  return 0
end
for i = 2, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[1], 'rev', tonumber(current) + 1)
redis.call('EXPIRE', KEYS[1], %d)
return 1
""" % KEEP_SECONDS  # noqa: UP031  (the Lua body's braces would need doubling in a format string)


@dataclass(frozen=True)
class Sample:
    at: datetime
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Progress:
    next_index: int = 0  # the first stop (index in the plan) neither reached nor passed
    at_index: int | None = None  # the stop the bus is at: arrived, not yet left
    done: bool = False  # arrived at the last stop, or the trip is over: nothing more to evaluate
    samples: tuple[Sample, ...] = ()  # the positions evaluated over the last SPEED_WINDOW, oldest first
    rev: int = 0

    @property
    def position(self) -> Sample | None:
        """The last position evaluated."""
        return self.samples[-1] if self.samples else None

    @property
    def speed_kmh(self) -> float | None:
        """The distance covered over the recent samples by the time it took; None when there are too few, they
        span too short a time, or the bus is standing."""
        if len(self.samples) < SPEED_MIN_SAMPLES:
            return None
        span = self.samples[-1].at - self.samples[0].at
        if span < SPEED_MIN_SPAN:
            return None
        metres = sum(distance_m(a.latitude, a.longitude, b.latitude, b.longitude)
                     for a, b in zip(self.samples, self.samples[1:], strict=False))
        speed = metres / span.total_seconds() * 3.6
        return speed if speed >= STANDING_KMH else None

    def with_sample(self, sample: Sample) -> Progress:
        return self.with_samples((sample,))

    def with_samples(self, samples: Sequence[Sample]) -> Progress:
        """The progress after these positions, oldest first and newer than the ones kept. The window and the cap
        both keep the newest, so trimming once after the last is trimming after each: a batch's hundred
        positions are not a hundred copies of the samples."""
        if not samples:
            return self
        newest = samples[-1].at
        kept = [s for s in (*self.samples, *samples) if newest - s.at <= SPEED_WINDOW]
        return Progress(next_index=self.next_index, at_index=self.at_index, done=self.done,
                        samples=tuple(kept[-SPEED_MAX_SAMPLES:]), rev=self.rev)


def key(trip_id: UUID) -> str:
    return f"trip:{trip_id}:progress"


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _micros(at: datetime) -> int:
    return (at - _EPOCH) // timedelta(microseconds=1)


def _samples_text(samples: tuple[Sample, ...]) -> str:
    return ";".join(f"{_micros(s.at)},{s.latitude!r},{s.longitude!r}" for s in samples)


def _samples_of(text: str) -> tuple[Sample, ...]:
    samples = []
    for part in filter(None, text.split(";")):
        micros, lat, lon = part.split(",")
        at = _EPOCH + timedelta(microseconds=int(micros))
        latitude, longitude = float(lat), float(lon)
        if math.isfinite(latitude) and math.isfinite(longitude):
            samples.append(Sample(at=at, latitude=latitude, longitude=longitude))
    return tuple(samples)


def progress_read(trip_id: UUID) -> Progress:
    """The trip's progress; a fresh one (heading for the first stop) when none is kept."""
    values = cast(dict[bytes, bytes], quick_client().hgetall(key(trip_id)))
    if not values:
        return Progress()
    at = values.get(b"at", b"")
    return Progress(next_index=int(values.get(b"next", b"0")), at_index=int(at) if at else None,
                    done=values.get(b"done") == b"1", samples=_samples_of(values.get(b"samples", b"").decode()),
                    rev=int(values.get(b"rev", b"0")))


def progress_write(trip_id: UUID, progress: Progress) -> bool:
    """Keep `progress` if the trip's progress is still at the revision it was read at; False if another writer
    changed it meanwhile (read it again)."""
    pairs = ["next", str(progress.next_index), "at", "" if progress.at_index is None else str(progress.at_index),
             "done", "1" if progress.done else "0", "samples", _samples_text(progress.samples)]
    return bool(quick_client().eval(_WRITE_OVER, 1, key(trip_id), str(progress.rev), *pairs))
