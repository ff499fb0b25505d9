"""What keeps a company's template from being used, field by field, found before it is stored: a broken override
is refused at save time, never met by a passenger's message.

A template passes when it parses with the message engine, names only its kind's variables, and renders with the
kind's sample values (in the override's language) into something to send: an SMS that is not empty, an email with
a subject (one line, at most SUBJECT_MAX_CHARS) and a plain-text part."""

from __future__ import annotations

from django.conf import settings

from apps.notification.templating.compiling import TemplateBroken, compiled, rendered
from apps.notification.templating.kinds import KINDS
from apps.notification.templating.render import SUBJECT_MAX_CHARS

Problems = dict[str, list[str]]


def override_problems(*, kind: str, channel: str, language: str, subject: str, body: str,
                      html_body: str) -> Problems:
    """Per field ("subject", "body", "html_body", or "kind", "channel", "language"), what is wrong; empty when
    the template can be used."""
    if kind not in KINDS:
        return {"kind": [f"Unknown kind of message {kind!r}."]}
    if channel not in KINDS[kind].channels:
        return {"channel": [f"A {kind.replace('_', ' ')} message is not sent by {channel}."]}
    if language not in dict(settings.LANGUAGES):
        return {"language": [f"Messages are not written in {language!r}."]}
    problems: Problems = {}
    if channel == "sms":
        for field, value in (("subject", subject), ("html_body", html_body)):
            if value.strip():
                problems[field] = ["An SMS has only a body: leave this blank."]
        sources = {"body": (body, False)}
    else:
        if not subject.strip():
            problems["subject"] = ["An email needs a subject."]
        sources = {"subject": (subject, False), "body": (body, False), "html_body": (html_body, True)}
    if not body.strip():
        problems["body"] = ["The SMS cannot be empty." if channel == "sms" else "The plain-text part is required."]
    sample = KINDS[kind].sample_in(language)
    for field, (source, autoescape) in sources.items():
        if field in problems or not source.strip():
            continue
        try:
            output = rendered(compiled(source, kind), sample, autoescape=autoescape)
        except TemplateBroken as exc:
            problems[field] = [str(exc)]
            continue
        problems.update(_output_problems(field, output, channel))
    return problems


def _output_problems(field: str, output: str, channel: str) -> Problems:
    if not output.strip():
        what = {"subject": "The subject", "html_body": "The HTML part"}.get(
            field, "The SMS" if channel == "sms" else "The plain-text part")
        return {field: [f"{what} renders empty with the sample values."]}
    if field == "subject" and len(" ".join(output.split())) > SUBJECT_MAX_CHARS:
        return {field: [f"The subject is {len(' '.join(output.split()))} characters long with the sample values; "
                        f"at most {SUBJECT_MAX_CHARS}."]}
    return {}
