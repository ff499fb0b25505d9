"""A plan becomes delivery rows: for each message, each channel its kind uses that reaches the addressee, one
row keyed on (event, channel, recipient), rendered now so that what was sent is what the log shows. Inserted
with ON CONFLICT DO NOTHING inside the event handler's transaction: a redelivered event, or two events that
would tell one person the same thing, add nothing. The rows are sent after commit (and by the sweep, should that
message be lost)."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from uuid import UUID

from apps.notification.models import Channel, Delivery
from apps.notification.plans import Message
from apps.notification.queueing import send_after_commit
from apps.notification.segments import sms_segments
from apps.notification.templating.render import KINDS, TemplateBroken, message_render

logger = logging.getLogger(__name__)


def _address(message: Message, channel: str) -> str:
    return message.to.phone if channel == Channel.SMS else message.to.email.strip().lower()


def _rendered(message: Message, channel: str) -> tuple[str, str, str]:
    """(subject, text, html); a company's override that cannot render falls back to the default wording."""
    values = {"kind": message.kind, "channel": channel, "language": message.to.language, "context": message.context}
    try:
        rendered = message_render(company_id=message.company_id, **values)  # type: ignore[arg-type]
    except TemplateBroken:
        logger.exception("notification.override_broken", extra={"company_id": str(message.company_id),
                                                                "kind": message.kind, "channel": channel})
        rendered = message_render(company_id=None, **values)  # type: ignore[arg-type]
    return rendered.subject, rendered.text, rendered.html


def _row(event_id: UUID, message: Message, channel: str) -> Delivery:
    kind = KINDS[message.kind]
    subject, text, html = _rendered(message, channel)
    skipped = message.to.opted_out and not kind.essential
    counted = sms_segments(text) if channel == Channel.SMS else None
    return Delivery(
        event_id=event_id, event_type=message.kind, channel=channel, recipient=_address(message, channel),
        company_id=message.company_id, recipient_user_id=message.to.user_id, ticket_id=message.ticket_id,
        booking_id=message.booking_id, essential=kind.essential, language=message.to.language, subject=subject,
        body=text, html_body=html, status=Delivery.Status.SKIPPED if skipped else Delivery.Status.QUEUED,
        status_reason="The recipient opted out of messages of this kind." if skipped else "",
        segments=counted.segments if counted else None, encoding=counted.encoding if counted else "")


def deliveries_plan(*, event_id: UUID, messages: Sequence[Message]) -> list[UUID]:
    """Write the deliveries the messages call for; the ids of those written now and due to be sent (a row that
    already existed for its key is left as it is). Call it in a transaction: the sends go after commit."""
    rows = [_row(event_id, message, channel) for message in messages for channel in KINDS[message.kind].channels
            if _address(message, channel)]
    written = Delivery.objects.bulk_create(rows, ignore_conflicts=True)
    # bulk_create with ignore_conflicts does not say which rows were new: ask for the ones this call wrote
    new = set(Delivery.objects.filter(pk__in=[row.pk for row in written], status=Delivery.Status.QUEUED)
              .values_list("pk", flat=True))
    due = [row.pk for row in rows if row.pk in new]
    send_after_commit(due)
    return due
