"""A trip's progress in Redis: written only over the revision it was read at, so two evaluations of one trip
at once never undo each other's step; the recent positions it keeps give the bus's smoothed speed."""

from __future__ import annotations

import math
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from apps.tracking.filters import EARTH_RADIUS_M
from apps.tracking.progress.state import Progress, Sample, key, progress_read, progress_write
from transport.redis_client import quick_client

AT = datetime(2026, 3, 31, 6, 0, 0, 123456, tzinfo=UTC)
KM_NORTH = 180 / (math.pi * EARTH_RADIUS_M / 1000)  # degrees of latitude in a kilometre


@pytest.fixture
def trip_id():
    trip = uuid.uuid4()
    yield trip
    quick_client().delete(key(trip))


def test_a_progress_written_over_another_writers_step_is_refused(trip_id):
    read_by_both = progress_read(trip_id)
    first = Progress(next_index=2, at_index=1, samples=(Sample(at=AT, latitude=-0.283, longitude=36.067),),
                     rev=read_by_both.rev)
    second = Progress(next_index=1, rev=read_by_both.rev)

    assert progress_write(trip_id, first) is True
    assert progress_write(trip_id, second) is False

    assert progress_read(trip_id) == Progress(next_index=2, at_index=1, samples=first.samples, rev=1)
    assert 0 < quick_client().ttl(key(trip_id)) <= 2 * 24 * 3600


def test_the_speed_is_the_distance_over_the_last_minutes():
    samples = [Sample(at=AT + timedelta(seconds=30 * n), latitude=n * KM_NORTH / 2, longitude=36.0)
               for n in range(3)]

    assert Progress(samples=tuple(samples)).speed_kmh == pytest.approx(60.0)
    assert Progress(samples=tuple(samples[:2])).speed_kmh is None  # too few to say
    standing = [Sample(at=s.at, latitude=0.5, longitude=36.0) for s in samples]
    assert Progress(samples=tuple(standing)).speed_kmh is None


def test_samples_older_than_the_window_are_dropped():
    progress = Progress()
    for n in range(12):
        progress = progress.with_sample(Sample(at=AT + timedelta(minutes=n), latitude=0.5, longitude=36.0))

    assert [s.at for s in progress.samples] == [AT + timedelta(minutes=n) for n in range(6, 12)]


@pytest.mark.parametrize(("every_seconds", "kept_after"), [(30, 11), (7, 30)])  # the window bounds, or the cap
def test_positions_added_at_once_keep_what_adding_them_one_by_one_keeps(every_seconds, kept_after):
    kept = Progress(samples=tuple(Sample(at=AT + timedelta(seconds=20 * n), latitude=0.5, longitude=36.0)
                                  for n in range(10)))
    batch = [Sample(at=AT + timedelta(seconds=200 + every_seconds * n), latitude=0.5 + n / 1000, longitude=36.0)
             for n in range(60)]
    one_by_one = kept
    for sample in batch:
        one_by_one = one_by_one.with_sample(sample)

    at_once = kept.with_samples(batch)

    assert at_once == one_by_one
    assert len(at_once.samples) == kept_after
    assert kept.with_samples(batch[:3]).samples == (*kept.samples, *batch[:3])
    assert kept.with_samples([]) == kept
