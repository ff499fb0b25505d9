"""Ingestion of one bus's reports: filtered against the live position and each other, accepted and late fixes
recorded in one batch with whether each became live, the newest accepted one moving the bus."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.tracking import live
from apps.tracking.ingest import PointOutcome, PositionReport, fixes_ingest
from apps.tracking.tests.fleet import Fleet, history, live_point

pytestmark = pytest.mark.django_db


def ingest(fleet: Fleet, *reports: PositionReport) -> list[tuple]:
    outcomes = fixes_ingest(company_id=fleet.company_id, bus_id=fleet.bus_id, trip_id=fleet.trip_id,
                            source="user:driver", reports=list(reports))
    return [(o.index, o.outcome, o.reason) for o in outcomes]


def test_a_batch_is_filtered_point_by_point_recorded_once_and_moves_the_bus_to_its_newest_accepted_fix(fleet):
    t0 = timezone.now().replace(microsecond=0) - timedelta(minutes=10)
    reports = [
        PositionReport(latitude=-1.2900, longitude=36.82, fixed_at=t0, speed_kmh=30.0),
        PositionReport(latitude=-1.2890, longitude=36.82, fixed_at=t0 + timedelta(seconds=10)),
        PositionReport(latitude=0.0, longitude=0.0, fixed_at=t0 + timedelta(seconds=20)),
        PositionReport(latitude=-1.1, longitude=36.82, fixed_at=t0 + timedelta(seconds=30)),  # 21 km in 20 s
        PositionReport(latitude=-1.2895, longitude=36.82, fixed_at=t0 + timedelta(seconds=5)),  # late
        PositionReport(latitude=-1.2880, longitude=36.82, fixed_at=t0 + timedelta(seconds=40), accuracy_m=500),
        PositionReport(latitude=-1.2880, longitude=36.82, fixed_at=t0 + timedelta(seconds=40)),
    ]

    outcomes = ingest(fleet, *reports)

    assert outcomes == [(0, "accepted", None), (1, "accepted", None), (2, "refused", "zero_fix"),
                        (3, "refused", "speed_too_high"), (4, "late", None), (5, "refused", "poor_accuracy"),
                        (6, "accepted", None)]
    source, trip = "user:driver", fleet.trip_id
    assert history(fleet.bus_id) == [
        (-1.29, 36.82, t0, trip, source, False),
        (-1.2895, 36.82, t0 + timedelta(seconds=5), trip, source, False),
        (-1.289, 36.82, t0 + timedelta(seconds=10), trip, source, False),
        (-1.288, 36.82, t0 + timedelta(seconds=40), trip, source, True),
    ]
    assert live_point(fleet.bus_id) == (-1.288, 36.82, t0 + timedelta(seconds=40))


def test_the_live_position_is_the_anchor_of_the_next_batch(fleet):
    t0 = timezone.now().replace(microsecond=0) - timedelta(minutes=5)
    ingest(fleet, PositionReport(latitude=-1.29, longitude=36.82, fixed_at=t0))

    outcomes = ingest(fleet, PositionReport(latitude=-1.29, longitude=36.82, fixed_at=t0),
                      PositionReport(latitude=-1.25, longitude=36.82, fixed_at=t0 + timedelta(seconds=1)),
                      PositionReport(latitude=-1.30, longitude=36.82, fixed_at=t0 - timedelta(minutes=1)))

    assert outcomes == [(0, "refused", "duplicate"), (1, "refused", "speed_too_high"), (2, "late", None)]
    assert live_point(fleet.bus_id) == (-1.29, 36.82, t0)
    assert [(lat, live_flag) for lat, _lon, _at, _trip, _source, live_flag in history(fleet.bus_id)] == [
        (-1.30, False), (-1.29, True)]


def test_a_batch_of_only_refused_points_records_nothing_and_moves_nothing(fleet):
    outcomes = fixes_ingest(company_id=fleet.company_id, bus_id=fleet.bus_id, trip_id=None, source="device:x",
                            reports=[PositionReport(latitude=0, longitude=0, fixed_at=timezone.now())])

    assert outcomes == [PointOutcome(index=0, outcome="refused", reason="zero_fix")]
    assert history(fleet.bus_id) == []
    assert live.bus_live(fleet.bus_id) is None
