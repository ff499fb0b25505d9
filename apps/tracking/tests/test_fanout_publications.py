"""What the live store's move publishes for a bus is what position_announce sends its watchers' groups."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from apps.tracking import fanout
from apps.tracking.fixes import Fix

T0 = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


def test_a_buses_publications_go_to_its_fleets_and_trips_groups_with_its_position():
    fix = Fix(company_id=uuid.uuid4(), bus_id=uuid.uuid4(), source="device:test", latitude=-1.29, longitude=36.82,
              fixed_at=T0, received_at=T0, trip_id=uuid.uuid4(), speed_kmh=40.0)

    publications = fanout.position_publications(fix)

    assert [channel for channel, _ in publications] == [fanout.group_channel(fanout.fleet_group(fix.company_id)),
                                                        fanout.group_channel(fanout.trip_group(fix.trip_id))]
    assert [fanout.message_unpack(data) for _, data in publications] == [
        {"type": "bus.position", "bus": fanout.bus_update(fix)}] * 2


def test_a_bus_on_no_trip_is_published_to_its_fleet_only():
    fix = Fix(company_id=uuid.uuid4(), bus_id=uuid.uuid4(), source="device:test", latitude=-1.29, longitude=36.82,
              fixed_at=T0, received_at=T0)

    assert [channel for channel, _ in fanout.position_publications(fix)] == [
        fanout.group_channel(fanout.fleet_group(fix.company_id))]
