"""Credentials at rest, for every app that holds a provider's secrets: a Fernet token of their JSON, under the
keys of the app's own setting (each context holds its own secrets, DESIGN.md section 4).

MultiFernet: the first key of the setting encrypts, every key decrypts, so a key is rotated by putting a new one
first, re-encrypting every stored token (`rotate`) and dropping the old one. Decrypted credentials live in memory
for one provider call; they are never returned by an API, logged or shown (admins mask the secret fields).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString


@dataclass(frozen=True)
class CredentialField:
    """One credential a provider's account holds."""

    name: str
    label: str
    secret: bool = True  # masked in the admin, never in an answer or a log; False: shown (a username, a shortcode)


class CredentialsUnreadable(Exception):
    """No configured key opens these credentials (a key was dropped before rotating)."""


class CredentialsBox:
    """Encrypts and decrypts under the keys of `keys_setting`, read at each call (a test or a rotation may change
    them)."""

    def __init__(self, keys_setting: str) -> None:
        self.keys_setting = keys_setting

    def _fernet(self) -> MultiFernet:
        return MultiFernet([Fernet(key.encode()) for key in getattr(settings, self.keys_setting)])

    def _unreadable(self) -> CredentialsUnreadable:
        return CredentialsUnreadable(f"No configured {self.keys_setting} key opens these credentials.")

    def encrypt(self, credentials: Mapping[str, str]) -> str:
        return self._fernet().encrypt(json.dumps(dict(credentials), sort_keys=True).encode()).decode()

    def decrypt(self, token: str) -> dict[str, str]:
        try:
            values = json.loads(self._fernet().decrypt(token.encode()))
        except InvalidToken:
            raise self._unreadable() from None
        return {str(name): str(value) for name, value in values.items()}

    def rotate(self, token: str) -> str:
        """The same credentials under the first key."""
        try:
            return self._fernet().rotate(token.encode()).decode()
        except InvalidToken:
            raise self._unreadable() from None


def masked(value: str) -> str:
    """What an admin shows of a secret: its length class and last two characters at most."""
    if not value:
        return ""
    return "•" * 8 + (value[-2:] if len(value) >= 12 else "")


def credentials_shown(stored: Mapping[str, str], fields: Sequence[CredentialField]) -> SafeString:
    """What an admin page shows of stored credentials: each field by its label, the secret ones masked."""
    rows = [(field.label, masked(stored.get(field.name, "")) if field.secret else stored.get(field.name, ""))
            for field in fields]
    return format_html("<dl>{}</dl>", format_html_join("", "<dt>{}</dt><dd>{}</dd>", rows))
