"""What clients send and get at notification's endpoints."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers


class PreferenceIn(serializers.Serializer):
    language = serializers.ChoiceField(choices=[("", "the company's"), *settings.LANGUAGES], required=False,
                                       help_text="The language of my messages; empty for each company's own")
    opted_out = serializers.BooleanField(required=False, help_text="No non-essential messages (delays, news); "
                                                                   "essential ones, such as a cancellation, still come")


class PreferenceOut(serializers.Serializer):
    language = serializers.CharField(help_text="Empty: each company's own language")
    opted_out = serializers.BooleanField()
