"""The delivery reports' form bodies, as the gateways post them. Not strict: a gateway adds fields when it likes,
and a Twilio signature covers every field posted, known or not."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers


class AfricasTalkingReportIn(serializers.Serializer[Any]):
    id = serializers.CharField(max_length=120, help_text="The messageId Africa's Talking answered the send with")
    status = serializers.CharField(max_length=20, help_text="Sent, Submitted, Buffered, Rejected, Success or Failed")
    phoneNumber = serializers.CharField(max_length=32, required=False, allow_blank=True)  # noqa: N815 (wire name)
    networkCode = serializers.CharField(max_length=16, required=False, allow_blank=True)  # noqa: N815
    failureReason = serializers.CharField(max_length=120, required=False, allow_blank=True)  # noqa: N815
    retryCount = serializers.CharField(max_length=8, required=False, allow_blank=True)  # noqa: N815


class TwilioReportIn(serializers.Serializer[Any]):
    MessageSid = serializers.CharField(max_length=120, help_text="The sid Twilio answered the send with")  # noqa: N815
    MessageStatus = serializers.CharField(  # noqa: N815
        max_length=20, help_text="queued, sending, sent, delivered, undelivered or failed")
    ErrorCode = serializers.CharField(max_length=16, required=False, allow_blank=True)  # noqa: N815
    AccountSid = serializers.CharField(max_length=64, required=False, allow_blank=True)  # noqa: N815
    To = serializers.CharField(max_length=32, required=False, allow_blank=True)  # noqa: N815
    From = serializers.CharField(max_length=64, required=False, allow_blank=True)  # noqa: N815
