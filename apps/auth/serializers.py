"""Shapes of identity's HTTP requests and answers (validation of form only; rules live in services)."""

from __future__ import annotations

from rest_framework import serializers

from apps.auth.models import Role


class RegisterIn(serializers.Serializer):
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    password = serializers.CharField(write_only=True, max_length=128, trim_whitespace=False)
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=150)


class UserOut(serializers.Serializer):
    id = serializers.UUIDField()
    email = serializers.EmailField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    full_name = serializers.CharField()


class TokenObtainIn(serializers.Serializer):
    identifier = serializers.CharField(max_length=254, help_text="Email address or E.164 phone number.")
    password = serializers.CharField(max_length=128, trim_whitespace=False)


class RefreshIn(serializers.Serializer):
    refresh = serializers.CharField(max_length=2000)


class TokenPairOut(serializers.Serializer):
    access = serializers.CharField()
    refresh = serializers.CharField()


class WebsocketTicketOut(serializers.Serializer):
    ticket = serializers.CharField(help_text='Offer it as the websocket subprotocol pair ("ticket", <ticket>)')
    expires_in = serializers.IntegerField(help_text="Seconds left to open the websocket; spent by the first one")


class MembershipOut(serializers.Serializer):
    company_id = serializers.UUIDField()
    roles = serializers.ListField(child=serializers.CharField())


class MeOut(UserOut):
    kind = serializers.CharField(help_text="user or device")
    device_id = serializers.UUIDField(allow_null=True)
    global_roles = serializers.ListField(child=serializers.CharField())
    memberships = MembershipOut(many=True)


class MemberOut(serializers.Serializer):
    user_id = serializers.UUIDField()
    full_name = serializers.CharField()
    email = serializers.EmailField(allow_null=True)
    phone = serializers.CharField(allow_null=True)
    roles = serializers.ListField(child=serializers.CharField())


class MemberRolesIn(serializers.Serializer):
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.COMPANY_ROLES), min_length=1, max_length=len(Role.COMPANY_ROLES)
    )


class DeviceRegisterIn(serializers.Serializer):
    company_id = serializers.UUIDField()
    user_id = serializers.UUIDField(help_text="The agent or driver who uses the device.")
    role = serializers.ChoiceField(choices=Role.DEVICE_ROLES)
    name = serializers.CharField(max_length=100)


class DeviceOut(serializers.Serializer):
    id = serializers.UUIDField()
    company_id = serializers.UUIDField()
    user_id = serializers.UUIDField()
    role = serializers.CharField(source="role.name")
    name = serializers.CharField()
    created_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class DeviceRegisteredOut(DeviceOut):
    credential = serializers.CharField(help_text="Shown once: send it as `Authorization: Device <credential>`.")


class CompanyQuery(serializers.Serializer):
    company_id = serializers.UUIDField()


class InvitationIn(serializers.Serializer):
    company_id = serializers.UUIDField()
    email = serializers.CharField(required=False, allow_blank=True, max_length=254)
    phone = serializers.CharField(required=False, allow_blank=True, max_length=32)
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=150)
    roles = serializers.ListField(
        child=serializers.ChoiceField(choices=Role.COMPANY_ROLES), min_length=1, max_length=len(Role.COMPANY_ROLES)
    )


class InvitationOut(serializers.Serializer):
    id = serializers.UUIDField()
    user_id = serializers.UUIDField()
    company_id = serializers.UUIDField()
    roles = serializers.ListField(child=serializers.CharField())
    expires_at = serializers.DateTimeField()


class InvitationAcceptIn(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
    full_name = serializers.CharField(required=False, allow_blank=True, max_length=150)


class PasswordResetIn(serializers.Serializer):
    identifier = serializers.CharField(max_length=254, help_text="Email address or E.164 phone number.")


class PasswordResetConfirmIn(serializers.Serializer):
    token = serializers.CharField(max_length=200)
    password = serializers.CharField(max_length=128, trim_whitespace=False)
