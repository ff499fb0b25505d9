"""Tracking's demo: a tracker app on the simulated bus, registered once however often the demo is seeded and put
back as printed if the demo changed it; the notes say where to watch the simulated bus's trip."""

from __future__ import annotations

import uuid

import pytest

from apps.company import api as company_api
from apps.tracking.demo import DEMO_TRACKER_IDENTIFIER
from apps.tracking.models import TrackerDevice
from transport.demo import DEMO_COMPANIES, DEMO_SIMULATED_BUS, seed_all

pytestmark = pytest.mark.django_db


def demo_trackers() -> list[tuple[str, uuid.UUID, uuid.UUID, bool]]:
    return list(TrackerDevice.objects.values_list("identifier", "company_id", "bus_id", "active"))


def test_the_simulated_bus_gets_one_tracker_however_often_the_demo_is_seeded():
    first = seed_all()
    second = seed_all()

    assert demo_trackers() == [(DEMO_TRACKER_IDENTIFIER, DEMO_COMPANIES["alpha"], DEMO_SIMULATED_BUS, True)]
    assert first.notes == second.notes
    trip_id = company_api.bus_current_trip_id(bus_id=DEMO_SIMULATED_BUS)
    watch = [note for note in second.notes if str(trip_id) in note]
    assert watch == [
        f"Simulated bus KAS 500X (tracker id {DEMO_TRACKER_IDENTIFIER}) drives Nairobi - Thika, trip {trip_id}; "
        "as alpha's dispatcher watch it at",
        f"  /api/v1/tracking/trips/{trip_id}/live, /api/v1/tracking/trips/{trip_id}/eta and .../track",
        f'  and the trip\'s websocket /ws/trips/{trip_id}/ (subprotocols "bearer", <access token>)',
    ]


def test_seeding_again_puts_back_a_tracker_the_demo_turned_off_or_moved():
    seed_all()
    TrackerDevice.objects.filter(identifier=DEMO_TRACKER_IDENTIFIER).update(active=False, bus_id=uuid.uuid4())

    seed_all()

    assert demo_trackers() == [(DEMO_TRACKER_IDENTIFIER, DEMO_COMPANIES["alpha"], DEMO_SIMULATED_BUS, True)]


def test_with_the_simulation_off_the_notes_say_how_to_drive_the_bus_by_hand(settings):
    settings.TRACKING_DEMO_SIMULATION = False

    notes = seed_all().notes

    trip_id = company_api.bus_current_trip_id(bus_id=DEMO_SIMULATED_BUS)
    assert f"Simulated bus KAS 500X is boarding Nairobi - Thika, trip {trip_id}: drive it with " \
           "`manage.py tracking_simulate` (TRACKING_DEMO_SIMULATION is off); watch it at" in notes
