"""The in-process key ring: no query per code, and key changes made by other processes arrive in bounded time.

"Another process" is played by writing the key table directly, without the reset that services.py does
for its own process. The rings built here take a hand-stepped clock, so the bounds are checked exactly.
"""

from __future__ import annotations

import pytest
from django.utils import timezone

from apps.qr import api
from apps.qr.keyring import KeyRing, derive_secret
from apps.qr.models import QrSigningKey
from transport.errors import ServiceUnavailable

pytestmark = pytest.mark.django_db


class SteppedClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def _rotate_elsewhere() -> None:
    QrSigningKey.objects.filter(id=1).update(state=QrSigningKey.State.RETIRED, retired_at=timezone.now())
    QrSigningKey.objects.create(id=2, state=QrSigningKey.State.ACTIVE)


def test_signing_and_verifying_query_nothing_once_the_ring_is_loaded(claims, django_assert_num_queries):
    api.ticket_code_verify(code=api.ticket_code_sign(**claims))

    with django_assert_num_queries(0):
        codes = [api.ticket_code_sign(**claims) for _ in range(200)]
        verdicts = {api.ticket_code_verify(code=code).reason for code in codes}

    assert verdicts == {"valid"}


def test_a_flood_of_unknown_key_ids_costs_at_most_one_query_a_second(settings, django_assert_num_queries):
    clock = SteppedClock()
    ring = KeyRing(clock=clock)
    with django_assert_num_queries(1):
        assert ring.verifying_secret(1) == derive_secret(settings.QR_SIGNING_SECRET, 1)

    clock.now += 0.2
    with django_assert_num_queries(1):
        assert ring.verifying_secret(40) is None
    clock.now += 0.7
    with django_assert_num_queries(0):
        assert {ring.verifying_secret(key_id) for key_id in range(41, 541)} == {None}
    clock.now += 0.3
    with django_assert_num_queries(1):
        assert ring.verifying_secret(41) is None


def test_a_key_rotated_elsewhere_verifies_here_on_its_first_code(settings, django_assert_num_queries):
    clock = SteppedClock()
    ring = KeyRing(clock=clock)
    ring.verifying_secret(1)

    _rotate_elsewhere()
    clock.now += 0.1
    with django_assert_num_queries(1):
        secret = ring.verifying_secret(2)

    assert secret == derive_secret(settings.QR_SIGNING_SECRET, 2)


def test_signing_moves_to_a_key_rotated_elsewhere_within_the_refresh_interval(settings):
    settings.QR_KEY_REFRESH_SECONDS = 5
    clock = SteppedClock()
    ring = KeyRing(clock=clock)
    assert ring.signing_key()[0] == 1

    _rotate_elsewhere()
    clock.now += 4.9
    still_old = ring.signing_key()[0]
    clock.now += 0.1
    now_new = ring.signing_key()[0]

    assert (still_old, now_new) == (1, 2)


def test_a_key_removed_elsewhere_stops_verifying_within_the_refresh_interval(settings):
    settings.QR_KEY_REFRESH_SECONDS = 5
    clock = SteppedClock()
    ring = KeyRing(clock=clock)
    _rotate_elsewhere()
    assert ring.verifying_secret(1) is not None

    QrSigningKey.objects.filter(id=1).delete()
    clock.now += 4.9
    still_cached = ring.verifying_secret(1)
    clock.now += 0.1
    gone = ring.verifying_secret(1)

    assert still_cached is not None
    assert gone is None


def test_a_table_without_an_active_key_signs_nothing():
    QrSigningKey.objects.filter(id=1).update(state=QrSigningKey.State.RETIRED, retired_at=timezone.now())
    ring = KeyRing(clock=SteppedClock())

    assert ring.signing_key() is None
    assert ring.verifying_secret(1) is not None


def test_signing_without_an_active_key_is_a_service_unavailable_error(claims):
    QrSigningKey.objects.filter(id=1).update(state=QrSigningKey.State.RETIRED, retired_at=timezone.now())

    with pytest.raises(ServiceUnavailable) as refused:
        api.ticket_code_sign(**claims)

    assert refused.value.code == "qr_no_signing_key"


def test_a_changed_signing_secret_takes_effect_after_a_reset(settings):
    ring = KeyRing(clock=SteppedClock())
    under_a = ring.verifying_secret(1)

    settings.QR_SIGNING_SECRET = "secret B"
    cached = ring.verifying_secret(1)
    ring.reset()
    under_b = ring.verifying_secret(1)

    assert cached == under_a
    assert under_b == derive_secret("secret B", 1) != under_a
