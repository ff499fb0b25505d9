"""MTN MoMo over HTTP: per-product access tokens (cached per process) and the mapping of transport failures.

MoMo has two products that matter here, Collection (requests to pay) and Disbursement (refunds). Each has its
own subscription key and its own token; a token is fetched with Basic auth (API user : API key) and an empty
body, and lives `expires_in` seconds (3600).
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from apps.payment.providers.base import Account, OutcomeUnknown, ProviderError, Unreachable
from transport import outbound_http

COLLECTION = "collection"
DISBURSEMENT = "disbursement"
SUBSCRIPTION_KEY_FIELDS = {COLLECTION: "collection_subscription_key", DISBURSEMENT: "disbursement_subscription_key"}
# a token this close to its expiry is not used: a call made with it could arrive after it expired
REFRESH_MARGIN_SECONDS = 60.0


@dataclass(frozen=True)
class Token:
    value: str = field(repr=False)
    expires_at: float  # time.monotonic() seconds


TokenKey = tuple[str, str, str, str]  # account id, base URL, product, credential fingerprint


class TokenCache:
    """Access tokens by account, base URL, product and credentials; one fetch at a time per key."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._tokens: dict[TokenKey, Token] = {}
        self._key_locks: dict[TokenKey, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: TokenKey, fetch: Callable[[], Token]) -> str:
        with self._lock:
            key_lock = self._key_locks.setdefault(key, threading.Lock())
        with key_lock:
            token = self._tokens.get(key)
            if token is None or token.expires_at - REFRESH_MARGIN_SECONDS <= self._clock():
                token = fetch()
                self._tokens[key] = token
            return token.value

    def forget(self, key: TokenKey, value: str) -> None:
        """Drop the token the provider refused, unless another thread has already replaced it."""
        with self._lock:
            token = self._tokens.get(key)
            if token is not None and token.value == value:
                del self._tokens[key]

    def clear(self) -> None:
        with self._lock:
            self._tokens.clear()


tokens = TokenCache()


def error_code(response: httpx.Response) -> str:
    """The provider's code in an error body: `code` (API errors), `error` (token), `statusCode` (gateway)."""
    try:
        body = response.json()
    except ValueError:
        return ""
    if not isinstance(body, dict):
        return ""
    for name in ("code", "error", "statusCode"):
        value = body.get(name)
        if isinstance(value, str | int) and not isinstance(value, bool):
            return str(value)
    return ""


class MomoClient:
    """The calls of one operation to one product of one account, with its token handled."""

    def __init__(self, account: Account, product: str) -> None:
        self.account = account
        self.product = product
        credentials = account.credentials
        self._subscription_key = credentials[SUBSCRIPTION_KEY_FIELDS[product]]
        fingerprint = hashlib.sha256("\0".join(
            (credentials["api_user"], credentials["api_key"], self._subscription_key)).encode()).hexdigest()
        self._token_key: TokenKey = (str(account.id), account.base_url, product, fingerprint)

    def send(self, method: str, path: str, *, refusal: type[ProviderError],
             headers: Mapping[str, str] | None = None, json: Any = None) -> httpx.Response:
        """One API call with a bearer token; a 401 costs the token and the call is made once more with a new
        one (the provider says an expired token is invalid). Token failures raise `refusal` for a definite
        refusal of our credentials, Unreachable otherwise: the call itself was not sent."""
        token = tokens.get(self._token_key, lambda: self._fetch_token(refusal))
        response = self._call(method, path, token, headers, json)
        if response.status_code == 401:
            tokens.forget(self._token_key, token)
            token = tokens.get(self._token_key, lambda: self._fetch_token(refusal))
            response = self._call(method, path, token, headers, json)
        return response

    def _call(self, method: str, path: str, token: str, headers: Mapping[str, str] | None,
              json: Any) -> httpx.Response:
        all_headers = {
            "Authorization": f"Bearer {token}",
            "Ocp-Apim-Subscription-Key": self._subscription_key,
            "X-Target-Environment": self.account.credentials["target_environment"],
            **(headers or {}),
        }
        return request(method, self.account.base_url + path, headers=all_headers, json=json)

    def _fetch_token(self, refusal: type[ProviderError]) -> Token:
        credentials = self.account.credentials
        basic = base64.b64encode(f"{credentials['api_user']}:{credentials['api_key']}".encode()).decode()
        path = f"/{self.product}/token/"
        try:
            response = request("POST", self.account.base_url + path, content=b"", headers={
                "Authorization": f"Basic {basic}", "Ocp-Apim-Subscription-Key": self._subscription_key,
                "Content-Length": "0"})
        except OutcomeUnknown as exc:
            raise Unreachable(f"MoMo {self.product} token request failed: {exc}; the call was not sent.",
                              code=exc.code, status=exc.status) from None
        status = response.status_code
        if status >= 500:
            raise Unreachable(f"MoMo {self.product} token request answered {status}; the call was not sent.",
                              code=error_code(response), status=status)
        if status != 200:
            raise refusal(f"MoMo refused the {self.product} credentials ({status}).", code=error_code(response),
                          status=status)
        try:
            body = response.json()
            value, expires_in = body["access_token"], float(body["expires_in"])
        except (ValueError, KeyError, TypeError):
            raise Unreachable(f"MoMo {self.product} token answer was unreadable; the call was not sent.",
                              status=status) from None
        if not isinstance(value, str) or not value:
            raise Unreachable(f"MoMo {self.product} token answer had no token; the call was not sent.",
                              status=status)
        return Token(value=value, expires_at=time.monotonic() + expires_in)


def request(method: str, url: str, **kwargs: Any) -> httpx.Response:
    """One HTTP request. Raises Unreachable when nothing was sent, OutcomeUnknown when it may have arrived."""
    timeout = float(settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS)
    try:
        return outbound_http.pool().request(method, url, timeout=timeout, **kwargs)
    except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout, httpx.UnsupportedProtocol) as exc:
        raise Unreachable(f"MoMo could not be reached ({type(exc).__name__}).") from None
    except httpx.TransportError as exc:
        # ReadTimeout, WriteTimeout, RemoteProtocolError, ReadError: the request may have been processed
        raise OutcomeUnknown(f"MoMo's answer was lost ({type(exc).__name__}).") from None
