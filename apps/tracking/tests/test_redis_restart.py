"""Redis restarted during a stream: history keeps every accepted point, ingestion goes on while Redis is away,
and the live position, lost with Redis, comes back from history without ever moving the bus back."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from apps.tracking.ingest import PositionReport, fixes_ingest
from apps.tracking.tests.fleet import history, live_point

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


def test_a_stream_survives_a_redis_restart_and_late_points_never_move_the_bus_back(fleet, own_redis):
    stop, start_empty = own_redis
    t0 = timezone.now().replace(microsecond=0) - timedelta(minutes=10)

    def send(latitude: float, seconds: int) -> str:
        outcomes = fixes_ingest(company_id=fleet.company_id, bus_id=fleet.bus_id, trip_id=fleet.trip_id,
                                source="user:driver", reports=[PositionReport(
                                    latitude=latitude, longitude=36.82, fixed_at=t0 + timedelta(seconds=seconds))])
        return outcomes[0].outcome

    before = send(-1.2900, 0)
    stop()
    while_down = [send(-1.2890, 10), send(-1.2880, 20), send(-1.2885, 15)]
    start_empty()
    after_restart = [send(-1.2887, 18), send(-1.2870, 30)]

    assert before == "accepted"
    assert while_down == ["accepted", "accepted", "late"]
    assert after_restart == ["late", "accepted"]  # 18 s is older than the 20 s history holds as live
    assert [(lat, at - t0) for lat, _lon, at, _trip, _source, _live in history(fleet.bus_id)] == [
        (-1.29, timedelta(0)), (-1.289, timedelta(seconds=10)), (-1.2885, timedelta(seconds=15)),
        (-1.2887, timedelta(seconds=18)), (-1.288, timedelta(seconds=20)), (-1.287, timedelta(seconds=30))]
    assert live_point(fleet.bus_id) == (-1.287, 36.82, t0 + timedelta(seconds=30))


def test_while_redis_is_away_a_tracker_apps_reports_are_still_recorded(fleet, own_redis, client):
    stop, start_empty = own_redis
    stop()

    answer = client.get("/api/v1/tracking/osmand", {"id": fleet.tracker.identifier, "lat": "-1.29", "lon": "36.82",
                                                    "timestamp": str(int(timezone.now().timestamp()) - 5)})

    assert answer.status_code == 200
    assert len(history(fleet.bus_id)) == 1
    start_empty()
    assert live_point(fleet.bus_id) is None
