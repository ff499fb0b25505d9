"""How a simulated trip's time maps onto its fixes' timestamps and onto the real clock, so that the filters
(filters.py) stay as they are and accept every fix for a good reason.

Three clocks: simulated time (how the bus really moves, track.py), the fixes' timestamps (what the tracker
says), and the real clock (when each fix is sent). The filters refuse a fix stamped ahead of the server's clock,
one older than TRACKING_FILTER_TOO_OLD_SECONDS, and one implying a move faster than
TRACKING_FILTER_MAX_SPEED_KMH from the last one they accepted. So:

- the stamps advance `kappa` seconds per simulated second, one fix every `interval_s` stamped seconds; the
  implied speed is the bus's speed / kappa (plus the GPS noise over an interval), and the fixes report that
  speed, so what the tracker says agrees with where it goes. kappa is never below `kappa_min`, which keeps the
  track's fastest move (track.Track.max_speed_ms) a margin under the filter's limit;
- the fixes are sent `speedup` times faster than simulated time;
- no stamp is ahead of the real clock when its fix is sent.

Hence two regimes. Up to `realtime_speedup` (1 / kappa_min: about 1.7 with the default limit of 160 km/h and a
bus cruising at up to 85 km/h), kappa = 1 / speedup: every fix is stamped with the time it is sent, and the
bus goes `speedup` times its simulated speed. Beyond it (and with --once, as fast as the server answers),
kappa = kappa_min and the first stamp lies behind the real clock by just enough for the last fix to be stamped
when it is sent: the replay reads like a tracker uploading what it buffered while it was offline, and the lag
shrinks to nothing on arrival. The lag must stay within TRACKING_FILTER_TOO_OLD_SECONDS (a week by default).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from apps.tracking.filters import Thresholds

SAFETY = 0.95  # implied speeds stay this fraction of the filter's limit, at most
MIN_KAPPA = 0.05  # a bus that never moves is still replayed at most 20 times faster than it stood
KNOTS_PER_MS = 3.6 / 1.852


class PaceError(ValueError):
    """The trip cannot be replayed under these limits (the message says why and what to change)."""


@dataclass(frozen=True)
class Pace:
    kappa: float  # stamped seconds per simulated second
    speedup: float | None  # simulated seconds per real second; None: as fast as the server answers
    interval_s: int  # between two fixes' stamps
    count: int  # fixes to send
    first_stamp: datetime  # a whole second

    @property
    def simulated_interval_s(self) -> float:
        return self.interval_s / self.kappa

    @property
    def real_interval_s(self) -> float:
        return 0.0 if self.speedup is None else self.simulated_interval_s / self.speedup

    def stamp(self, index: int) -> datetime:
        return self.first_stamp + timedelta(seconds=index * self.interval_s)

    def send_after_s(self, index: int) -> float:
        """When fix `index` is due, in real seconds after the first."""
        return index * self.real_interval_s

    def reported_speed_ms(self, simulated_speed_ms: float) -> float:
        return simulated_speed_ms / self.kappa


def speed_cap_ms(*, interval_s: int, noise_m: float, limits: Thresholds) -> float:
    """The fastest the bus may seem to go between two fixes: the filter's limit with a margin, less what two
    fixes' noise may add to a move over one interval."""
    return limits.max_speed_kmh / 3.6 * SAFETY - 2 * noise_m / interval_s


def kappa_min(*, max_speed_ms: float, interval_s: int, noise_m: float, limits: Thresholds) -> float:
    cap = speed_cap_ms(interval_s=interval_s, noise_m=noise_m, limits=limits)
    if cap <= 0:
        raise PaceError(f"With {noise_m:g} m of GPS noise, fixes {interval_s} s apart may seem faster than the "
                        f"speed filter's {limits.max_speed_kmh:g} km/h: use a longer interval.")
    return max(max_speed_ms / cap, MIN_KAPPA)


def realtime_speedup(*, max_speed_ms: float, interval_s: int, noise_m: float, limits: Thresholds) -> float:
    """The largest speedup at which every fix is stamped with the real time it is sent."""
    return 1 / kappa_min(max_speed_ms=max_speed_ms, interval_s=interval_s, noise_m=noise_m, limits=limits)


def fix_count(*, remaining_s: float, every_s: float) -> int:
    """Fixes from the start to the first one at or after the arrival, `every_s` simulated seconds apart."""
    return max(0, math.ceil(remaining_s / every_s)) + 1


def pace_plan(*, max_speed_ms: float, remaining_s: float, interval_s: int, speedup: float | None, noise_m: float,
              limits: Thresholds, now: datetime) -> Pace:
    """The pace of a replay of `remaining_s` simulated seconds starting at `now` (see the module's docstring)."""
    if interval_s < limits.min_period.total_seconds():
        raise PaceError(f"Fixes at most {limits.min_period.total_seconds():g} s apart: a bus standing at a stop "
                        f"would be refused as too close to its last fix.")
    if speedup is not None and not (math.isfinite(speedup) and speedup > 0):
        raise PaceError("The speedup is a positive number.")
    lowest = kappa_min(max_speed_ms=max_speed_ms, interval_s=interval_s, noise_m=noise_m, limits=limits)
    kappa = lowest if speedup is None else max(1 / speedup, lowest)
    count = fix_count(remaining_s=remaining_s, every_s=interval_s / kappa)
    real_interval = 0.0 if speedup is None else interval_s / kappa / speedup
    # the last fix is stamped no later than it is sent, so neither is any before it
    last_sent = now + timedelta(seconds=(count - 1) * real_interval)
    first = min(now, last_sent - timedelta(seconds=(count - 1) * interval_s))
    first = first.replace(microsecond=0)
    if now - first > limits.too_old * SAFETY:
        raise PaceError(f"Replayed this fast, the first fix would be stamped {now - first} ago, older than the "
                        f"filters take: use a lower speedup.")
    return Pace(kappa=kappa, speedup=speedup, interval_s=interval_s, count=count, first_stamp=first)
