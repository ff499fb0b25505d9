"""How full a bus is on the leg it is driving, in GTFS-Realtime's words, from the seats ticketing counts as taken
on that leg (sold, or held for a booking being paid) against the seats it sells at all.

Thresholds, as shares of the sellable seats taken:
- EMPTY                 under 10 %: few or no passengers (three seats or fewer on a 40-seat coach);
- MANY_SEATS_AVAILABLE  under 75 %;
- FEW_SEATS_AVAILABLE   from 75 % to one seat short of full;
- FULL                  every sellable seat taken (a coach sells seats, so there is no standing room).
occupancy_percentage is the same share in whole percent. Seats sold are not heads counted on board: a passenger
who did not show up still counts, and a cash fare nobody recorded does not.
"""

from __future__ import annotations

from google.transit import gtfs_realtime_pb2 as rt

EMPTY_BELOW = 0.10
MANY_SEATS_BELOW = 0.75


def occupancy_status(*, taken: int, seats: int) -> rt.VehiclePosition.OccupancyStatus:
    share = taken / seats
    if share < EMPTY_BELOW:
        return rt.VehiclePosition.EMPTY
    if share < MANY_SEATS_BELOW:
        return rt.VehiclePosition.MANY_SEATS_AVAILABLE
    if taken < seats:
        return rt.VehiclePosition.FEW_SEATS_AVAILABLE
    return rt.VehiclePosition.FULL


def occupancy_percentage(*, taken: int, seats: int) -> int:
    return round(100 * taken / seats)
