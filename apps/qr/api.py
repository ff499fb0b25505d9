"""The published interface of qr: keyword-only functions returning frozen dataclasses.

qr alone holds the signing keys: it is the only code that signs or verifies a ticket code. The code
format is described in codec.py, the keys and how fast a rotation propagates in keyring.py.

None of these functions acts for a principal: a code is a bearer credential, and whoever may issue or
check a ticket is decided by the caller (ticketing) before it asks for a signature or a verdict.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from django.utils import timezone

from apps.qr import codec, rendering
from apps.qr.keyring import ring
from transport.errors import ServiceUnavailable, ValidationFailed

VALID = "valid"
MALFORMED = "malformed"
UNKNOWN_KEY = "unknown_key"
INVALID_SIGNATURE = "invalid_signature"
EXPIRED = "expired"


TicketClaims = codec.Fields  # the payload's fields: format version, key id, company, ticket, trip, seat, stretch


@dataclass(frozen=True)
class Verification:
    ok: bool
    reason: str  # "valid" | "malformed" | "unknown_key" | "invalid_signature" | "expired"
    claims: TicketClaims | None  # set when the signature checked out (ok, or only "expired"); else None


def ticket_code_sign(
    *,
    company_id: UUID,
    ticket_id: UUID,
    trip_id: UUID,
    seat_label: str,
    from_sequence: int,
    to_sequence: int,
    valid_until: datetime,
) -> str:
    """Sign the claims with the active key; returns the code text (uppercase base32, at most 135 characters).

    valid_until must be aware; a fraction of a second is dropped. ValidationFailed when a value does
    not fit the format (seat over 8 utf-8 bytes or empty, stretch not 0 <= from < to <= 65535).
    """
    _check_claims(seat_label=seat_label, from_sequence=from_sequence, to_sequence=to_sequence, valid_until=valid_until)
    signing = ring.signing_key()
    if signing is None:
        raise ServiceUnavailable(
            "No QR signing key is active: run `manage.py qr_keys rotate`.", code="qr_no_signing_key"
        )
    key_id, secret = signing
    fields = codec.Fields(
        version=codec.FORMAT_VERSION,
        key_id=key_id,
        company_id=company_id,
        ticket_id=ticket_id,
        trip_id=trip_id,
        seat_label=seat_label,
        from_sequence=from_sequence,
        to_sequence=to_sequence,
        valid_until=valid_until,
    )
    try:
        payload = codec.pack(fields)
    except ValueError as exc:
        raise ValidationFailed(str(exc), code="invalid_ticket_claims") from exc
    return codec.join(payload, _tag(secret, payload))


def ticket_code_verify(*, code: str, now: datetime | None = None) -> Verification:
    """The verdict on a code, checked in this order: malformed, unknown_key, invalid_signature, expired.

    Never raises for a bad code. A code is expired once `now` (default: the current time) is past its
    valid_until; an expired code still carries its claims, since its signature checked out.
    """
    try:
        parsed = codec.split(code)
    except codec.MalformedCode:
        return Verification(ok=False, reason=MALFORMED, claims=None)
    secret = ring.verifying_secret(parsed.fields.key_id)
    if secret is None:
        return Verification(ok=False, reason=UNKNOWN_KEY, claims=None)
    if not hmac.compare_digest(_tag(secret, parsed.payload), parsed.tag):
        return Verification(ok=False, reason=INVALID_SIGNATURE, claims=None)
    claims = parsed.fields
    if (now or timezone.now()) > claims.valid_until:
        return Verification(ok=False, reason=EXPIRED, claims=claims)
    return Verification(ok=True, reason=VALID, claims=claims)


def ticket_code_tag(*, code: str) -> str:
    """The code's tag as base32 text (same alphabet as codes), for offline manifests.

    An offline device holds these tags, not the keys: it reads a code (ticket_code_read), compares its
    tag with the manifest's, and so needs no secret. ValidationFailed(code="malformed_code") if unparsable.
    """
    return codec.encode_text(_split_or_refuse(code).tag)


def ticket_code_read(*, code: str) -> TicketClaims:
    """The payload WITHOUT checking the tag: trust it only after comparing the tag with a manifest's."""
    return _split_or_refuse(code).fields


def ticket_code_png(*, code: str) -> bytes:
    """A PNG image of the code's QR symbol (error correction M, a 4-module quiet zone)."""
    _split_or_refuse(code)
    return rendering.png(code)


def ticket_code_svg(*, code: str) -> bytes:
    """An SVG image of the code's QR symbol, utf-8 bytes (error correction M, a 4-module quiet zone)."""
    _split_or_refuse(code)
    return rendering.svg(code)


def _tag(secret: bytes, payload: bytes) -> bytes:
    return hmac.digest(secret, payload, hashlib.sha256)[: codec.TAG_BYTES]


def _split_or_refuse(code: str) -> codec.Parsed:
    try:
        return codec.split(code)
    except codec.MalformedCode as exc:
        raise ValidationFailed(f"This is not a ticket code: {exc}", code="malformed_code") from exc


def _check_claims(*, seat_label: str, from_sequence: int, to_sequence: int, valid_until: datetime) -> None:
    problems: dict[str, list[str]] = {}
    if not seat_label or len(seat_label.encode("utf-8")) > codec.SEAT_MAX_BYTES:
        problems["seat_label"] = [f"Give a seat label of 1 to {codec.SEAT_MAX_BYTES} bytes in utf-8."]
    if not 0 <= from_sequence < to_sequence <= codec.SEQUENCE_MAX:
        problems["to_sequence"] = [f"The stretch needs 0 <= from_sequence < to_sequence <= {codec.SEQUENCE_MAX}."]
    if timezone.is_naive(valid_until):
        problems["valid_until"] = ["Give an aware datetime."]
    if problems:
        raise ValidationFailed("These ticket claims do not fit in a ticket code.", code="invalid_ticket_claims",
                               fields=problems)
