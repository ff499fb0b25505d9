"""The simulated bus's tracker app: it sends each report to a running server by the OsmAnd protocol, as Traccar
Client does (a POST whose query carries the fix), so the whole ingestion path runs: the tracker's lookup, the
filters, the live position in Redis and the history."""

from __future__ import annotations

import httpx

from apps.tracking.osmand import KMH_PER_KNOT
from apps.tracking.simulation.plan import ACCURACY_M, Report

OSMAND_PATH = "/api/v1/tracking/osmand"
TIMEOUT_SECONDS = 10.0


class SendFailed(Exception):
    """The server did not take the report; `retry` says whether sending it again may help."""

    def __init__(self, message: str, *, retry: bool) -> None:
        super().__init__(message)
        self.retry = retry


def osmand_query(identifier: str, report: Report) -> dict[str, str]:
    query = {"id": identifier, "lat": f"{report.latitude:.7f}", "lon": f"{report.longitude:.7f}",
             "timestamp": str(int(report.fixed_at.timestamp())), "speed": f"{report.speed_kmh / KMH_PER_KNOT:.2f}",
             "accuracy": f"{ACCURACY_M:g}"}
    if report.heading is not None:
        query["bearing"] = f"{report.heading:.1f}"
    return query


class OsmAndSender:
    def __init__(self, *, base_url: str, identifier: str) -> None:
        self.identifier = identifier
        self._client = httpx.Client(base_url=base_url.rstrip("/"), timeout=TIMEOUT_SECONDS)

    def close(self) -> None:
        self._client.close()

    def send(self, report: Report) -> None:
        """One report; SendFailed if the server does not answer 200 (the filters' verdict is not told: a
        tracker app only learns that its report arrived)."""
        try:
            answer = self._client.post(OSMAND_PATH, params=osmand_query(self.identifier, report))
        except httpx.HTTPError as exc:
            raise SendFailed(f"The server did not answer: {exc}", retry=True) from exc
        if answer.status_code == 200:
            return
        detail = answer.text[:300]
        if answer.status_code == 404:
            raise SendFailed(f"The server knows no active tracker {self.identifier!r}: {detail}", retry=False)
        raise SendFailed(f"The server answered {answer.status_code}: {detail}", retry=answer.status_code >= 500)
