"""Fixtures of the payment-to-booking delivery tests: the MoMo emulator (payment's fixture), a sales world, and the
event tests' broker controls."""

from apps.payment.tests.fixtures.mtn_momo import *  # noqa: F403
from transport.events.tests.conftest import _closed_breaker, broker, own_event_queue  # noqa: F401
