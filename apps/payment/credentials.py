"""Provider credentials at rest: a Fernet token of their JSON, under keys from the environment.

MultiFernet: the first key of PAYMENT_CREDENTIALS_KEYS encrypts, every key decrypts, so a key is rotated by
putting a new one first, re-encrypting (`manage.py payment_rotate_credentials`) and dropping the old one.
Decrypted credentials live in memory for one provider call; they are never returned by an API, logged or shown
(the admin masks the secret fields).
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class CredentialsUnreadable(Exception):
    """No configured key opens these credentials (a key was dropped before rotating)."""


def _fernet() -> MultiFernet:
    return MultiFernet([Fernet(key.encode()) for key in settings.PAYMENT_CREDENTIALS_KEYS])


def encrypt(credentials: Mapping[str, str]) -> str:
    return _fernet().encrypt(json.dumps(dict(credentials), sort_keys=True).encode()).decode()


def decrypt(token: str) -> dict[str, str]:
    try:
        values = json.loads(_fernet().decrypt(token.encode()))
    except InvalidToken:
        raise CredentialsUnreadable("No configured PAYMENT_CREDENTIALS_KEYS key opens these credentials.") from None
    return {str(name): str(value) for name, value in values.items()}


def rotate(token: str) -> str:
    """The same credentials under the first key."""
    try:
        return _fernet().rotate(token.encode()).decode()
    except InvalidToken:
        raise CredentialsUnreadable("No configured PAYMENT_CREDENTIALS_KEYS key opens these credentials.") from None


def masked(value: str) -> str:
    """What the admin shows of a secret: its length class and last two characters at most."""
    if not value:
        return ""
    return "•" * 8 + (value[-2:] if len(value) >= 12 else "")
