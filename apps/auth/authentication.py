"""The edge: DRF authentication classes that turn a bearer JWT or a device credential into a Principal.

`request.user` is the user acting (for a device: the agent or driver using it); `request.auth` is the
kernel's Principal, which views hand to `api.py` functions.
"""

from __future__ import annotations

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request
from rest_framework_simplejwt.exceptions import TokenError

from apps.auth import selectors
from apps.auth.models import User
from apps.auth.tokens import AccessToken
from transport.principal import Principal


def _credential(request: Request, scheme: str) -> str | None:
    parts = authentication.get_authorization_header(request).split()
    if not parts or parts[0].lower() != scheme.lower().encode():
        return None
    if len(parts) != 2:
        raise exceptions.AuthenticationFailed("The Authorization header must be: " + scheme + " <credential>.")
    try:
        return parts[1].decode("ascii")
    except UnicodeDecodeError as exc:
        raise exceptions.AuthenticationFailed("The credential is not valid.") from exc


def user_from_access_token(raw: str) -> User | None:
    """The active user an access token names, or None if the token or the user is not good."""
    try:
        token = AccessToken(raw)
    except TokenError:
        return None
    return selectors.active_user(user_id=token.get("sub"))


class BearerTokenAuthentication(authentication.BaseAuthentication):
    scheme = "Bearer"

    def authenticate(self, request: Request) -> tuple[User, Principal] | None:
        raw = _credential(request, self.scheme)
        if raw is None:
            return None
        user = user_from_access_token(raw)
        if user is None:
            raise exceptions.AuthenticationFailed("The token is not valid.", code="token_not_valid")
        return user, selectors.user_principal(user=user)

    def authenticate_header(self, request: Request) -> str:
        return f'{self.scheme} realm="api"'


class DeviceAuthentication(authentication.BaseAuthentication):
    scheme = "Device"

    def authenticate(self, request: Request) -> tuple[User, Principal] | None:
        raw = _credential(request, self.scheme)
        if raw is None:
            return None
        device = selectors.device_by_credential(credential=raw)
        if device is None:
            raise exceptions.AuthenticationFailed("The device credential is not valid.", code="device_not_valid")
        return device.user, selectors.device_principal(device=device)

    def authenticate_header(self, request: Request) -> str:
        return f'{self.scheme} realm="api"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the bearer JWT."""

    target_class = BearerTokenAuthentication
    name = "bearerJWT"

    def get_security_definition(self, auto_schema):
        return {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}


class DeviceScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes a device credential."""

    target_class = DeviceAuthentication
    name = "deviceCredential"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "Authorization",
                "description": "`Device <credential>`, as shown once when the device was registered."}
