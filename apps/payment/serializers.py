"""What payment's endpoints answer."""

from __future__ import annotations

from rest_framework import serializers


class NextActionOut(serializers.Serializer):
    kind = serializers.CharField(help_text='"approve_on_phone", "redirect" (open `url`), or "none" once settled')
    message = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class PaymentOut(serializers.Serializer):
    id = serializers.UUIDField()
    provider = serializers.CharField()
    state = serializers.ChoiceField(choices=["pending", "succeeded", "failed", "expired"])
    amount_minor = serializers.IntegerField(help_text="What is owed, in minor units of `currency`")
    currency = serializers.CharField()
    charge_amount_minor = serializers.IntegerField(help_text="What the provider charges, in `charge_currency`")
    charge_currency = serializers.CharField()
    conversion_rate = serializers.CharField(allow_blank=True, help_text="The company's rate applied, if any")
    reference = serializers.CharField(allow_blank=True, help_text="The Paybill account number of what is paid")
    next_action = NextActionOut()
    failure_code = serializers.CharField(allow_blank=True)
    failure_reason = serializers.CharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    settled_at = serializers.DateTimeField(allow_null=True)
