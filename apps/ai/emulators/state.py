"""What the Gemini emulator holds in memory: the scripted answers and the log of the requests it received.

A request takes the first answer left in the queue; else the first answer keyed by a substring of its question
(the user's text, not the system instruction; case-insensitive); else the unscripted answer, a model declining
with an empty `sql`. Each answer has an outcome:

    answer      finishReason STOP; the text is `text`, or the JSON of `json`
    malformed   finishReason STOP; the text is `text`, or prose that is not JSON
    safety      finishReason SAFETY: a candidate with no text
    empty       no candidate at all
    http_error  Google's error body with the HTTP `status` (429 RESOURCE_EXHAUSTED, 500, 503, ...)

`delay` holds the answer back that many seconds (longer than the client's timeout: a timeout). A queued answer is
used once; a keyed one `times` times (0: for good, as the demo's).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

OUTCOMES = frozenset({"answer", "malformed", "safety", "empty", "http_error"})
EMULATOR_API_KEY = "emulator-gemini-key-0001"  # the key `make run` configures; public, the emulator's own
UNSCRIPTED = {"sql": "", "explanation": "The emulator has no answer scripted for this question.", "chart": None}
NOT_JSON = "Here is the SQL you asked for: SELECT 1"


@dataclass
class Answer:
    outcome: str = "answer"
    text: str | None = None
    json: Any = None
    status: int = 500
    delay: float = 0.0
    when: str = ""  # a substring of the question; empty: the next question, whatever it is
    times: int = 0

    def __post_init__(self) -> None:
        if self.outcome not in OUTCOMES:
            raise ValueError(f"Unknown outcome {self.outcome!r}; one of {', '.join(sorted(OUTCOMES))}.")
        if self.outcome == "answer" and self.text is None and self.json is None:
            raise ValueError('The outcome "answer" needs a "text" or a "json".')
        if self.outcome == "http_error" and not 400 <= self.status <= 599:
            raise ValueError("An http_error needs a 4xx or 5xx status.")

    def model_text(self) -> str:
        if self.text is not None:
            return self.text
        if self.outcome == "malformed":
            return NOT_JSON
        return json.dumps(self.json)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


UNSCRIPTED_ANSWER = Answer(json=UNSCRIPTED)


@dataclass
class GeminiState:
    api_keys: set[str] = field(default_factory=lambda: {EMULATOR_API_KEY})
    queue: list[Answer] = field(default_factory=list)
    keyed: list[Answer] = field(default_factory=list)
    requests: list[dict[str, Any]] = field(default_factory=list)

    def reset(self) -> None:
        self.api_keys = {EMULATOR_API_KEY}
        self.queue.clear()
        self.keyed.clear()
        self.requests.clear()

    def add(self, answer: Answer) -> None:
        (self.keyed if answer.when else self.queue).append(answer)

    def take(self, question: str) -> Answer:
        """The answer to `question`, as the scripts say; a keyed answer used up its `times` is dropped."""
        if self.queue:
            return self.queue.pop(0)
        lowered = question.lower()
        for answer in self.keyed:
            if answer.when.lower() in lowered:
                if answer.times == 1:
                    self.keyed.remove(answer)
                elif answer.times > 1:
                    answer.times -= 1
                return answer
        return UNSCRIPTED_ANSWER
