"""The shapes of the ticket, QR and boarding endpoints: strict input, plain output."""

from __future__ import annotations

from rest_framework import serializers

from apps.ticketing.serializers import ticket_code_shown
from transport.http.serializers import StrictSerializer

# longer than any ticket code (at most 135 characters); anything longer is not a code and is refused at the edge
CODE_MAX_CHARS = 200


class BoardingScanIn(StrictSerializer):
    trip_id = serializers.UUIDField()
    code = serializers.CharField(max_length=CODE_MAX_CHARS, trim_whitespace=False)


class OfflineBoardingScanIn(StrictSerializer):
    id = serializers.UUIDField(help_text="Made by the device for this scan; the same id uploaded again is one scan")
    code = serializers.CharField(max_length=CODE_MAX_CHARS, trim_whitespace=False, required=False)
    ticket_id = serializers.UUIDField(required=False, help_text="A ticket picked from the manifest, instead of a code")
    scanned_at = serializers.DateTimeField(help_text="When the device scanned, by its clock")

    def validate(self, attrs: dict) -> dict:
        if ("code" in attrs) == ("ticket_id" in attrs):
            raise serializers.ValidationError({"code": ["Give either the code read or the ticket_id, not both."]})
        return attrs


class BoardingSyncIn(StrictSerializer):
    trip_id = serializers.UUIDField()
    scans = OfflineBoardingScanIn(many=True, allow_empty=False)


class BoardingTicketOut(serializers.Serializer):
    id = serializers.UUIDField()
    number = serializers.CharField()
    seat = serializers.CharField(source="seat_label")
    passenger_name = serializers.CharField(source="passenger.name")
    from_stop_id = serializers.UUIDField(source="booking.from_stop_id")
    to_stop_id = serializers.UUIDField(source="booking.to_stop_id")
    from_sequence = serializers.IntegerField(source="booking.from_sequence")
    to_sequence = serializers.IntegerField(source="booking.to_sequence")


REASONS = ["boarded", "malformed", "unknown_key", "invalid_signature", "expired", "other_company", "wrong_trip",
           "cancelled", "already_boarded", "unknown_ticket"]
SYNC_OUTCOMES = [*[r for r in REASONS if r != "already_boarded"], "duplicate", "scanned_in_future", "scan_id_reused"]


class BoardingScanOut(serializers.Serializer):
    boarded = serializers.BooleanField()
    reason = serializers.ChoiceField(source="outcome", choices=REASONS)
    ticket = BoardingTicketOut(allow_null=True)
    boarded_at = serializers.DateTimeField(allow_null=True, help_text="When the ticket boarded (this scan or the "
                                                                      "earlier one that boarded it)")
    boarded_by_device = serializers.UUIDField(allow_null=True)


class BoardingSyncScanOut(serializers.Serializer):
    id = serializers.UUIDField(source="scan_id")
    outcome = serializers.ChoiceField(choices=SYNC_OUTCOMES)
    ticket = BoardingTicketOut(allow_null=True)
    boarded_at = serializers.DateTimeField(allow_null=True)
    boarded_by_device = serializers.UUIDField(allow_null=True)


class BoardingSyncOut(serializers.Serializer):
    trip_id = serializers.UUIDField()
    scans = BoardingSyncScanOut(many=True)


class ManifestTicketOut(serializers.Serializer):
    ticket_id = serializers.UUIDField()
    number = serializers.CharField()
    seat = serializers.CharField()
    passenger_name = serializers.CharField()
    from_stop_id = serializers.UUIDField()
    to_stop_id = serializers.UUIDField()
    from_sequence = serializers.IntegerField()
    to_sequence = serializers.IntegerField()
    valid_until = serializers.DateTimeField(allow_null=True, help_text="As written in the ticket's code")
    tag = serializers.CharField(help_text="The code's tag (base32), to compare with the tag of a code read")
    boarded = serializers.BooleanField()


class ManifestOut(serializers.Serializer):
    trip_id = serializers.UUIDField()
    company_id = serializers.UUIDField()
    generated_at = serializers.DateTimeField()
    tickets = ManifestTicketOut(many=True)


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
