"""The ticket code format: a packed binary payload plus its HMAC tag, as uppercase base32 text.

Layout (version 1), big-endian, packed with `struct`:

    offset  size  field
    0       1     format version (1)
    1       2     key id (uint16)
    3       16    company id (UUID bytes)
    19      16    ticket id (UUID bytes)
    35      16    trip id (UUID bytes)
    51      1     seat label length n (0..8)
    52      n     seat label, utf-8
    52+n    2     stretch from: stop sequence (uint16), inclusive
    54+n    2     stretch to: stop sequence (uint16), exclusive
    56+n    4     valid until (uint32, unix seconds, UTC)
    60+n    16    tag: the first 16 bytes (128 bits) of HMAC-SHA256(key, bytes 0 .. 60+n)

The whole is RFC 4648 base32, uppercase, without padding: 97 to 135 characters, all in the QR
alphanumeric set, so a QR symbol stores it at 5.5 bits per character instead of 8.

Only the canonical text is accepted: lowercase letters, padding, whitespace, trailing junk, a wrong
length, leftover bits that are not zero (which would let two texts carry the same bytes) and unknown
versions are all "malformed". One code has exactly one text, so the text itself can serve as a key
(boarding logs, offline manifests). Lowercase is refused rather than upper-cased: scanners read QR
alphanumeric mode, which has no lowercase, so a lowercase code was typed or altered by someone.

This module knows no keys: it packs, parses and splits. keyring.py and api.py sign and verify.
"""

from __future__ import annotations

import base64
import binascii
import struct
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from uuid import UUID

FORMAT_VERSION = 1
TAG_BYTES = 16
SEAT_MAX_BYTES = 8
SEQUENCE_MAX = 0xFFFF
KEY_ID_MAX = 0xFFFF
VALID_UNTIL_MAX = 0xFFFFFFFF

_HEAD = struct.Struct(">BH16s16s16sB")  # version, key id, company, ticket, trip, seat length
_TAIL = struct.Struct(">HHI")  # from, to, valid until
_FIXED_BYTES = _HEAD.size + _TAIL.size  # 60
_MIN_BYTES = _FIXED_BYTES + TAG_BYTES
_MAX_BYTES = _MIN_BYTES + SEAT_MAX_BYTES
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")


def _text_length(byte_count: int) -> int:
    return (byte_count * 8 + 4) // 5


MIN_CODE_CHARS = _text_length(_MIN_BYTES)
MAX_CODE_CHARS = _text_length(_MAX_BYTES)
# Base32 length of every possible code; any other length is refused before decoding.
_VALID_LENGTHS = frozenset(_text_length(n) for n in range(_MIN_BYTES, _MAX_BYTES + 1))


class MalformedCode(ValueError):
    """The text is not a ticket code of a known version (says nothing about the tag)."""


@dataclass(frozen=True)
class Fields:
    """The payload fields (published by api.py as TicketClaims)."""

    version: int
    key_id: int
    company_id: UUID
    ticket_id: UUID
    trip_id: UUID
    seat_label: str  # up to 8 bytes of utf-8
    from_sequence: int  # the stretch [from, to) of stop sequence numbers (0..65535)
    to_sequence: int
    valid_until: datetime  # aware, UTC, whole seconds


@dataclass(frozen=True)
class Parsed:
    """A code split into the signed bytes, the tag, and the fields those bytes hold."""

    payload: bytes
    tag: bytes
    fields: Fields


def pack(fields: Fields) -> bytes:
    """The payload bytes of `fields`; ValueError when a field does not fit the format."""
    seat = fields.seat_label.encode("utf-8")
    if len(seat) > SEAT_MAX_BYTES:
        raise ValueError(f"The seat label takes {len(seat)} bytes in utf-8; at most {SEAT_MAX_BYTES} fit.")
    if not 1 <= fields.key_id <= KEY_ID_MAX:
        raise ValueError(f"Key id {fields.key_id} is outside 1..{KEY_ID_MAX}.")
    for sequence in (fields.from_sequence, fields.to_sequence):
        if not 0 <= sequence <= SEQUENCE_MAX:
            raise ValueError(f"Stop sequence {sequence} is outside 0..{SEQUENCE_MAX}.")
    seconds = epoch_seconds(fields.valid_until)
    if not 0 <= seconds <= VALID_UNTIL_MAX:
        raise ValueError("valid_until is outside the range of the format (1970..2106).")
    head = _HEAD.pack(
        fields.version, fields.key_id, fields.company_id.bytes, fields.ticket_id.bytes, fields.trip_id.bytes, len(seat)
    )
    return head + seat + _TAIL.pack(fields.from_sequence, fields.to_sequence, seconds)


def join(payload: bytes, tag: bytes) -> str:
    """The code text of a payload and its tag."""
    return encode_text(payload + tag)


def encode_text(raw: bytes) -> str:
    return base64.b32encode(raw).decode("ascii").rstrip("=")


def split(code: str) -> Parsed:
    """Parse a code without looking at its tag; MalformedCode unless it is canonical and of a known version."""
    raw = _decode_text(code)
    if raw[0] != FORMAT_VERSION:
        raise MalformedCode(f"Unknown format version {raw[0]}.")
    version, key_id, company, ticket, trip, seat_length = _HEAD.unpack_from(raw)
    if seat_length > SEAT_MAX_BYTES or len(raw) != _MIN_BYTES + seat_length:
        raise MalformedCode("The seat length does not match the length of the code.")
    seat_end = _HEAD.size + seat_length
    try:
        seat = raw[_HEAD.size : seat_end].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise MalformedCode("The seat label is not utf-8.") from exc
    from_sequence, to_sequence, seconds = _TAIL.unpack_from(raw, seat_end)
    if key_id == 0 or from_sequence >= to_sequence:
        raise MalformedCode("The key id or the stretch is out of range.")
    payload_end = seat_end + _TAIL.size
    fields = Fields(
        version=version,
        key_id=key_id,
        company_id=UUID(bytes=company),
        ticket_id=UUID(bytes=ticket),
        trip_id=UUID(bytes=trip),
        seat_label=seat,
        from_sequence=from_sequence,
        to_sequence=to_sequence,
        valid_until=datetime.fromtimestamp(seconds, tz=UTC),
    )
    return Parsed(payload=raw[:payload_end], tag=raw[payload_end:], fields=fields)


def _decode_text(code: object) -> bytes:
    if not isinstance(code, str) or len(code) not in _VALID_LENGTHS or not _ALPHABET.issuperset(code):
        raise MalformedCode("Not a ticket code: wrong type, length or characters.")
    try:
        raw = base64.b32decode(code + "=" * (-len(code) % 8))
    except binascii.Error as exc:
        raise MalformedCode("Not valid base32.") from exc
    # b32decode ignores the unused low bits of the last character; refuse texts where they are set
    if encode_text(raw) != code:
        raise MalformedCode("Not the canonical base32 text of its bytes.")
    return raw


def epoch_seconds(moment: datetime) -> int:
    """Whole unix seconds of an aware datetime (a fraction of a second is dropped, never rounded up)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("valid_until must be timezone-aware.")
    return (moment - _EPOCH) // _SECOND
