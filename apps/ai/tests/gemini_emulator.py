"""The Gemini emulator for tests: one server per session, reset before and after every test that asks for it, and
the settings pointing the client at it.

    def test_something(gemini):
        gemini.answer(json={"sql": "SELECT 1", "explanation": "One."})
        draft = sql_draft(question="...", schema_prompt="...")
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from apps.ai.emulators import gemini as gemini_emulator
from apps.ai.emulators.state import EMULATOR_API_KEY
from transport.emulators.serving import EmulatorServer

__all__ = ["GeminiEmulator", "gemini", "gemini_server"]


class GeminiEmulator:
    """Drives the emulator through its /_emu control endpoints."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self._http = httpx.Client(base_url=base_url, timeout=10)

    def reset(self) -> None:
        self._post("/_emu/reset", {})

    def answer(self, outcome: str = "answer", **options: Any) -> None:
        """The next answer, or with `when=` the answer to questions containing it (emulators/state.py)."""
        self._post("/_emu/answers", {"outcome": outcome, **options})

    def requests(self) -> list[dict[str, Any]]:
        response = self._http.get("/_emu/requests")
        response.raise_for_status()
        return list(response.json()["requests"])

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self._http.post(path, json=body)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture(scope="session")
def gemini_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(gemini_emulator.create_app()) as server:
        yield server


@pytest.fixture
def gemini(gemini_server: EmulatorServer, settings: Any) -> Iterator[GeminiEmulator]:
    """The emulator, reset, with the client's settings pointing at it."""
    settings.GEMINI_BASE_URL = gemini_server.base_url
    settings.GEMINI_API_KEY = EMULATOR_API_KEY
    settings.GEMINI_MODEL = "gemini-2.5-flash"
    settings.GEMINI_TIMEOUT_SECONDS = 5
    emulator = GeminiEmulator(gemini_server.base_url)
    emulator.reset()
    yield emulator
    emulator.reset()
