"""Twilio's request signature (X-Twilio-Signature): base64 of HMAC-SHA1, keyed with the sending account's auth
token, over the full URL Twilio requested followed by every POST parameter, sorted by name, as name + value
(a repeated name: each of its values, sorted). Twilio's own validators also accept the URL with its port dropped,
or with the scheme's default port added; so do we."""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

DEFAULT_PORTS = {"https": 443, "http": 80}


def twilio_signature(*, auth_token: str, url: str, params: Mapping[str, Sequence[str]]) -> str:
    signed = url + "".join(name + value for name in sorted(params) for value in sorted(set(params[name])))
    digest = hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()
    return base64.b64encode(digest).decode()


def url_variants(url: str) -> list[str]:
    """`url` as given, without its port, and with the scheme's default port."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    userinfo = parts.netloc.rpartition("@")[0]
    prefix = f"{userinfo}@" if userinfo else ""
    without = urlunsplit(parts._replace(netloc=prefix + host))
    variants = [url, without]
    default = DEFAULT_PORTS.get(parts.scheme)
    if parts.port is None and default is not None:
        variants.append(urlunsplit(parts._replace(netloc=f"{prefix}{host}:{default}")))
    return list(dict.fromkeys(variants))


def twilio_signature_ok(*, auth_tokens: Iterable[str], urls: Iterable[str], params: Mapping[str, Sequence[str]],
                        signature: str) -> bool:
    """Whether `signature` is Twilio's for one of the tokens over one of the URLs (each in its variants)."""
    if not signature:
        return False
    candidates = [variant for url in urls for variant in url_variants(url)]
    return any(hmac.compare_digest(twilio_signature(auth_token=token, url=variant, params=params), signature)
               for token in auth_tokens if token for variant in candidates)
