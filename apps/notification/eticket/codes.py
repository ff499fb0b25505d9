"""The random part of a ticket link: TICKET_LINK_LENGTH characters of its alphabet. 31 ** 12 = 2 ** 59.4 codes: with
a million live links one guess in 8 * 10 ** 11 finds one, about 1,200 years of guessing at the 20 requests a
second the gateway allows an address."""

from __future__ import annotations

import math
import secrets

from apps.notification.models import TICKET_LINK_ALPHABET as ALPHABET
from apps.notification.models import TICKET_LINK_LENGTH as LENGTH

BITS = LENGTH * math.log2(len(ALPHABET))


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def is_code(text: str) -> bool:
    """Whether the text could be a code at all: anything else is answered without a query."""
    return len(text) == LENGTH and all(char in ALPHABET for char in text)
