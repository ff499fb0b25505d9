"""Demo data of tracking for `make run`: a tracker app registered on the demo's simulated bus (company's demo
gives that bus a trip departing as the platform starts), which `run_platform` has `tracking_simulate` drive; and
where to watch it. Runs after company's seeder; every start puts the tracker back as printed."""

from __future__ import annotations

from django.conf import settings

from apps.company import api as company_api
from apps.tracking.models import TrackerDevice
from apps.tracking.permissions import MANAGE_TRACKERS
from apps.tracking.trackers import tracker_register
from transport.demo import DEMO_COMPANIES, DEMO_SIMULATED_BUS, DEMO_SIMULATED_COMPANY, DemoOutput, demo_seeder
from transport.principal import Principal

# the `id` the simulated bus's tracker app sends: demo data only, printed (a tracker's id is its credential)
DEMO_TRACKER_IDENTIFIER = "demo-alpha-bus"
# the trip's websocket (apps/tracking/websockets/routing.py), printed among the notes
TRIP_WEBSOCKET_PATH = "/ws/trips/{trip_id}/"
_ACTOR = Principal.system("tracking-demo", {MANAGE_TRACKERS})


@demo_seeder(order=50)
def seed(out: DemoOutput) -> None:
    company_id = DEMO_COMPANIES[DEMO_SIMULATED_COMPANY]
    if company_api.bus_company_id(bus_id=DEMO_SIMULATED_BUS) != company_id:
        return  # company's demo did not seed the bus
    tracker = TrackerDevice.objects.filter(identifier=DEMO_TRACKER_IDENTIFIER).first()
    if tracker is None:
        tracker_register(principal=_ACTOR, company_id=company_id, bus_id=DEMO_SIMULATED_BUS,
                         identifier=DEMO_TRACKER_IDENTIFIER, name="Simulated tracker app")
    elif (tracker.company_id, tracker.bus_id, tracker.active) != (company_id, DEMO_SIMULATED_BUS, True):
        TrackerDevice.objects.filter(pk=tracker.pk).update(company_id=company_id, bus_id=DEMO_SIMULATED_BUS,
                                                           active=True)
    trip_id = company_api.bus_current_trip_id(bus_id=DEMO_SIMULATED_BUS)
    if trip_id is None:
        return
    trip = company_api.get_trip(trip_id=trip_id)
    if settings.TRACKING_DEMO_SIMULATION:
        out.add_note(f"Simulated bus {trip.bus_plate} (tracker id {DEMO_TRACKER_IDENTIFIER}) drives {trip.route_name}, "
                     f"trip {trip.id}; as {DEMO_SIMULATED_COMPANY}'s dispatcher watch it at")
    else:
        out.add_note(f"Simulated bus {trip.bus_plate} is boarding {trip.route_name}, trip {trip.id}: drive it with "
                     f"`manage.py tracking_simulate` (TRACKING_DEMO_SIMULATION is off); watch it at")
    out.add_note(f"  /api/v1/tracking/trips/{trip.id}/live, /api/v1/tracking/trips/{trip.id}/eta and .../track")
    out.add_note(f"  and the trip's websocket {TRIP_WEBSOCKET_PATH.format(trip_id=trip.id)} (subprotocols "
                 "\"bearer\", <access token>)")
    feed = f"/api/v1/tracking/gtfs-rt/{DEMO_SIMULATED_COMPANY}/vehicle-positions"
    out.add_note(f"  and the public GTFS-Realtime feed {feed} (also trip-updates, alerts; ?format=json to read it)")
