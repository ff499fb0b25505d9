"""The query of the e-ticket downloads."""

from __future__ import annotations

from django.conf import settings
from rest_framework import serializers

from transport.http.serializers import StrictSerializer


class ETicketQueryIn(StrictSerializer):
    language = serializers.ChoiceField(
        [code for code, _ in settings.LANGUAGES], required=False,
        help_text="The language of the ticket's labels; by default the one its holder chose for their messages, "
                  "else the company's")
