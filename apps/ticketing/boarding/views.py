"""HTTP endpoints of boarding under /api/v1/: a driver's device scans tickets online, or reads the trip's
manifest and uploads the scans it made offline."""

from __future__ import annotations

from uuid import UUID

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.ticketing.boarding import selectors as boarding_selectors
from apps.ticketing.boarding import services as boarding
from apps.ticketing.boarding.serializers import (
    BoardingScanIn,
    BoardingScanOut,
    BoardingSyncIn,
    BoardingSyncOut,
    ManifestOut,
)
from transport.http.principal import principal_of
from transport.http.serializers import validated


class ScanTicket(APIView):
    """A driver's device of the trip scans a ticket's code; the passenger boards, or the answer says why not.

    Every refusal (bad or expired code, another company's or another trip's ticket, a cancelled ticket, a
    ticket that already boarded) is a 200 with `boarded: false` and the `reason`: the scan itself went fine.
    """

    @extend_schema(request=BoardingScanIn, responses=BoardingScanOut,
                   summary="Scan a ticket's code and board its passenger")
    def post(self, request: Request) -> Response:
        values = validated(BoardingScanIn, request.data)
        outcome = boarding.ticket_scan(principal=principal_of(request), **values)
        return Response(BoardingScanOut(outcome).data)


class SyncScans(APIView):
    """Upload scans a driver's device made offline, each with the device's own id for it.

    The first scan of a ticket wins whatever the upload order: a later scan of a boarded ticket is answered
    `duplicate` with the winning scan's time and device. Uploading the same scan id again answers what was
    decided for it. A scan's time must fall between the trip's boarding window (TICKETING_BOARDING_EARLIEST_HOURS
    before departure) or its ticket's issue, and now, give or take the devices' clock skew; out of bounds it is
    refused (`scanned_before_boarding_window`, `scanned_before_issue`, `scanned_in_future`) and boards nobody.
    Refusals and duplicates are outcomes, never errors; a malformed upload is a 4xx.
    """

    @extend_schema(request=BoardingSyncIn, responses=BoardingSyncOut, summary="Upload offline boarding scans")
    def post(self, request: Request) -> Response:
        values = validated(BoardingSyncIn, request.data)
        scans = [boarding.OfflineScan(id=s["id"], scanned_at=s["scanned_at"], code=s.get("code"),
                                      ticket_id=s.get("ticket_id")) for s in values["scans"]]
        outcomes = boarding.scans_sync(principal=principal_of(request), trip_id=values["trip_id"], scans=scans)
        return Response(BoardingSyncOut({"trip_id": values["trip_id"], "scans": outcomes}).data)


class TripManifest(APIView):
    """The trip's valid tickets, for a device of one of its drivers to check codes with no network.

    The manifest holds no key. To check a code offline, the device:
    1. reads the code's payload without a key (format in the qr app: base32 of version, key id, company,
       ticket, trip, seat, stretch from/to, valid until, then a 16-byte tag);
    2. finds the payload's ticket id among the manifest's tickets (not there: unknown or not valid);
    3. compares the payload's company, trip, seat, stretch and valid-until with the manifest and its entry,
       and the code's tag (base32) with the entry's `tag`, in constant time: any difference means a forged or
       altered code, since only the qr app's key makes a tag that matches the issued payload;
    4. refuses it when valid-until (plus the trip's delay) has passed, or the entry says it already boarded
       or the device scanned it already, and otherwise boards the passenger and keeps the scan, with a fresh
       scan id and its time, for `POST /api/v1/boarding/sync`.
    """

    @extend_schema(responses=ManifestOut, summary="A trip's boarding manifest for offline checks")
    def get(self, request: Request, trip_id: UUID) -> Response:
        manifest = boarding_selectors.trip_manifest(principal=principal_of(request), trip_id=trip_id)
        return Response(ManifestOut(manifest).data)
