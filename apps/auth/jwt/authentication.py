"""The edge: DRF authentication classes that turn a bearer JWT or a device credential into a Principal.

`request.user` is the user acting (for a device: the agent or driver using it); `request.auth` is the
kernel's Principal, which views hand to `api.py` functions.

A bearer request costs no query: the principal comes from the verified token's roles claim and the
in-process role table, unless revocation.py says the user changed since the token was issued (then,
and for tokens without the claim, the user is read from the database as before). `request.user` is then
read only when a view asks for it. A device credential costs no query either once its principal is in
Redis (device_credentials.py), and a revoked device is refused on its very next request, on any process.
"""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from apps.auth import selectors
from apps.auth.jwt import claims, device_credentials
from apps.auth.jwt.tokens import verified_access_claims
from apps.auth.models import User
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
    """The active user an access token names, or None if the token or the user is not good (reads the
    database: for callers that need the row anyway, such as a websocket handshake)."""
    payload = verified_access_claims(raw)
    return None if payload is None else selectors.active_user(user_id=payload.get("sub"))


class LazyUser(SimpleLazyObject):
    """The signed-in user, read from the database only when a view asks for more than "is someone here"."""

    is_authenticated = True
    is_anonymous = False

    def __bool__(self) -> bool:
        return True


def _load_user(user_id: object) -> User:
    user = selectors.active_user(user_id=user_id)
    if user is None:  # deactivated or deleted after the token was checked, within this very request
        raise exceptions.AuthenticationFailed("The token is not valid.", code="token_not_valid")
    return user


class BearerTokenAuthentication(authentication.BaseAuthentication):
    scheme = "Bearer"

    def authenticate(self, request: Request) -> tuple[User | LazyUser, Principal] | None:
        raw = _credential(request, self.scheme)
        if raw is None:
            return None
        payload = verified_access_claims(raw)
        found = None if payload is None else claims.principal_for_token(payload)
        if found is None:
            raise exceptions.AuthenticationFailed("The token is not valid.", code="token_not_valid")
        principal, user = found
        return user or LazyUser(lambda: _load_user(principal.user_id)), principal

    def authenticate_header(self, request: Request) -> str:
        return f'{self.scheme} realm="api"'


class DeviceAuthentication(authentication.BaseAuthentication):
    scheme = "Device"

    def authenticate(self, request: Request) -> tuple[LazyUser, Principal] | None:
        raw = _credential(request, self.scheme)
        if raw is None:
            return None
        principal = device_credentials.principal_for_credential(raw)
        if principal is None:
            raise exceptions.AuthenticationFailed("The device credential is not valid.", code="device_not_valid")
        return LazyUser(lambda: _load_user(principal.user_id)), principal

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
