"""Calling Daraja: the OAuth token cache and one authenticated JSON POST with the transport errors mapped.

What an answer means (refused, pending, accepted) is the caller's: `post` only returns the status and body.
"""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from apps.payment.providers.base import Account, Declined, OutcomeUnknown, Unreachable
from apps.payment.providers.mpesa_wire import INVALID_ACCESS_CODE, Credentials
from transport import outbound_http

OAUTH_PATH = "/oauth/v1/generate?grant_type=client_credentials"
REFRESH_BEFORE_EXPIRY_SECONDS = 60.0


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] = field(repr=False)

    @property
    def error_code(self) -> str:
        return str(self.body.get("errorCode", "")).strip()

    @property
    def error_message(self) -> str:
        return str(self.body.get("errorMessage", "")).strip()


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    refresh_at: float  # time.monotonic() after which it is fetched again


class TokenCache:
    """Access tokens per (account, base URL, credential fingerprint), shared by the threads of a process.

    The fingerprint is a hash, so a changed key or secret never reuses the old token and the cache holds no
    credential. One lock for all: token fetches are rare (one an hour per account)."""

    def __init__(self) -> None:
        self._tokens: dict[tuple[str, str, str], _Token] = {}
        self._lock = threading.Lock()

    def token(self, account: Account, creds: Credentials, *, stale: str = "") -> str:
        """A valid token; `stale` is one the provider has just refused, which is replaced (once, by the
        first thread that reports it)."""
        key = _key(account, creds)
        with self._lock:
            cached = self._tokens.get(key)
            if cached and cached.value != stale and time.monotonic() < cached.refresh_at:
                return cached.value
            fresh = _fetch_token(account, creds)
            self._tokens[key] = fresh
            return fresh.value

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


def _key(account: Account, creds: Credentials) -> tuple[str, str, str]:
    fingerprint = hashlib.sha256(f"{creds.consumer_key}\0{creds.consumer_secret}".encode()).hexdigest()
    return (str(account.id), account.base_url, fingerprint)


def _timeout() -> float:
    return float(settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS)


def _fetch_token(account: Account, creds: Credentials) -> _Token:
    """The token request carries no payment: whatever goes wrong, nothing was charged (Unreachable), except
    the definite refusal of the consumer key and secret (Declined)."""
    try:
        response = outbound_http.pool().get(account.base_url + OAUTH_PATH,
                                          auth=(creds.consumer_key, creds.consumer_secret), timeout=_timeout())
    except httpx.HTTPError as exc:
        raise Unreachable(f"M-Pesa's token endpoint could not be reached ({type(exc).__name__}).") from None
    if 400 <= response.status_code < 500:
        raise Declined("M-Pesa refused the account's consumer key and secret.", code="invalid_client",
                       status=response.status_code)
    try:
        data = response.json()
        value = str(data["access_token"])
        expires_in = float(data["expires_in"])  # a string ("3599") on the wire
    except (ValueError, KeyError, TypeError):
        raise Unreachable(f"M-Pesa's token endpoint answered {response.status_code} without a token.",
                          status=response.status_code) from None
    return _Token(value=value, refresh_at=time.monotonic() + max(0.0, expires_in - REFRESH_BEFORE_EXPIRY_SECONDS))


tokens = TokenCache()


def post(account: Account, creds: Credentials, path: str, payload: dict[str, Any]) -> Answer:
    """POST `payload` with a Bearer token; a token Daraja calls invalid is replaced and the call made once
    more (the refused call reached no M-Pesa system). Raises Unreachable (nothing sent) and OutcomeUnknown
    (sent, answer lost); any HTTP answer is returned."""
    token = tokens.token(account, creds)
    answer = _post_once(account, path, payload, token)
    if answer.error_code == INVALID_ACCESS_CODE:
        answer = _post_once(account, path, payload, tokens.token(account, creds, stale=token))
        if answer.error_code == INVALID_ACCESS_CODE:
            raise Declined("M-Pesa refused a freshly issued access token.", code=INVALID_ACCESS_CODE,
                           status=answer.status)
    return answer


def _post_once(account: Account, path: str, payload: dict[str, Any], token: str) -> Answer:
    try:
        response = outbound_http.pool().post(account.base_url + path, json=payload, timeout=_timeout(),
                                           headers={"Authorization": f"Bearer {token}"})
    except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
        raise Unreachable(f"M-Pesa could not be reached ({type(exc).__name__}).") from None
    except httpx.HTTPError as exc:  # ReadTimeout, WriteTimeout, RemoteProtocolError, ...: it may have got through
        raise OutcomeUnknown(f"M-Pesa's answer was lost ({type(exc).__name__}).") from None
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        if response.status_code >= 500 or response.is_success:
            raise OutcomeUnknown(f"M-Pesa answered {response.status_code} without a JSON object.",
                                 status=response.status_code)
        raise Declined(f"M-Pesa refused the request with {response.status_code}.", status=response.status_code)
    return Answer(status=response.status_code, body=body)
