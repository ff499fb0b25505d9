"""The shapes of a ticket: within its booking, and alone with its stops and boarding."""

from __future__ import annotations

from rest_framework import serializers

from apps.ticketing.models import Ticket


class TicketOut(serializers.ModelSerializer):
    seat = serializers.CharField(source="seat_label")
    code = serializers.SerializerMethodField(help_text="The signed text of the ticket's QR code, to draw it offline; "
                                                       "null once the ticket is cancelled")

    class Meta:
        model = Ticket
        fields = ["id", "number", "seat", "state", "code", "issued_at"]

    def get_code(self, ticket: Ticket) -> str | None:
        return ticket_code_shown(ticket)


def ticket_code_shown(ticket: Ticket) -> str | None:
    """A valid ticket's code; a cancelled ticket boards no one, so it shows none."""
    return (ticket.code or None) if ticket.state == Ticket.State.VALID else None


class TicketStopOut(serializers.Serializer):
    stop_id = serializers.UUIDField()
    sequence = serializers.IntegerField()
    name = serializers.CharField()


class BoardingOut(serializers.Serializer):
    boarded_at = serializers.DateTimeField(source="scanned_at")
    device_id = serializers.UUIDField()
    source = serializers.CharField()  # type: ignore[assignment]  # a field, not Field.source


class TicketDetailOut(serializers.Serializer):
    id = serializers.UUIDField(source="ticket.id")
    number = serializers.CharField(source="ticket.number")
    booking_id = serializers.UUIDField(source="ticket.booking_id")
    trip_id = serializers.UUIDField(source="ticket.trip_id")
    seat = serializers.CharField(source="ticket.seat_label")
    passenger_name = serializers.CharField(source="ticket.passenger.name")
    state = serializers.CharField(source="ticket.state")
    code = serializers.SerializerMethodField(help_text="The signed text of the QR code, to draw it offline; null "
                                                       "once cancelled")
    issued_at = serializers.DateTimeField(source="ticket.issued_at")
    from_stop = TicketStopOut()
    to_stop = TicketStopOut()
    boarding = BoardingOut(allow_null=True)

    def get_code(self, detail) -> str | None:
        return ticket_code_shown(detail.ticket)
