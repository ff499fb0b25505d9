"""Behind the gateway, the peer is nginx: take the client's address from X-Real-IP, but only when
the request really comes from a trusted proxy (TRUSTED_PROXIES, CIDRs), so clients cannot forge it.
Rate limits and audit logs read REMOTE_ADDR and then see the real client."""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase


@cache
def _trusted(cidrs: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(cidr, strict=False) for cidr in cidrs)


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(address.strip())
    except ValueError:
        return None


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        networks = _trusted(tuple(settings.TRUSTED_PROXIES))
        peer = _parse(request.META.get("REMOTE_ADDR", ""))
        if networks and peer is not None and any(peer in network for network in networks):
            client = _parse(request.META.get("HTTP_X_REAL_IP", ""))
            if client is not None:
                request.META["REMOTE_ADDR"] = str(client)
        return self.get_response(request)
