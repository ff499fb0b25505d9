"""Durable events: published Django signals relayed through an outbox to Celery, delivered at least
once to each subscriber, applied once (inbox).

    # apps/ticketing/services.py, inside the write's transaction
    publish(signals.ticket_confirmed, signals.TicketConfirmed(ticket_id=str(ticket.id), ...))

    # apps/notification/receivers.py
    @subscriber(ticketing_signals.ticket_confirmed)
    def send_ticket_sms(event: Event[TicketConfirmed]) -> None:
        event.payload.ticket_id

Payloads are frozen dataclasses (EventPayload) beside their signal (EventSignal). Evolution rule, as
events wait in the outbox across deploys (details in transport/events/payloads.py): additive fields only,
each new field with a default; consumers ignore unknown fields; a change that is not additive raises the
payload's VERSION and adds an upcaster from the previous version.
"""

from transport.events.payloads import EventPayload, EventSignal, PayloadMismatch
from transport.events.publishing import Event, publish, subscriber

__all__ = ["Event", "EventPayload", "EventSignal", "PayloadMismatch", "publish", "subscriber"]
