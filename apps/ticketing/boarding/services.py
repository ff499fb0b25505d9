"""Boarding: a driver's device scans ticket codes, online one at a time, or offline and uploaded later.

One ticket boards once, and the database is the guard: the Boarding row's primary key is the ticket.
An online scan inserts it with ON CONFLICT DO NOTHING, so of any number of simultaneous scans exactly one
boards and the others read the winner and answer `already_boarded`. Offline scans are uploaded after the
fact, so the boarding keeps the EARLIEST scan whatever the upload order (ON CONFLICT DO UPDATE ... WHERE the
new scan is earlier): the first scan wins, later ones are duplicates, and an upload never fails because of
one. Every scan, accepted or not, is logged in BoardingScan; an offline scan is logged under the device's
own scan id, so uploading it again answers what was decided, without deciding twice.

A code is judged in this order: its signature and validity (qr.api), the trip's company (other_company),
the trip (wrong_trip), the ticket row (unknown_ticket), its state (cancelled), then the boarding itself.
Expiry is judged at the scan's time, shifted by the trip's announced delay: a late bus does not turn its
passengers' tickets away.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from uuid import UUID

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.company import api as company_api
from apps.qr import api as qr_api
from apps.ticketing import policy, signals
from apps.ticketing.access import driver_trip
from apps.ticketing.models import Boarding, BoardingScan, Ticket
from transport.errors import DomainError, PermissionDenied, ValidationFailed
from transport.events import publish
from transport.principal import Principal

BOARDED = "boarded"
ALREADY_BOARDED = "already_boarded"  # online: the ticket boarded before this scan
DUPLICATE = "duplicate"  # offline: an earlier scan of the ticket is the boarding
OTHER_COMPANY = "other_company"
WRONG_TRIP = "wrong_trip"
UNKNOWN_TICKET = "unknown_ticket"
CANCELLED = "cancelled"
SCANNED_IN_FUTURE = "scanned_in_future"  # the device's clock is ahead of ours by more than policy allows
# an offline scan's time may not be earlier than the trip's boarding window, nor than its ticket's issue (less the
# clock skew a device may have): as the earliest scan it would become the boarding
SCANNED_BEFORE_BOARDING_WINDOW = "scanned_before_boarding_window"
SCANNED_BEFORE_ISSUE = "scanned_before_issue"
SCAN_ID_REUSED = "scan_id_reused"  # another device or trip already uploaded a scan with this id


class TooManyScans(DomainError):
    status = 413
    code = "too_many_scans"
    title = "Too many scans in one upload"


@dataclass(frozen=True)
class ScanOutcome:
    """What one scan decided. `ticket` is set when the scan names a ticket of the trip's company."""

    outcome: str
    ticket: Ticket | None = None
    boarded_at: datetime | None = None  # the winning scan's time (boarded, already_boarded, duplicate)
    boarded_by_device: UUID | None = None
    scan_id: UUID | None = None

    @property
    def boarded(self) -> bool:
        return self.outcome == BOARDED


@dataclass(frozen=True)
class OfflineScan:
    """A scan made with no network: the device's id for it, and the code read or the ticket picked from the
    manifest (exactly one of them), at the device's time."""

    id: UUID
    scanned_at: datetime
    code: str | None = None
    ticket_id: UUID | None = None


@dataclass
class _Verdict:
    outcome: str
    ticket: Ticket | None = None
    extra: dict = field(default_factory=dict)


def _scanning_device(principal: Principal) -> UUID:
    device_id = principal.device_id
    if device_id is None:
        raise PermissionDenied("Tickets are scanned from a driver's registered device.", code="device_required")
    return device_id


def ticket_scan(*, principal: Principal, trip_id: UUID, code: str) -> ScanOutcome:
    """Board the passenger holding `code` onto the trip, now; refusals are outcomes, not errors."""
    trip = driver_trip(principal=principal, trip_id=trip_id)
    device_id = _scanning_device(principal)
    now = timezone.now()
    tickets = _tickets_of(trip.company_id, _code_ticket_ids([code]))
    verdict = _judge_code(trip, code, at=now, tickets=tickets)
    with transaction.atomic():
        if verdict.outcome == BOARDED:
            assert verdict.ticket is not None  # _judge_ticket's verdict: it boards a ticket
            verdict = _board_online(trip, verdict.ticket, device_id=device_id, at=now)
        scan = BoardingScan.objects.create(company_id=trip.company_id, trip_id=trip.id, ticket=verdict.ticket,
                                           device_id=device_id, scanned_at=now, source=Boarding.Source.ONLINE,
                                           outcome=verdict.outcome)
    return ScanOutcome(outcome=verdict.outcome, ticket=verdict.ticket, scan_id=scan.id, **verdict.extra)


def scans_sync(*, principal: Principal, trip_id: UUID, scans: list[OfflineScan]) -> list[ScanOutcome]:
    """Record scans a device made offline, one outcome per scan in the order given.

    Each scan is decided in its own transaction (two devices uploading the same tickets in other orders
    never deadlock), and a scan id seen before answers its recorded outcome.
    """
    trip = driver_trip(principal=principal, trip_id=trip_id)
    device_id = _scanning_device(principal)
    limit = policy.max_boarding_sync()
    if len(scans) > limit:
        raise TooManyScans(f"Upload at most {limit} scans at once; this upload has {len(scans)}.",
                           fields={"scans": [f"At most {limit} scans."]})
    now = timezone.now()
    recorded = {scan.id: scan for scan in BoardingScan.objects.filter(pk__in=[s.id for s in scans])}
    wanted = _code_ticket_ids(s.code for s in scans if s.code) | {s.ticket_id for s in scans if s.ticket_id}
    tickets = _tickets_of(trip.company_id, wanted | {r.ticket_id for r in recorded.values() if r.ticket_id})
    outcomes = []
    for scan in scans:
        if scan.id in recorded:
            outcomes.append(_replay(recorded[scan.id], device_id=device_id, trip=trip, tickets=tickets))
            continue
        outcome, recorded[scan.id] = _offline_record(trip, scan, device_id=device_id, now=now, tickets=tickets)
        outcomes.append(outcome)
    return outcomes


def _offline_record(trip: company_api.TripDetails, scan: OfflineScan, *, device_id: UUID, now: datetime,
                    tickets: dict[UUID, Ticket]) -> tuple[ScanOutcome, BoardingScan]:
    """Decide and log one offline scan; a concurrent upload of the same scan id answers what it recorded."""
    verdict = _judge_offline(trip, scan, now=now, tickets=tickets)
    try:
        with transaction.atomic():
            if verdict.outcome == BOARDED:
                assert verdict.ticket is not None  # _judge_ticket's verdict: it boards a ticket
                verdict = _board_offline(trip, verdict.ticket, device_id=device_id, at=scan.scanned_at)
            log = BoardingScan.objects.create(id=scan.id, company_id=trip.company_id, trip_id=trip.id,
                                              ticket=verdict.ticket, device_id=device_id, scanned_at=scan.scanned_at,
                                              source=Boarding.Source.OFFLINE, outcome=verdict.outcome)
    except IntegrityError:
        # the same scan id was recorded meanwhile by another upload: its decision stands, ours is undone
        log = BoardingScan.objects.get(pk=scan.id)
        return _replay(log, device_id=device_id, trip=trip, tickets=tickets), log
    return ScanOutcome(outcome=verdict.outcome, ticket=verdict.ticket, scan_id=scan.id, **verdict.extra), log


def _replay(log: BoardingScan, *, device_id: UUID, trip: company_api.TripDetails,
            tickets: dict[UUID, Ticket]) -> ScanOutcome:
    """The answer to a scan id already recorded. A scan that boarded may since have lost to an earlier scan
    uploaded later: the answer says so (duplicate), from the boarding as it stands."""
    if log.source != Boarding.Source.OFFLINE or log.device_id != device_id or log.trip_id != trip.id:
        return ScanOutcome(outcome=SCAN_ID_REUSED, scan_id=log.id)  # and nothing of the other scan is shown
    ticket = tickets.get(log.ticket_id) if log.ticket_id else None
    if log.outcome not in (BOARDED, DUPLICATE) or ticket is None:
        return ScanOutcome(outcome=log.outcome, ticket=ticket, scan_id=log.id)
    # boardings are never deleted (PROTECT, no service removes one), so a scan that boarded or lost has a winner
    scanned_at, winner_device = _winner(ticket.id)
    won = log.outcome == BOARDED and (scanned_at, winner_device) == (log.scanned_at, log.device_id)
    return ScanOutcome(outcome=BOARDED if won else DUPLICATE, ticket=ticket, boarded_at=scanned_at,
                       boarded_by_device=winner_device, scan_id=log.id)


def _judge_offline(trip: company_api.TripDetails, scan: OfflineScan, *, now: datetime,
                   tickets: dict[UUID, Ticket]) -> _Verdict:
    """A scan's time is bounded first: from the trip's boarding window (or its ticket's issue) to now, give or take
    the clock skew a device may have. Out of bounds, the scan is refused and boards nobody."""
    if scan.scanned_at > now + policy.device_clock_skew():
        return _Verdict(SCANNED_IN_FUTURE)
    if scan.scanned_at < trip.departure_at - policy.boarding_window_before_departure():
        return _Verdict(SCANNED_BEFORE_BOARDING_WINDOW)
    verdict = _judge_offline_ticket(trip, scan, tickets=tickets)
    if (verdict.outcome == BOARDED and verdict.ticket is not None
            and scan.scanned_at < verdict.ticket.issued_at - policy.device_clock_skew()):
        return _Verdict(SCANNED_BEFORE_ISSUE, verdict.ticket)
    return verdict


def _judge_offline_ticket(trip: company_api.TripDetails, scan: OfflineScan, *,
                          tickets: dict[UUID, Ticket]) -> _Verdict:
    if scan.code is not None:
        return _judge_code(trip, scan.code, at=scan.scanned_at, tickets=tickets)
    # a ticket picked from the manifest by a device of the trip's driver: the device vouches for it
    ticket = tickets.get(scan.ticket_id) if scan.ticket_id is not None else None
    if ticket is None:
        return _Verdict(UNKNOWN_TICKET)
    if ticket.trip_id != trip.id:
        return _Verdict(WRONG_TRIP, ticket)
    if ticket.code and _judged_at(trip, scan.scanned_at) > qr_api.ticket_code_read(code=ticket.code).valid_until:
        return _Verdict(qr_api.EXPIRED, ticket)
    return _judge_ticket(ticket)


def _judge_code(trip: company_api.TripDetails, code: str, *, at: datetime, tickets: dict[UUID, Ticket]) -> _Verdict:
    verification = qr_api.ticket_code_verify(code=code, now=_judged_at(trip, at))
    claims = verification.claims
    if claims is None:  # malformed, unknown key or a bad signature: nothing in it can be trusted
        return _Verdict(verification.reason)
    if claims.company_id != trip.company_id:
        return _Verdict(OTHER_COMPANY)  # another operator's ticket: show nothing of it
    ticket = tickets.get(claims.ticket_id)
    if not verification.ok:
        return _Verdict(verification.reason, ticket)
    if claims.trip_id != trip.id or (ticket is not None and ticket.trip_id != trip.id):
        return _Verdict(WRONG_TRIP, ticket)
    if ticket is None:
        return _Verdict(UNKNOWN_TICKET)
    return _judge_ticket(ticket)


def _judge_ticket(ticket: Ticket) -> _Verdict:
    if ticket.state == Ticket.State.CANCELLED:
        return _Verdict(CANCELLED, ticket)
    return _Verdict(BOARDED, ticket)


def _judged_at(trip: company_api.TripDetails, at: datetime) -> datetime:
    """The moment a code's validity is judged at: the scan's, less the trip's announced delay."""
    return at - timedelta(minutes=trip.delay_minutes)


_INSERT = """
INSERT INTO {table} (ticket_id, company_id, trip_id, device_id, scanned_at, recorded_at, source)
VALUES (%s, %s, %s, %s, %s, now(), %s)
"""
_ONLINE = _INSERT + "ON CONFLICT (ticket_id) DO NOTHING RETURNING true"
# the earliest scan wins; RETURNING says whether the row is new (xmax = 0) and returns nothing when it stays
_OFFLINE = _INSERT + """ON CONFLICT (ticket_id) DO UPDATE
   SET scanned_at = EXCLUDED.scanned_at, device_id = EXCLUDED.device_id, source = EXCLUDED.source,
       recorded_at = EXCLUDED.recorded_at
 WHERE EXCLUDED.scanned_at < {table}.scanned_at
RETURNING (xmax = 0)"""


def _still_valid(ticket: Ticket) -> bool:
    """Read the ticket's state again under a share lock, in the boarding's transaction: a cancellation (which
    locks its tickets for update, then looks for boardings) either finished first, and the ticket reads as
    cancelled here, or waits for this boarding to commit and then refuses to cancel a boarded ticket."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT state FROM {Ticket._meta.db_table} WHERE id = %s FOR SHARE", [ticket.id])  # noqa: S608
        row = cursor.fetchone()
    return row is not None and row[0] == Ticket.State.VALID


def _board_online(trip: company_api.TripDetails, ticket: Ticket, *, device_id: UUID, at: datetime) -> _Verdict:
    if not _still_valid(ticket):
        return _Verdict(CANCELLED, ticket)
    inserted = _upsert(_ONLINE, trip, ticket, device_id=device_id, at=at, source=Boarding.Source.ONLINE)
    if inserted is None:
        return _lost(ticket, ALREADY_BOARDED)
    return _boarded(trip, ticket, device_id=device_id, at=at, first=True)


def _board_offline(trip: company_api.TripDetails, ticket: Ticket, *, device_id: UUID, at: datetime) -> _Verdict:
    if not _still_valid(ticket):
        return _Verdict(CANCELLED, ticket)
    inserted = _upsert(_OFFLINE, trip, ticket, device_id=device_id, at=at, source=Boarding.Source.OFFLINE)
    if inserted is None:
        return _lost(ticket, DUPLICATE)
    return _boarded(trip, ticket, device_id=device_id, at=at, first=inserted)


def _upsert(sql: str, trip: company_api.TripDetails, ticket: Ticket, *, device_id: UUID, at: datetime,
            source: str) -> bool | None:
    """Run the boarding insert; None when the existing boarding stands, else whether the row is new."""
    with connection.cursor() as cursor:
        cursor.execute(sql.format(table=Boarding._meta.db_table),
                       [ticket.id, trip.company_id, trip.id, device_id, at, source])
        row = cursor.fetchone()
    return None if row is None else row[0]


def _winner(ticket_id: UUID) -> tuple[datetime, UUID]:
    """The time and device of the scan that boarded the ticket."""
    return Boarding.objects.filter(ticket_id=ticket_id).values_list("scanned_at", "device_id").get()


def _lost(ticket: Ticket, outcome: str) -> _Verdict:
    scanned_at, device_id = _winner(ticket.id)
    return _Verdict(outcome, ticket, {"boarded_at": scanned_at, "boarded_by_device": device_id})


def _boarded(trip: company_api.TripDetails, ticket: Ticket, *, device_id: UUID, at: datetime,
             first: bool) -> _Verdict:
    if first:
        publish(signals.ticket_boarded, signals.TicketBoarded(
            ticket_id=str(ticket.id), trip_id=str(trip.id), company_id=str(trip.company_id), device_id=str(device_id),
            scanned_at=at.isoformat()))
    return _Verdict(BOARDED, ticket, {"boarded_at": at, "boarded_by_device": device_id})


def _code_ticket_ids(codes: Iterable[str]) -> set[UUID]:
    """The ticket ids the codes name, read without their tags: only to fetch the rows in one query."""
    ids = set()
    for code in codes:
        try:
            ids.add(qr_api.ticket_code_read(code=code).ticket_id)
        except ValidationFailed:
            continue
    return ids


def _tickets_of(company_id: UUID, ticket_ids: set[UUID]) -> dict[UUID, Ticket]:
    """The tickets of one company by id, with what a scan answer shows (passenger, stretch)."""
    if not ticket_ids:
        return {}
    rows = Ticket.objects.select_related("passenger", "booking").filter(company_id=company_id, pk__in=ticket_ids)
    return {ticket.id: ticket for ticket in rows}
