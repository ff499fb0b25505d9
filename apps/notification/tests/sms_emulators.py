"""The SMS gateway emulators for tests: one server each per session, reset before and after every test that asks
for one, and the settings pointing the platform's account at them.

    def test_something(africastalking, sms_platform):
        africastalking.script("+254711000001", "invalid")
        backend, sender_id = sms_backend_for(company_id=None)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from apps.notification.emulators import accounts
from apps.notification.emulators import africastalking as africastalking_emulator
from apps.notification.emulators import twilio as twilio_emulator
from transport.emulators.serving import EmulatorServer
from transport.testing.worker import wait_for

__all__ = ["GatewayEmulator", "africastalking", "africastalking_server", "sms_platform", "twilio", "twilio_server"]

REPORT_DELAY = 0.2


class GatewayEmulator:
    """Drives one emulator through its /_emu control endpoints."""

    def __init__(self, base_url: str, *, account: str, secret: str) -> None:
        self.base_url = base_url
        self.account = account  # the sandbox username or account SID
        self.secret = secret  # its API key or auth token
        self._http = httpx.Client(base_url=base_url, timeout=10)

    def reset(self) -> None:
        self._post("/_emu/reset", {})

    def script(self, number: str, outcome: str, **options: Any) -> None:
        """What the next messages to `number` do (apps/notification/emulators/state.py)."""
        self._post("/_emu/script", {"number": number, "outcome": outcome, **options})

    def add_account(self, account: str, secret: str) -> None:
        self._post("/_emu/accounts", {"account": account, "secret": secret})

    def set_report_url(self, url: str, account: str | None = None) -> None:
        """Africa's Talking: the report URL of an account, as its dashboard holds it."""
        self._post("/_emu/report-url", {"account": account or self.account, "url": url})

    def hold_reports(self) -> None:
        self._post("/_emu/reports/hold", {"hold": True})

    def release_reports(self) -> int:
        return int(self._post("/_emu/reports/release", {})["released"])

    def messages(self, to: str = "") -> list[dict[str, Any]]:
        return list(self._get("/_emu/messages", {"to": to} if to else {})["messages"])

    def reports(self) -> list[dict[str, Any]]:
        """Every report posted or held: {"url", "body" (the form, as text), "headers", "delivered_status", ...}."""
        return list(self._get("/_emu/reports")["reports"])

    def wait_for_reports(self, count: int) -> list[dict[str, Any]]:
        """The reports, once `count` of them were answered by our server."""
        wait_for(lambda: len([r for r in self.reports() if r["delivered_status"] or r["error"]]) >= count,
                 what=f"{count} delivery report(s) answered")
        return self.reports()

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self._http.post(path, json=body)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def _get(self, path: str, params: dict[str, str] | None = None) -> dict[str, Any]:
        response = self._http.get(path, params=params)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer


@pytest.fixture(scope="session")
def africastalking_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(africastalking_emulator.create_app(report_delay=REPORT_DELAY)) as server:
        yield server


@pytest.fixture(scope="session")
def twilio_server() -> Iterator[EmulatorServer]:
    with EmulatorServer(twilio_emulator.create_app(report_delay=REPORT_DELAY)) as server:
        yield server


@pytest.fixture
def africastalking(africastalking_server: EmulatorServer) -> Iterator[GatewayEmulator]:
    emulator = GatewayEmulator(africastalking_server.base_url, account=accounts.AFRICASTALKING_USERNAME,
                               secret=accounts.AFRICASTALKING_API_KEY)
    emulator.reset()
    yield emulator
    emulator.reset()


@pytest.fixture
def twilio(twilio_server: EmulatorServer) -> Iterator[GatewayEmulator]:
    emulator = GatewayEmulator(twilio_server.base_url, account=accounts.TWILIO_ACCOUNT_SID,
                               secret=accounts.TWILIO_AUTH_TOKEN)
    emulator.reset()
    yield emulator
    emulator.reset()


@pytest.fixture
def sms_platform(settings, africastalking: GatewayEmulator, twilio: GatewayEmulator) -> Any:
    """The platform's account on Africa's Talking's emulator (Twilio's sandbox account configured too)."""
    settings.SMS_BACKEND = "africastalking"
    settings.SMS_SENDER_ID = "BUSCO"
    settings.AFRICASTALKING_BASE_URL = africastalking.base_url
    settings.AFRICASTALKING_USERNAME = accounts.AFRICASTALKING_USERNAME
    settings.AFRICASTALKING_API_KEY = accounts.AFRICASTALKING_API_KEY
    settings.TWILIO_BASE_URL = twilio.base_url
    settings.TWILIO_ACCOUNT_SID = accounts.TWILIO_ACCOUNT_SID
    settings.TWILIO_AUTH_TOKEN = accounts.TWILIO_AUTH_TOKEN
    return settings
