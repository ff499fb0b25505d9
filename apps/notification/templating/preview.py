"""What a template makes of the kind's sample values, for the admin: the SMS with its encoding, size, segments
and estimated price on each backend (SMS_COST_PER_SEGMENT, exact decimals, never floats), and the characters that
forced UCS-2 if any; or the email's subject, text and HTML."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings

from apps.notification.segments import sms_segments
from apps.notification.templating.defaults import MessageTemplate
from apps.notification.templating.kinds import KINDS
from apps.notification.templating.render import RenderedMessage, template_render


@dataclass(frozen=True)
class SmsPreview:
    text: str
    encoding: str  # "GSM-7" | "UCS-2"
    characters: int
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    segments: int
    non_gsm: str  # the characters that forced UCS-2, "" in GSM-7
    costs: tuple[tuple[str, str], ...]  # (backend, "KES 1.60"): segments times the backend's price of one


def segment_cost(price: str, segments: int) -> str:
    """"KES 0.80" for one segment, 2 segments -> "KES 1.60"; exact (Decimal), in the price's own places."""
    currency, _, amount = price.strip().partition(" ")
    try:
        each = Decimal(amount.strip())
    except InvalidOperation:
        raise ValueError(f"SMS_COST_PER_SEGMENT: {price!r} is not 'CURRENCY amount'.") from None
    return f"{currency} {each * segments}"


def sms_preview(text: str) -> SmsPreview:
    counted = sms_segments(text)
    costs = tuple((backend, segment_cost(price, counted.segments))
                  for backend, price in sorted(settings.SMS_COST_PER_SEGMENT.items()))
    return SmsPreview(text=text, encoding=counted.encoding, characters=len(text), units=counted.units,
                      segments=counted.segments, non_gsm=counted.non_gsm, costs=costs)


def template_preview(*, kind: str, channel: str, template: MessageTemplate,
                     company_name: str | None) -> SmsPreview | RenderedMessage:
    """The template rendered with the kind's sample in its language, the company's own name in it."""
    sample = KINDS[kind].sample_in(template.language)
    if company_name and "company_name" in sample:
        sample["company_name"] = company_name
    message = template_render(kind=kind, channel=channel, template=template, context=sample)
    return sms_preview(message.text) if channel == "sms" else message
