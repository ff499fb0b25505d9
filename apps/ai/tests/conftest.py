"""Fixtures of ai's tests: the Gemini emulator."""

from __future__ import annotations

from apps.ai.tests.gemini_emulator import *  # noqa: F403  (the Gemini emulator)
