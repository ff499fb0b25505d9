"""The provider emulators, served on loopback for every payment test that asks for one."""

from apps.payment.tests.fixtures.mpesa import *  # noqa: F403
from apps.payment.tests.fixtures.mtn_momo import *  # noqa: F403
from apps.payment.tests.fixtures.paypal import *  # noqa: F403
