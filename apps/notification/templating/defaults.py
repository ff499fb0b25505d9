"""The platform's own wording of every kind of message, in every language and channel: one TOML file per kind
under defaults/, its languages side by side (a translator compares them on one screen, and a missing one is a
failed test, not a file nobody noticed was absent). TOML (the standard library reads it) keeps each template exactly
as written: no trailing newline to strip from a one-line SMS, no escaping in the HTML."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

DEFAULTS_DIR = Path(__file__).resolve().parent / "defaults"
LAYOUT_FILE = DEFAULTS_DIR / "layout.html"


@dataclass(frozen=True)
class MessageTemplate:
    """What a kind of message says on one channel in one language, as template source."""

    language: str
    subject: str  # email only
    body: str  # the SMS, or the email's text part
    html_body: str  # email only: the HTML part inside the layout; "" makes it from the text part


@cache
def _catalogue(name: str) -> dict[str, dict[str, str]]:
    with (DEFAULTS_DIR / f"{name}.toml").open("rb") as file:
        return tomllib.load(file)


def default_template(*, kind: str, channel: str, language: str) -> MessageTemplate | None:
    """The platform's template of the kind, or None when it has none in this language."""
    entry = _catalogue(kind).get(language)
    if entry is None:
        return None
    if channel == "sms":
        return MessageTemplate(language=language, subject="", body=entry["sms"], html_body="")
    return MessageTemplate(language=language, subject=entry["subject"], body=entry["text"], html_body=entry["html"])


@lru_cache(maxsize=1)
def layout_source() -> str:
    return LAYOUT_FILE.read_text(encoding="utf-8")


def layout_footer(language: str) -> str:
    """The line under every email, in its language (English for one the layout does not speak)."""
    footers = _catalogue("layout")
    return footers.get(language, footers["en"])["footer"]
