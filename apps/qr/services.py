"""Key rotation: the only writes of qr. Each runs in one transaction and resets this process's ring.

rotate: a new key (the next id) becomes active and the active one retires, so codes already issued
keep verifying. remove: a retired key is deleted and its codes answer "unknown_key" from then on.
Ids are never reused (the active key always holds the highest id and cannot be removed): a reused id
would derive the removed key's secret again and bring its codes back.
Other processes see either change within QR_KEY_REFRESH_SECONDS (keyring.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from apps.qr.keyring import reset_ring
from apps.qr.models import QrSigningKey
from transport.errors import Conflict, NotFound

FIRST_KEY_ID = 1


@dataclass(frozen=True)
class SigningKeyView:
    id: int
    state: str
    created_at: datetime
    retired_at: datetime | None


def _view(key: QrSigningKey) -> SigningKeyView:
    return SigningKeyView(id=key.id, state=key.state, created_at=key.created_at, retired_at=key.retired_at)


def signing_key_list() -> list[SigningKeyView]:
    return [_view(key) for key in QrSigningKey.objects.order_by("id")]


@transaction.atomic
def signing_key_rotate() -> SigningKeyView:
    """Retire the active key and activate a new one; returns the new key."""
    _lock_key_table()
    highest = QrSigningKey.objects.aggregate(highest=Max("id"))["highest"] or 0
    QrSigningKey.objects.filter(state=QrSigningKey.State.ACTIVE).update(
        state=QrSigningKey.State.RETIRED, retired_at=timezone.now()
    )
    key = QrSigningKey.objects.create(id=highest + 1, state=QrSigningKey.State.ACTIVE)
    _reset_now_and_after_commit()
    return _view(key)


@transaction.atomic
def signing_key_remove(*, key_id: int) -> None:
    """Delete a retired key; the active key cannot be removed (rotate first)."""
    _lock_key_table()
    key = QrSigningKey.objects.filter(id=key_id).first()
    if key is None:
        raise NotFound(f"There is no QR signing key {key_id}.", code="qr_key_not_found")
    if key.state == QrSigningKey.State.ACTIVE:
        raise Conflict(f"Key {key_id} signs new codes: rotate before removing it.", code="qr_key_active")
    key.delete()
    _reset_now_and_after_commit()


def signing_key_ensure_initial(**_kwargs) -> None:
    """Create key 1, active, when the table is empty (after migrate, and after a test flush)."""
    if not QrSigningKey.objects.exists():
        QrSigningKey.objects.get_or_create(id=FIRST_KEY_ID, defaults={"state": QrSigningKey.State.ACTIVE})
    reset_ring()


def _lock_key_table() -> None:
    """Queue key changes one behind the other until commit; reads (verification reloads) go on.

    A row lock is not enough: rotations waiting on the old active row would all wake up, none seeing the
    key the first one created, and pick the same next id. The partial unique index would still refuse
    two active keys, but the losers would fail instead of rotating in turn.
    """
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {QrSigningKey._meta.db_table} IN EXCLUSIVE MODE")


def _reset_now_and_after_commit() -> None:
    # now: this transaction's next code uses the new key; after commit: no other thread of this
    # process keeps a snapshot it loaded before the commit
    reset_ring()
    transaction.on_commit(reset_ring)
