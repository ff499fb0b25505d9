"""Fixtures of notification's tests."""

from apps.notification.tests.sms_emulators import *  # noqa: F403
