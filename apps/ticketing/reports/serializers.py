"""The shapes of the sales report's query and rows."""

from __future__ import annotations

from rest_framework import serializers

from transport.http.serializers import CalendarDateField, StrictSerializer


class SalesIn(StrictSerializer):
    company_id = serializers.UUIDField()
    group_by = serializers.ChoiceField(choices=["trip", "day", "agent", "channel"])
    since = CalendarDateField()
    until = CalendarDateField()


class SalesRowOut(serializers.Serializer):
    key = serializers.CharField()
    bookings = serializers.IntegerField()
    seats = serializers.IntegerField()
    gross_minor = serializers.IntegerField()
    refunded_minor = serializers.IntegerField()
    currency = serializers.CharField()
