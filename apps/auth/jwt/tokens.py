"""Access and refresh tokens: simplejwt's token classes signed by our key set, with a key id.

simplejwt pins one algorithm and one verifying key; rotation needs the old public key to keep
verifying, so this backend picks the verifying key by the token's `kid` header. The algorithm stays
pinned to EdDSA: a token naming any other algorithm (`none`, HS256 keyed with our public key, ...)
is refused before its signature is looked at.

Access tokens carry their user's roles (claims.py), and a verified access token is remembered by this
process until it expires, so a client's repeated requests pay for the signature check once.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
from django.conf import settings
from rest_framework_simplejwt import tokens
from rest_framework_simplejwt.backends import TokenBackend
from rest_framework_simplejwt.exceptions import TokenBackendError, TokenError

from apps.auth.jwt import claims
from apps.auth.jwt.keys import KeySet, current_keys

ALGORITHM = "EdDSA"
# The time a remembered token's expiry is checked against; tests move it instead of sleeping past an expiry.
clock = time.time


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
    @classmethod
    def for_user(cls, user) -> AccessToken:
        token = super().for_user(user)
        token.payload.update(claims.access_claims(user_id=user.pk))
        return token


# the stubs' BlacklistMixin.for_user and Token.for_user disagree (bound to different token types); one
# method at run time
class RefreshToken(_KeyedToken, tokens.RefreshToken):  # type: ignore[misc]
    access_token_class = AccessToken

    @property
    def access_token(self) -> tokens.AccessToken:
        access = super().access_token
        access.payload.update(claims.access_claims(user_id=self[settings.SIMPLE_JWT["USER_ID_CLAIM"]]))
        return access


# raw access token -> (the key set that verified it, its claims). Bounded: emptied when full, which costs
# only a signature check per live token. Failures are not kept, so garbage cannot crowd out real tokens.
_VERIFIED_MAX = 10_000
_verified: dict[str, tuple[KeySet, dict[str, Any]]] = {}


def verified_access_claims(raw: str) -> dict[str, Any] | None:
    """The claims of a genuine, unexpired access token (signature, algorithm, kid, aud, iss, type, exp),
    or None. The signature is checked once per token and key set; expiry on every call."""
    keys = current_keys()
    known = _verified.get(raw)
    if known is None or known[0] is not keys:
        try:
            payload = dict(AccessToken(raw).payload)  # type: ignore[arg-type]  # simplejwt annotates str as Token
        except TokenError:
            return None
        if len(_verified) >= _VERIFIED_MAX:
            _verified.clear()
        known = _verified[raw] = (keys, payload)
    payload = known[1]
    if not isinstance(payload.get("exp"), int | float) or payload["exp"] <= clock():
        _verified.pop(raw, None)
        return None
    return payload
