"""Rendering a message: the template of its kind, channel and language (the company's own if it wrote one), filled
with the caller's values.

Which template: the company's override in the message's language, else the platform's default in that language,
else the company's override in English, else the default in English. A default exists for every kind, channel and
language the platform speaks, so the English ones serve a language added before its translations.

Escaping: the email's HTML part escapes every value (a passenger named "<script>" reads as such); the SMS, the
subject and the email's text part are plain text and take values as they are."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from uuid import UUID

from django.utils.html import linebreaks, urlize
from django.utils.safestring import mark_safe

from apps.notification.templating import selectors
from apps.notification.templating.compiling import TemplateBroken, compiled, parsed, rendered
from apps.notification.templating.defaults import MessageTemplate, default_template, layout_footer, layout_source
from apps.notification.templating.gsm import gsm_lookalikes
from apps.notification.templating.kinds import KINDS as KINDS
from apps.notification.templating.kinds import MessageKind

__all__ = ["KINDS", "MessageKind", "RenderedMessage", "TemplateBroken", "message_render", "template_render"]

FALLBACK_LANGUAGE = "en"
SUBJECT_MAX_CHARS = 200  # Delivery.subject holds this many
_BLANK_LINES = re.compile(r"\n{3,}")


@dataclass(frozen=True)
class RenderedMessage:
    subject: str  # "" for an SMS
    text: str  # the SMS, or the email's plain-text part
    html: str  # "" for an SMS


class ContextIncomplete(ValueError):
    """The caller left out a value the kind of message promises its templates: a bug of the caller, never
    papered over with a blank in what the passenger reads."""


def _kind(kind: str, channel: str) -> MessageKind:
    if kind not in KINDS:
        raise ValueError(f"Unknown kind of message {kind!r}.")
    if channel not in KINDS[kind].channels:
        raise ValueError(f"A {kind} message is not sent by {channel}.")
    return KINDS[kind]


def message_render(*, kind: str, channel: str, language: str, company_id: UUID | None,
                   context: Mapping[str, object]) -> RenderedMessage:
    """The message as it is sent. TemplateBroken when the chosen template cannot render (a company's override
    saved before a rule it breaks: the caller then renders the default, company_id=None)."""
    missing = [name for name in _kind(kind, channel).variables if name not in context]
    if missing:
        raise ContextIncomplete(f"A {kind} message needs {', '.join(missing)}.")
    template = template_for(kind=kind, channel=channel, language=language, company_id=company_id)
    return template_render(kind=kind, channel=channel, template=template, context=context)


def template_for(*, kind: str, channel: str, language: str, company_id: UUID | None) -> MessageTemplate:
    """The template the fallback chain picks (see the module's docstring)."""
    languages = dict.fromkeys((language, FALLBACK_LANGUAGE))
    overrides = {} if company_id is None else selectors.overrides_of(company_id=company_id, kind=kind,
                                                                     channel=channel, languages=languages)
    for candidate in languages:
        chosen = overrides.get(candidate) or default_template(kind=kind, channel=channel, language=candidate)
        if chosen is not None:
            return chosen
    raise TemplateBroken(f"No template of {kind} by {channel} in {language} or {FALLBACK_LANGUAGE}.")


def template_render(*, kind: str, channel: str, template: MessageTemplate,
                    context: Mapping[str, object]) -> RenderedMessage:
    """Render one template (a default, a stored override, or one being edited) with the values."""
    _kind(kind, channel)
    text = _plain(rendered(compiled(template.body, kind), context, autoescape=False))
    if channel == "sms":
        text = gsm_lookalikes(text)
        if not text:
            raise TemplateBroken("The SMS renders empty.")
        return RenderedMessage(subject="", text=text, html="")
    subject = _one_line(rendered(compiled(template.subject, kind), context, autoescape=False))
    if not subject:
        raise TemplateBroken("The subject renders empty.")
    if not text:
        raise TemplateBroken("The plain-text part renders empty.")
    if template.html_body.strip():
        content = rendered(compiled(template.html_body, kind), context, autoescape=True).strip()
    else:
        content = linebreaks(urlize(text, autoescape=True))
    return RenderedMessage(subject=subject, text=text, html=_in_layout(content, subject=subject,
                                                                       language=template.language, context=context))


def _plain(text: str) -> str:
    """Text as a template with conditions leaves it, tidied: no trailing spaces, at most one blank line in a row,
    none at either end."""
    lines = "\n".join(line.rstrip() for line in text.strip().splitlines())
    return _BLANK_LINES.sub("\n\n", lines)


def _one_line(text: str) -> str:
    """A subject: one line (a header cannot hold a newline), at most SUBJECT_MAX_CHARS long."""
    line = " ".join(text.split())
    return line if len(line) <= SUBJECT_MAX_CHARS else line[:SUBJECT_MAX_CHARS - 1].rstrip() + "\u2026"


def _in_layout(content: str, *, subject: str, language: str, context: Mapping[str, object]) -> str:
    """The HTML part: the rendered content (escaped already) in the shared layout, branded with the company."""
    brand = context.get("company_name") or ""
    values = {"content": mark_safe(content), "subject": subject, "language": language,  # noqa: S308  (escaped above)
              "brand": brand, "footer": layout_footer(language)}
    return rendered(parsed(layout_source()), values, autoescape=True).strip()
