"""What an SMS gateway emulator holds in memory: the scripts of numbers, the inbox of messages it was asked to
send, and the delivery reports it posted.

A number behaves as its script says, else as SANDBOX_NUMBERS says, else it is delivered:

    deliver      accepted; an interim report, then "delivered" after the report delay
    fail         accepted; an interim report, then a failed delivery report
    silent       accepted; an interim report, and no final one
    invalid      refused: Africa's Talking 403 InvalidPhoneNumber, Twilio 400 21211
    blacklisted  refused: Africa's Talking 406 UserInBlacklist, Twilio 400 21610
    code         answered with the script's `code`: an Africa's Talking statusCode (100, 101 and 102 are taken
                 and delivered, any other refuses the number), or a Twilio error code (refused)
    http_error   the whole request answers the script's HTTP `status` (500 by default; 429, 503, ...)

A script applies to the number's next `times` messages (0: to all of them), after which the number behaves as
before; `answer_delay` holds the answer back that long (longer than the client's timeout: a timeout, though the
message was taken), `report_delay` the final report.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from apps.notification.segments import sms_segments

ACCEPTING = frozenset({"deliver", "fail", "silent"})
REFUSING = frozenset({"invalid", "blacklisted", "code"})
OUTCOMES = ACCEPTING | REFUSING | {"http_error"}


@dataclass
class Script:
    outcome: str = "deliver"
    code: int = 0  # outcome "code": the gateway's code
    status: int = 500  # http_error: the HTTP status
    times: int = 1  # 0: every message
    answer_delay: float = 0.0
    report_delay: float | None = None  # None: the emulator's default

    def as_json(self) -> dict[str, Any]:
        return {"outcome": self.outcome, "code": self.code, "status": self.status, "times": self.times,
                "answer_delay": self.answer_delay, "report_delay": self.report_delay}


# The sandbox's test numbers (restored by /_emu/reset): for the demo and for anyone trying the emulator by hand.
SANDBOX_NUMBERS: dict[str, Script] = {
    "+254700000403": Script("invalid", times=0),
    "+254700000406": Script("blacklisted", times=0),
    "+254700000410": Script("fail", times=0),
    "+254700000204": Script("silent", times=0),
    "+254700000500": Script("http_error", status=500, times=1),  # once after each reset, then delivered
}


class Scripts:
    def __init__(self) -> None:
        self._by_number: dict[str, Script] = {}
        self.reset()

    def reset(self) -> None:
        self._by_number = {number: Script(**vars(script)) for number, script in SANDBOX_NUMBERS.items()}

    def add(self, number: str, script: Script) -> None:
        self._by_number[number] = script

    def take(self, number: str) -> Script:
        """What the next message to `number` does; a script used up its `times` is dropped."""
        script = self._by_number.get(number)
        if script is None:
            return Script()
        if script.times:
            script.times -= 1
            if script.times == 0:
                del self._by_number[number]
        return script


@dataclass
class Message:
    """One recipient of one send request, taken or not."""

    gateway: str
    account: str  # the username or account SID that asked
    to: str
    sender: str
    text: str
    message_id: str = ""  # "" when refused
    status: str = "accepted"  # "accepted" | "refused" | "http_error"
    code: str = ""  # the gateway's status or error code
    at: float = field(default_factory=time.time)
    reports: list[str] = field(default_factory=list)  # the statuses reported so far

    def as_json(self) -> dict[str, Any]:
        count = sms_segments(self.text)
        return {"gateway": self.gateway, "account": self.account, "to": self.to, "from": self.sender,
                "text": self.text, "message_id": self.message_id, "status": self.status, "code": self.code,
                "segments": count.segments, "encoding": count.encoding, "at": self.at, "reports": self.reports}


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    def add(self, message: Message) -> Message:
        self.messages.append(message)
        return message

    def clear(self) -> None:
        self.messages.clear()

    def of(self, to: str = "") -> list[Message]:
        return [message for message in self.messages if not to or message.to == to]
