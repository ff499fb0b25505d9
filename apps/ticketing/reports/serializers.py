"""The shapes of the sales report: strict query input, plain output."""

from __future__ import annotations

from rest_framework import serializers

from transport.http.serializers import StrictSerializer


class SalesIn(StrictSerializer):
    company_id = serializers.UUIDField()
    group_by = serializers.ChoiceField(choices=["trip", "day", "agent", "channel"])
    since = serializers.DateField()
    until = serializers.DateField()


class SalesRowOut(serializers.Serializer):
    key = serializers.CharField()
    bookings = serializers.IntegerField()
    seats = serializers.IntegerField()
    gross_minor = serializers.IntegerField()
    refunded_minor = serializers.IntegerField()
    currency = serializers.CharField()
