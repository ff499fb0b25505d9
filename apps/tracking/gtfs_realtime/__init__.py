"""GTFS-Realtime feeds of a company (https://gtfs.org/realtime/reference/): VehiclePositions, TripUpdates and
Alerts, public like the static GTFS feed (company's gtfs.py) and naming what it names: trip_id is our trip id,
route_id our route id, stop_id our stop id, agency_id the company's slug, and a trip's start_date/start_time are
its service day and first departure as the static feed counts them.

Which trips: those of today's service day in the company's timezone and yesterday's still under way
(company.api.service_day_trips), leaving out what is over (a trip that arrived, or whose last stop is behind
us, delay included, without it being under way).

A cancelled trip is not in the static feed (it is left out of trips.txt the moment it is cancelled), yet
TripUpdates carries it as CANCELED and Alerts as NO_SERVICE: the consumers that need the cancellation are the
ones still holding a static feed from before it, which has the trip; a consumer with a newer static feed never
shows the trip and drops an update for a trip it does not know. A validator run against the newer static feed
reports E003 (trip_id not in GTFS) for it, and against the one from before the cancellation nothing.
"""
