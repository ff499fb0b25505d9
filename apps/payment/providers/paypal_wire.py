"""PayPal's HTTP layer: OAuth tokens cached per account, one request at a time, answers and errors mapped onto
the provider contract (Declined, OutcomeUnknown, Unreachable). Nothing here knows about orders or refunds."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import httpx
from django.conf import settings

from apps.payment.providers.base import Account, Declined, OutcomeUnknown, Unreachable
from transport import outbound_http
from transport.money import exponent, from_text, to_text

OAUTH_PATH = "/v1/oauth2/token"
# a cached token is renewed this long before PayPal says it expires, so that no call goes out with a token
# that expires on the way
RENEW_BEFORE_EXPIRY_SECONDS = 60.0

CURRENCIES = frozenset({
    "AUD", "BRL", "CAD", "CNY", "CZK", "DKK", "EUR", "HKD", "HUF", "ILS", "JPY", "MYR", "MXN", "TWD", "NZD",
    "NOK", "PHP", "PLN", "GBP", "SGD", "SEK", "CHF", "THB", "USD",
})
# PayPal refuses decimals in these (DECIMAL_PRECISION), although ISO 4217 gives HUF and TWD two places
WHOLE_UNITS_ONLY = frozenset({"JPY", "HUF", "TWD"})


def whole_units_reason(amount_minor: int, currency: str) -> str:
    """Why PayPal cannot take this amount as it is ("" when it can): no fractions of a forint or a dollar."""
    places = exponent(currency)
    if currency in WHOLE_UNITS_ONLY and amount_minor % 10**places:
        return f"PayPal takes whole {currency} amounts only."
    return ""


def wire_value(amount_minor: int, currency: str) -> str:
    """Minor units -> PayPal's amount value: 2500 USD -> "25.00", 1234500 HUF -> "12345". Never rounds."""
    if whole_units_reason(amount_minor, currency):
        raise ValueError(whole_units_reason(amount_minor, currency))
    places = exponent(currency)
    if currency in WHOLE_UNITS_ONLY and places:
        return str(amount_minor // 10**places)
    return to_text(amount_minor, currency)


def amount_of(amount: object) -> tuple[int, str] | None:
    """PayPal's {"currency_code", "value"} -> (minor units, currency), exactly; None when it is not one."""
    if not isinstance(amount, Mapping):
        return None
    currency, value = amount.get("currency_code"), amount.get("value")
    if not isinstance(currency, str) or not isinstance(value, str):
        return None
    try:
        return from_text(value, currency), currency
    except ValueError:
        return None


@dataclass(frozen=True)
class Answer:
    status: int
    body: Mapping[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    @property
    def issue(self) -> str:
        """PayPal's most specific error code: details[0].issue, else the error's name (or OAuth's "error")."""
        details = self.body.get("details")
        if isinstance(details, list) and details and isinstance(details[0], Mapping):
            issue = details[0].get("issue")
            if isinstance(issue, str) and issue:
                return issue
        for key in ("name", "error"):
            name = self.body.get(key)
            if isinstance(name, str) and name:
                return name
        return f"HTTP_{self.status}"

    def declined(self, what: str) -> Declined:
        return Declined(f"PayPal refused {what}: {self.issue} (HTTP {self.status}).", code=self.issue,
                        status=self.status)

    def unknown(self, what: str) -> OutcomeUnknown:
        return OutcomeUnknown(f"PayPal gave no usable answer to {what}: {self.issue} (HTTP {self.status}).",
                              code=self.issue, status=self.status)


@dataclass(frozen=True)
class _Token:
    value: str = field(repr=False)
    renew_at: float  # time.monotonic()


_TokenKey = tuple[str, str, str]


class TokenCache:
    """Bearer tokens in process memory, one per (account, base URL, credentials), safe across threads.

    One lock per key: callers of one account wait for a single token request instead of each asking PayPal."""

    def __init__(self) -> None:
        self._tokens: dict[_TokenKey, _Token] = {}
        self._locks: dict[_TokenKey, threading.Lock] = {}
        self._guard = threading.Lock()

    def token(self, account: Account) -> str:
        key = _key(account)
        with self._guard:
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            cached = self._tokens.get(key)
            if cached is not None and time.monotonic() < cached.renew_at:
                return cached.value
            fresh = _fetch_token(account)
            self._tokens[key] = fresh
            return fresh.value

    def forget(self, account: Account, value: str) -> None:
        """Drop a token PayPal called invalid, unless another thread has replaced it already."""
        key = _key(account)
        with self._guard:
            cached = self._tokens.get(key)
            if cached is not None and cached.value == value:
                del self._tokens[key]


def _key(account: Account) -> _TokenKey:
    credentials = f"{account.credentials.get('client_id', '')}\0{account.credentials.get('client_secret', '')}"
    return str(account.id), account.base_url, hashlib.sha256(credentials.encode()).hexdigest()


def _fetch_token(account: Account) -> _Token:
    # a token that cannot be had means the request it was for never went out: Unreachable, whatever the cause,
    # except a definite refusal of the credentials
    try:
        response = outbound_http.pool().post(
            account.base_url + OAUTH_PATH, timeout=settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS,
            auth=(account.credentials.get("client_id", ""), account.credentials.get("client_secret", "")),
            data={"grant_type": "client_credentials"},
            headers={"Accept": "application/json"},
        )
    except httpx.HTTPError as exc:
        raise Unreachable(f"No PayPal token: {type(exc).__name__}.") from exc
    answer = Answer(response.status_code, _json_object(response))
    if 400 <= answer.status < 500:
        raise answer.declined("the token request")
    token, expires_in = answer.body.get("access_token"), answer.body.get("expires_in")
    if not answer.ok or not isinstance(token, str) or not token or not isinstance(expires_in, int):
        raise Unreachable(f"No PayPal token: {answer.issue} (HTTP {answer.status}).", code=answer.issue,
                          status=answer.status)
    return _Token(token, time.monotonic() + max(0.0, expires_in - RENEW_BEFORE_EXPIRY_SECONDS))


def _json_object(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


class Wire:
    """Authenticated calls to one PayPal account: 2xx and 4xx come back as an Answer, the rest raises."""

    def __init__(self) -> None:
        self.tokens = TokenCache()

    def call(self, account: Account, method: str, path: str, *, json: object = None, content: bytes | None = None,
             request_id: str = "") -> Answer:
        token = self.tokens.token(account)
        answer = self._send(account, method, path, token, json=json, content=content, request_id=request_id)
        if answer.status == 401:
            # expired or revoked: PayPal processed nothing, so the same request goes once more with a new token
            self.tokens.forget(account, token)
            token = self.tokens.token(account)
            answer = self._send(account, method, path, token, json=json, content=content, request_id=request_id)
        if answer.status >= 500:
            raise answer.unknown(f"{method} {path}")
        return answer

    @staticmethod
    def _send(account: Account, method: str, path: str, token: str, *, json: object, content: bytes | None,
              request_id: str) -> Answer:
        headers = {"Authorization": f"Bearer {token}", "Accept": "application/json",
                   "Prefer": "return=representation"}
        if json is not None or content is not None:
            headers["Content-Type"] = "application/json"
        if request_id:
            headers["PayPal-Request-Id"] = request_id
        try:
            response = outbound_http.pool().request(method, account.base_url + path, headers=headers, json=json,
                                                  content=content, timeout=settings.PAYMENT_PROVIDER_TIMEOUT_SECONDS)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            raise Unreachable(f"PayPal unreachable for {method} {path}: {type(exc).__name__}.") from exc
        except httpx.HTTPError as exc:
            # ReadTimeout, WriteTimeout, RemoteProtocolError...: the request may have been processed
            raise OutcomeUnknown(f"No answer from PayPal to {method} {path}: {type(exc).__name__}.") from exc
        return Answer(response.status_code, _json_object(response))
