"""How the simulated bus moves along one leg: second by second, it pulls away, cruises at the leg's speed with a
slow swell (traffic, hills), and brakes to stand at the next stop. Pure functions of the leg's length and a
random generator, so a seed gives the same drive every time."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

ACCELERATION_MS2 = 0.8  # a loaded coach pulling away: 0 to 70 km/h in about 25 s
BRAKING_MS2 = 0.9  # a comfortable stop, passengers standing
CRUISE_KMH = (60.0, 80.0)  # each leg's cruising speed is drawn from this range
SWELL = 0.06  # the cruising speed swings by this fraction either way...
SWELL_WAVELENGTH_M = (2_000.0, 6_000.0)  # ...over this many metres
_ARRIVED_WITHIN_M = 1.0  # closer than this to the stop, the bus is there


@dataclass(frozen=True)
class Step:
    """Where the bus is on its leg at the end of a second, and how fast it goes then."""

    distance_m: float
    speed_ms: float


def cruise_speed_ms(rng: random.Random) -> float:
    return rng.uniform(*CRUISE_KMH) / 3.6


def drive(length_m: float, *, cruise_ms: float, rng: random.Random) -> list[Step]:
    """The bus's position at the end of each second from standing at the start of a leg to standing at its end
    (the last step), accelerating, cruising and braking within the module's limits."""
    wavelength = rng.uniform(*SWELL_WAVELENGTH_M)
    phase = rng.uniform(0.0, 2 * math.pi)
    steps: list[Step] = []
    distance, speed = 0.0, 0.0
    while length_m - distance >= _ARRIVED_WITHIN_M:
        remaining = length_m - distance
        wanted = cruise_ms * (1 + SWELL * math.sin(2 * math.pi * distance / wavelength + phase))
        can_stop_from = math.sqrt(2 * BRAKING_MS2 * remaining)  # the fastest it may go and still stop in time
        if wanted < speed and wanted <= can_stop_from:  # easing off to a slower cruise: no harder than braking
            following = min(max(wanted, speed - BRAKING_MS2), can_stop_from)
        else:
            following = min(speed + ACCELERATION_MS2, wanted, can_stop_from)
        moved = (speed + following) / 2
        if moved >= remaining:
            break
        distance, speed = distance + moved, following
        steps.append(Step(distance, speed))
    steps.append(Step(length_m, 0.0))
    return steps
