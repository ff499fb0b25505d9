"""The Origin rule of websocket handshakes: no Origin passes, the site's own passes, the allowed list passes,
anything else (another host, another port or scheme, garbage) does not."""

import pytest

from transport.websocket_origin import origin_allowed


def scope(origin: str | None, host: str = "transit.example.com") -> dict:
    headers = [(b"host", host.encode())]
    if origin is not None:
        headers.append((b"origin", origin.encode("latin-1")))
    return {"type": "websocket", "headers": headers}


@pytest.mark.parametrize(("origin", "host"), [
    (None, "transit.example.com"),
    ("https://transit.example.com", "transit.example.com"),
    ("https://transit.example.com:443", "transit.example.com"),
    ("https://transit.example.com", "transit.example.com:443"),
    ("http://localhost:8000", "localhost:8000"),
    ("HTTP://LOCALHOST:8000", "localhost:8000"),
    ("http://[::1]:8000", "[::1]:8000"),
    ("https://app.example.com", "transit.example.com"),
])
def test_these_origins_pass(origin, host, settings):
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://app.example.com"]

    assert origin_allowed(scope(origin, host)) is True


@pytest.mark.parametrize(("origin", "host"), [
    ("https://evil.example.net", "transit.example.com"),
    ("http://transit.example.com:8080", "transit.example.com"),
    ("http://localhost:8001", "localhost:8000"),
    ("https://transit.example.com.evil.net", "transit.example.com"),
    ("null", "transit.example.com"),
    ("", "transit.example.com"),
    ("file:///etc/passwd", "transit.example.com"),
    ("https://app.example.com:99999", "transit.example.com"),
    ("https://transit.example.com\x00.evil", "transit.example.com"),
    ("http://app.example.com", "transit.example.com"),  # the allowed one is https
])
def test_these_origins_are_refused(origin, host, settings):
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://app.example.com"]

    assert origin_allowed(scope(origin, host)) is False


def test_a_handshake_without_a_host_passes_only_an_allowed_origin(settings):
    settings.WEBSOCKET_ALLOWED_ORIGINS = ["https://app.example.com"]

    assert origin_allowed({"headers": [(b"origin", b"https://app.example.com")]}) is True
    assert origin_allowed({"headers": [(b"origin", b"https://transit.example.com")]}) is False
