"""Sending a drive's reports when they are due, as a tracker app on the bus would."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from apps.tracking.simulation.plan import DrivePlan
from apps.tracking.simulation.sender import OsmAndSender, SendFailed

RETRY_PAUSES_S = (0.5, 1.0, 2.0, 5.0)  # between attempts at one report while the server does not answer
MIN_RETRY_WINDOW_S = 5.0  # a report is tried at least this long before it is given up


@dataclass(frozen=True)
class DriveResult:
    sent: int
    skipped: int  # given up after the server did not answer until the next report was due


def drive_send(plan: DrivePlan, sender: OsmAndSender, *, strict: bool, say: Callable[[str], None],
               clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> DriveResult:
    """Send each report when due. `strict` (a replay for tests): the first failure raises SendFailed. Otherwise
    a report the server does not take while it is down is retried until the next one is due, then given up
    (later reports carry later stamps, so the track goes on); a refusal that no retry mends raises."""
    started = clock()
    sent = skipped = 0
    for report in plan.reports:
        due = started + report.send_after_s
        if (wait := due - clock()) > 0:
            sleep(wait)
        give_up_at = max(due, clock()) + max(plan.pace.real_interval_s, MIN_RETRY_WINDOW_S)
        attempt = 0
        while True:
            try:
                sender.send(report)
            except SendFailed as exc:
                if strict or not exc.retry:
                    raise
                if clock() >= give_up_at:
                    skipped += 1
                    say(f"Gave up fix {report.index} of trip {plan.trip_id}: {exc}")
                    break
                sleep(RETRY_PAUSES_S[min(attempt, len(RETRY_PAUSES_S) - 1)])
                attempt += 1
            else:
                sent += 1
                break
    return DriveResult(sent=sent, skipped=skipped)
