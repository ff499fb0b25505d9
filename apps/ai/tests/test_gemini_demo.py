"""What `make run` relies on: the Gemini emulator stands in when no key is configured, with a key it accepts, and
a real key alone (the base URL left to Google's) starts no emulator."""

from __future__ import annotations

from apps.ai.emulators.state import EMULATOR_API_KEY
from transport.management.emulators import local_emulators


def _gemini(environ: dict[str, str]) -> list[dict[str, str]]:
    return [emulator.env for emulator in local_emulators(environ) if emulator.name == "gemini-emulator"]


def test_with_no_key_the_emulator_stands_in_for_the_key_and_the_base_url():
    [started] = [emulator for emulator in local_emulators({}) if emulator.name == "gemini-emulator"]

    assert started.argv[:2] == ["-m", "apps.ai.emulators.gemini"]
    assert started.env == {"GEMINI_BASE_URL": started.base_url, "GEMINI_API_KEY": EMULATOR_API_KEY}


def test_a_real_key_alone_starts_no_emulator():
    assert _gemini({"GEMINI_API_KEY": "AIza-a-real-key"}) == []
    assert _gemini({"GEMINI_BASE_URL": "http://127.0.0.1:8030"}) != []  # a base URL alone: still no key
