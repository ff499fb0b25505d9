"""The shapes of the public trip search and seat map: strict query input, plain output."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from transport.http.serializers import CalendarDateField, StrictSerializer


class PlaceField(serializers.CharField):
    """A stop id or a town name."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(max_length=100, **kwargs)


class TripSearchIn(StrictSerializer):
    # "from" is a Python keyword: the query names are mapped in the view
    origin = PlaceField()
    destination = PlaceField()
    date = CalendarDateField()


class SeatMapIn(StrictSerializer):
    origin = serializers.UUIDField(required=False)
    destination = serializers.UUIDField(required=False)


class SearchStopOut(serializers.Serializer):
    stop_id = serializers.UUIDField()
    name = serializers.CharField()
    town = serializers.CharField()
    timezone = serializers.CharField()
    at = serializers.DateTimeField()


class TripFoundOut(serializers.Serializer):
    trip_id = serializers.UUIDField(source="offer.trip_id")
    company_id = serializers.UUIDField(source="offer.company_id")
    company_name = serializers.CharField(source="offer.company_name")
    route_name = serializers.CharField(source="offer.route_name")
    route_code = serializers.CharField(source="offer.route_code")
    status = serializers.CharField(source="offer.status")
    delay_minutes = serializers.IntegerField(source="offer.delay_minutes")
    currency = serializers.CharField(source="offer.currency")
    board = SearchStopOut(source="offer.board")
    alight = SearchStopOut(source="offer.alight")
    seats_left = serializers.IntegerField()
    lowest_fare_minor = serializers.IntegerField(allow_null=True)


class SeatStateOut(serializers.Serializer):
    label = serializers.CharField(source="seat.label")  # type: ignore[assignment]  # a field, not Field.label
    deck = serializers.IntegerField(source="seat.deck")
    row = serializers.IntegerField(source="seat.row")
    col = serializers.IntegerField(source="seat.col")
    seat_class = serializers.CharField(source="seat.seat_class")
    state = serializers.CharField()
    price_minor = serializers.IntegerField(allow_null=True)


class SeatMapOut(serializers.Serializer):
    trip_id = serializers.UUIDField()
    from_stop_id = serializers.UUIDField()
    to_stop_id = serializers.UUIDField()
    currency = serializers.CharField()
    decks = serializers.IntegerField(source="layout.decks")
    rows = serializers.IntegerField(source="layout.rows")
    columns = serializers.IntegerField(source="layout.columns")
    aisle_columns = serializers.ListField(child=serializers.IntegerField(), source="layout.aisle_columns")
    seats = SeatStateOut(many=True)
