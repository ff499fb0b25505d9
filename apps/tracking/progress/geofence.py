"""Which stop a bus is at, from where it is (pure functions of the trip's stops, its progress and one position).

- A bus within the radius R of a stop still ahead has arrived there; once at a stop, it has left when it is
  more than LEAVE_FACTOR * R away, so a position wavering at the edge of the radius neither leaves nor
  arrives twice. A stop behind the bus is never arrived at again.
- A stop passed without a position inside its radius (the bus went by between two reports, or reported
  nothing there) is passed: no time is invented for it, it keeps none, and the stop reached next is recorded.
  Only a stop the bus could have reached since its last evaluated position counts (the route distance to it
  within what the fastest plausible bus covers meanwhile), so a route passing near one of its later stops
  does not skip ahead to it.
- A bus standing at the first stop before the trip is under way is at the first stop, however it moves about
  the stage: its arrival there is recorded like any arrival (it moves no status), and only leaving it once
  the trip is under way is the departure. Stops after the first count only once the trip is under way. A
  trip that departed (its driver said so) while its bus was not seen at the first stop has that stop behind it.
- When two stops are within R of each other, the bus is at the nearer: moving nearer to the later one leaves
  the earlier and arrives at the later one at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from apps.company import api as company_api
from apps.tracking.filters import distance_m
from apps.tracking.progress.plan import PlannedStop
from apps.tracking.progress.state import Progress

LEAVE_FACTOR = 1.5


def _nearest_within(stops: tuple[PlannedStop, ...], indexes: Iterable[int], latitude: float, longitude: float,
                    radius_m: float) -> tuple[int, float] | None:
    found: tuple[int, float] | None = None
    for index in indexes:
        metres = distance_m(latitude, longitude, stops[index].latitude, stops[index].longitude)
        if metres <= radius_m and (found is None or metres < found[1]):
            found = (index, metres)
    return found


def _reachable(stops: tuple[PlannedStop, ...], base: int, index: int, reach_km: float | None,
               radius_m: float) -> bool:
    if reach_km is None:
        return True
    return stops[index].distance_km - stops[base].distance_km <= reach_km + radius_m / 1000


def step(stops: tuple[PlannedStop, ...], progress: Progress, *, latitude: float, longitude: float, at: datetime,
         radius_m: float, under_way: bool, departed: bool, reach_km: float | None
         ) -> tuple[Progress, list[company_api.StopObservation]]:
    """The progress after the bus was at (latitude, longitude) at `at`, and what it observed: arrivals and
    departures to record. `under_way`: the trip may have left its first stop (it departed, or its departure
    time is near); `departed`: company says it left (its driver said so), so a bus not at the first stop is past
    it; `reach_km`: how far the bus could have gone since the last position (None: no bound)."""
    seen: list[company_api.StopObservation] = []
    last = len(stops) - 1
    here = progress.at_index
    if here is not None:
        if here == 0 and not under_way:
            return progress, seen
        metres_here = distance_m(latitude, longitude, stops[here].latitude, stops[here].longitude)
        ahead = (i for i in range(here + 1, last + 1) if _reachable(stops, here, i, reach_km, radius_m))
        nearer = _nearest_within(stops, ahead, latitude, longitude, radius_m)
        if nearer is not None and nearer[1] < metres_here:
            seen.append(company_api.StopObservation(sequence=stops[here].sequence, event=company_api.DEPARTED,
                                                    at=at))
            return _arrive(stops, progress, nearer[0], at, seen)
        if metres_here > LEAVE_FACTOR * radius_m:
            seen.append(company_api.StopObservation(sequence=stops[here].sequence, event=company_api.DEPARTED,
                                                    at=at))
            return replace(progress, at_index=None), seen
        return progress, seen
    start = progress.next_index
    if start == 0 and departed and _nearest_within(stops, [0], latitude, longitude, radius_m) is None:
        start = 1  # the trip left without being seen at its first stop: that stop is behind the bus
    may_pass_origin = under_way or start > 0
    ahead = (i for i in range(start, last + 1)
             if (i == 0 or may_pass_origin) and _reachable(stops, start, i, reach_km, radius_m))
    reached = _nearest_within(stops, ahead, latitude, longitude, radius_m)
    if reached is None:  # on the road between stops, as most positions are: the progress is as it was
        return (progress if start == progress.next_index else replace(progress, next_index=start)), seen
    return _arrive(stops, progress, reached[0], at, seen)


def _arrive(stops: tuple[PlannedStop, ...], progress: Progress, index: int, at: datetime,
            seen: list[company_api.StopObservation]) -> tuple[Progress, list[company_api.StopObservation]]:
    seen.append(company_api.StopObservation(sequence=stops[index].sequence, event=company_api.ARRIVED, at=at))
    if index == len(stops) - 1:
        return replace(progress, next_index=len(stops), at_index=None, done=True), seen
    return replace(progress, next_index=index + 1, at_index=index), seen
