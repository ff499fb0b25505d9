"""Signing keys: the first key, rotation, removal, the one-active-key guarantee, and how they reach codes."""

from __future__ import annotations

import threading

import pytest
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from apps.qr import api, services
from apps.qr.keyring import derive_secret
from apps.qr.models import QrSigningKey
from apps.qr.tests.forging import forge
from transport.errors import Conflict, NotFound
from transport.testing.threads import barrier as bounded_barrier
from transport.testing.threads import run_threads


def _keys() -> list[tuple[int, str]]:
    return list(QrSigningKey.objects.order_by("id").values_list("id", "state"))


@pytest.mark.django_db
def test_key_1_is_active_right_after_migrate():
    assert _keys() == [(1, "active")]


@pytest.mark.django_db
def test_an_emptied_key_table_gets_key_1_back_when_migrate_or_flush_finishes(claims):
    QrSigningKey.objects.all().delete()

    services.signing_key_ensure_initial()

    assert _keys() == [(1, "active")]
    assert api.ticket_code_read(code=api.ticket_code_sign(**claims)).key_id == 1


@pytest.mark.django_db
def test_rotation_makes_new_codes_carry_the_new_key_and_old_codes_keep_verifying(claims):
    before = api.ticket_code_sign(**claims)

    rotated = services.signing_key_rotate()
    after = api.ticket_code_sign(**claims)

    assert (rotated.id, rotated.state, rotated.retired_at) == (2, "active", None)
    assert _keys() == [(1, "retired"), (2, "active")]
    assert QrSigningKey.objects.get(id=1).retired_at is not None
    assert api.ticket_code_read(code=after).key_id == 2
    assert api.ticket_code_verify(code=before) == api.Verification(
        ok=True, reason="valid", claims=api.TicketClaims(version=1, key_id=1, **claims)
    )
    assert api.ticket_code_verify(code=after).ok is True


@pytest.mark.django_db
def test_codes_of_a_removed_key_answer_unknown_key(claims):
    old = api.ticket_code_sign(**claims)
    services.signing_key_rotate()

    services.signing_key_remove(key_id=1)

    assert _keys() == [(2, "active")]
    assert api.ticket_code_verify(code=old) == api.Verification(ok=False, reason="unknown_key", claims=None)
    assert api.ticket_code_verify(code=api.ticket_code_sign(**claims)).ok is True


@pytest.mark.django_db
def test_the_active_key_cannot_be_removed_and_a_missing_one_is_not_found(code):
    with pytest.raises(Conflict) as active:
        services.signing_key_remove(key_id=1)
    with pytest.raises(NotFound) as missing:
        services.signing_key_remove(key_id=9)

    assert (active.value.code, missing.value.code) == ("qr_key_active", "qr_key_not_found")
    assert _keys() == [(1, "active")]
    assert api.ticket_code_verify(code=code).ok is True


@pytest.mark.django_db
def test_key_ids_are_never_reused_so_a_removed_keys_codes_never_come_back(claims):
    old = api.ticket_code_sign(**claims)
    services.signing_key_rotate()
    services.signing_key_remove(key_id=1)

    services.signing_key_rotate()

    assert _keys() == [(2, "retired"), (3, "active")]
    assert api.ticket_code_verify(code=old).reason == "unknown_key"


@pytest.mark.django_db
def test_the_database_refuses_a_second_active_key():
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        QrSigningKey.objects.create(id=2, state=QrSigningKey.State.ACTIVE)

    assert "qr_one_active_key" in str(refused.value)
    assert _keys() == [(1, "active")]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("state", "retired_at"),
    [("retired", None), ("active", "now"), ("lost", "now"), ("lost", None)],
)
def test_the_database_refuses_inconsistent_rows(state, retired_at):
    with pytest.raises(IntegrityError) as refused, transaction.atomic():
        QrSigningKey.objects.create(id=2, state=state, retired_at=timezone.now() if retired_at else None)

    assert "qr_key_state_consistent" in str(refused.value)


@pytest.mark.django_db(transaction=True)
def test_concurrent_rotations_queue_up_and_leave_one_active_key():
    barrier = bounded_barrier(4)
    errors: list[BaseException] = []

    def rotate() -> None:
        try:
            barrier.wait()
            services.signing_key_rotate()
        except BaseException as exc:  # collected, and asserted empty below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=rotate) for _ in range(4)]
    run_threads(threads)

    assert errors == []
    assert _keys() == [(1, "retired"), (2, "retired"), (3, "retired"), (4, "retired"), (5, "active")]


def test_each_key_id_and_each_signing_secret_derive_their_own_32_byte_secret():
    secrets = {derive_secret(master, key_id) for master in ("a", "b") for key_id in (1, 2, 3)}

    assert len(secrets) == 6
    assert {len(secret) for secret in secrets} == {32}
    assert derive_secret("a", 1) == derive_secret("a", 1)


def test_the_key_table_holds_no_secret():
    assert sorted(field.name for field in QrSigningKey._meta.get_fields()) == [
        "created_at", "id", "retired_at", "state"
    ]


@pytest.mark.django_db
def test_a_code_forged_for_the_next_key_id_is_unknown_until_that_key_exists(claims):
    # key ids are predictable, secrets are not: a code "from key 2" made before key 2 existed is
    # unknown, and once the key exists its tag is checked like any other
    premature = forge(key_id=2, master="guessed secret")
    assert api.ticket_code_verify(code=premature).reason == "unknown_key"

    services.signing_key_rotate()

    assert api.ticket_code_verify(code=premature).reason == "invalid_signature"
