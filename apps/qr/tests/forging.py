"""Codes built by hand, as an attacker or a buggy client would: any version, key id, bytes or secret."""

from __future__ import annotations

import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from uuid import uuid4

from django.conf import settings

from apps.qr import codec
from apps.qr.keyring import derive_secret


def fields(**overrides) -> codec.Fields:
    values = {
        "version": codec.FORMAT_VERSION,
        "key_id": 1,
        "company_id": uuid4(),
        "ticket_id": uuid4(),
        "trip_id": uuid4(),
        "seat_label": "3C",
        "from_sequence": 0,
        "to_sequence": 4,
        "valid_until": datetime.now(UTC).replace(microsecond=0) + timedelta(hours=3),
    }
    return codec.Fields(**{**values, **overrides})


def sign_raw(payload: bytes, *, key_id: int, master: str | None = None) -> str:
    """Payload bytes + the tag a key of this deployment (or of another secret) gives them."""
    secret = derive_secret(master or settings.QR_SIGNING_SECRET, key_id)
    return codec.join(payload, hmac.digest(secret, payload, hashlib.sha256)[: codec.TAG_BYTES])


def forge(*, master: str | None = None, **overrides) -> str:
    """A correctly tagged code for any fields, whether or not the key exists."""
    packed = fields(**overrides)
    return sign_raw(codec.pack(packed), key_id=packed.key_id, master=master)
