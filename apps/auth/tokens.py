"""Access and refresh tokens: simplejwt's token classes signed by our key set, with a key id.

simplejwt pins one algorithm and one verifying key; rotation needs the old public key to keep
verifying, so this backend picks the verifying key by the token's `kid` header. The algorithm stays
pinned to EdDSA: a token naming any other algorithm (`none`, HS256 keyed with our public key, ...)
is refused before its signature is looked at.
"""

from __future__ import annotations

from typing import Any

import jwt
from django.conf import settings
from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError

from apps.auth.keys import KeySet, current_keys

ALGORITHM = "EdDSA"


class KeyedTokenBackend(TokenBackend):
    def __init__(self, keys: KeySet) -> None:
        super().__init__(
            ALGORITHM,
            audience=settings.SIMPLE_JWT["AUDIENCE"],
            issuer=settings.SIMPLE_JWT["ISSUER"],
        )
        self.keys = keys

    def encode(self, payload: dict[str, Any]) -> str:
        claims = {**payload, "aud": self.audience, "iss": self.issuer}
        return jwt.encode(claims, self.keys.signing_key, algorithm=ALGORITHM, headers={"kid": self.keys.signing_kid})

    def decode(self, token: Any, verify: bool = True) -> dict[str, Any]:
        if not verify:
            raise TokenBackendError("Tokens are always verified.")
        return super().decode(token, verify=True)

    def get_verifying_key(self, token: Any) -> Any:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError as exc:
            raise TokenBackendError("Token is invalid") from exc
        key = self.keys.verifying_keys.get(kid) if isinstance(kid, str) else None
        if key is None:
            raise TokenBackendError("Unknown key id")
        return key


def signing_backend() -> KeyedTokenBackend:
    return KeyedTokenBackend(current_keys())


class _KeyedToken:
    """Mixin: every encode and decode uses the key set the settings describe right now."""

    @property
    def token_backend(self) -> KeyedTokenBackend:
        return signing_backend()

    def get_token_backend(self) -> KeyedTokenBackend:
        return signing_backend()


class AccessToken(_KeyedToken, tokens.AccessToken):
    pass


class RefreshToken(_KeyedToken, tokens.RefreshToken):
    access_token_class = AccessToken
