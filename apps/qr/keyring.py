"""The in-process key ring: which key signs, which keys verify, and their derived secrets.

The secret of key n is HKDF-SHA256(QR_SIGNING_SECRET, info=b"transport-qr-key:<n>"): only ids and
states live in the database, so neither a dump nor the admin shows a secret, and every process
derives the same secret for the same id.

Verifying must not cost a query per code, so the ring keeps a snapshot of the key table in memory:
- it reloads when the snapshot is older than QR_KEY_REFRESH_SECONDS (default 5), and
- when a code names a key id the snapshot lacks, at most once per second (a key rotated in another
  process a moment ago), so a flood of codes with made-up key ids costs at most one query a second.
A rotation or removal in another process therefore takes effect here within QR_KEY_REFRESH_SECONDS
(a new key within one second, on the first code that names it). The process that rotates or removes
resets its ring (services.py), so its next code is signed with the new key at once.

A snapshot is replaced whole, never changed, so readers need no lock; reloads take one so that
threads finding the ring stale together run one query, not one each.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

from apps.qr.models import QrSigningKey

UNKNOWN_KEY_RELOAD_SECONDS = 1.0
SECRET_BYTES = 32


def derive_secret(master: str, key_id: int) -> bytes:
    """The HMAC key of `key_id` under the deployment's QR_SIGNING_SECRET."""
    hkdf = HKDF(algorithm=hashes.SHA256(), length=SECRET_BYTES, salt=None, info=f"transport-qr-key:{key_id}".encode())
    return hkdf.derive(master.encode("utf-8"))


@dataclass(frozen=True)
class Snapshot:
    active_id: int | None
    secrets: dict[int, bytes] = field(default_factory=dict)  # every key that verifies, the active one too
    loaded_at: float = float("-inf")  # the ring's clock when it read the table


class KeyRing:
    def __init__(self, *, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock  # seconds that only go forward; tests pass their own to step through time
        self._snapshot: Snapshot | None = None
        self._derived: dict[tuple[str, int], bytes] = {}
        self._reload_lock = threading.Lock()
        self._last_unknown_reload = float("-inf")

    def verifying_secret(self, key_id: int) -> bytes | None:
        """The secret of a key that may verify, or None for a key id this deployment does not hold."""
        secret = self._fresh().secrets.get(key_id)
        if secret is None:
            now = self._clock()
            if now - self._last_unknown_reload >= UNKNOWN_KEY_RELOAD_SECONDS:
                self._last_unknown_reload = now
                secret = self._reload(newer_than=now).secrets.get(key_id)
        return secret

    def signing_key(self) -> tuple[int, bytes] | None:
        """(id, secret) of the active key; None when the table holds no active key."""
        snapshot = self._fresh()
        if snapshot.active_id is None:
            snapshot = self._reload(newer_than=self._clock())
        if snapshot.active_id is None:
            return None
        return snapshot.active_id, snapshot.secrets[snapshot.active_id]

    def reset(self) -> None:
        """Forget everything: the next call reloads the table and derives the secrets again."""
        with self._reload_lock:
            self._snapshot = None
            self._derived.clear()
            self._last_unknown_reload = float("-inf")

    def _fresh(self) -> Snapshot:
        snapshot = self._snapshot
        now = self._clock()
        if snapshot is None or now - snapshot.loaded_at >= settings.QR_KEY_REFRESH_SECONDS:
            snapshot = self._reload(newer_than=now)
        return snapshot

    def _reload(self, *, newer_than: float) -> Snapshot:
        with self._reload_lock:
            current = self._snapshot
            if current is not None and current.loaded_at >= newer_than:
                return current  # another thread reloaded while this one waited for the lock
            loaded_at = self._clock()
            rows = list(QrSigningKey.objects.values_list("id", "state"))
            master = settings.QR_SIGNING_SECRET
            secrets = {key_id: self._secret(master, key_id) for key_id, _ in rows}
            active = [key_id for key_id, state in rows if state == QrSigningKey.State.ACTIVE]
            snapshot = Snapshot(active_id=active[0] if active else None, secrets=secrets, loaded_at=loaded_at)
            self._snapshot = snapshot
            return snapshot

    def _secret(self, master: str, key_id: int) -> bytes:
        cache_key = (master, key_id)
        secret = self._derived.get(cache_key)
        if secret is None:
            secret = self._derived[cache_key] = derive_secret(master, key_id)
        return secret


ring = KeyRing()


def reset_ring() -> None:
    """For tests and key changes: the next sign or verify reloads the keys (and the setting)."""
    ring.reset()


@receiver(setting_changed)
def _reset_on_setting_change(*, setting: str, **_kwargs) -> None:
    if setting in {"QR_SIGNING_SECRET", "QR_KEY_REFRESH_SECONDS"}:
        ring.reset()
