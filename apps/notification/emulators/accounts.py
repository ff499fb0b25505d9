"""The accounts each emulator knows from the start (more are added over /_emu/accounts): the platform's sandbox
account that `make run` configures (settings.TRANSPORT_LOCAL_EMULATORS repeats these values)."""

from __future__ import annotations

AFRICASTALKING_USERNAME = "sandbox"
AFRICASTALKING_API_KEY = "atsk-emulator-sandbox-key"
TWILIO_ACCOUNT_SID = "AC" + "0e" * 16
TWILIO_AUTH_TOKEN = "emulator-sandbox-auth-token-0001"  # noqa: S105 (the emulator's own, public)
