"""Durable events: published Django signals relayed through an outbox to Celery, delivered at least
once to each subscriber, applied once (inbox).

    # apps/ticketing/services.py, inside the write's transaction
    publish(signals.ticket_confirmed, ticket_id=str(ticket.id), ...)

    # apps/notification/receivers.py
    @subscriber(ticketing_signals.ticket_confirmed)
    def send_ticket_sms(event: Event) -> None: ...
"""

from transport.events.publishing import Event, publish, subscriber

__all__ = ["Event", "publish", "subscriber"]
