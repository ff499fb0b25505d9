"""The gateway running: nginx with docker/nginx in front of gunicorn (config.wsgi, docker/gunicorn.conf.py).

The /ws/ route leads to an upstream that reports what reached it (echo_asgi.py), so the tests see the
headers nginx forwards and a websocket held open through it.
"""

from __future__ import annotations

import json
import re
import time

import httpx
import pytest
from websockets.sync.client import connect

pytestmark = pytest.mark.slow

PROBLEM_JSON = "application/problem+json"
NGINX_REQUEST_ID = re.compile(r"^[0-9a-f]{32}$")
LOG_DEADLINE_SECONDS = 10


def json_lines(path, predicate):
    """The JSON log lines of a server that match the predicate now."""
    entries = (json.loads(line) for line in path.read_text().splitlines() if line.startswith("{"))
    return [entry for entry in entries if predicate(entry)]


def awaited_json_lines(path, predicate, count=1):
    """Like json_lines, waiting briefly for `count` matches: servers write a line just after answering."""
    deadline = time.monotonic() + LOG_DEADLINE_SECONDS
    while len(entries := json_lines(path, predicate)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return entries


def test_health_is_answered_by_django_through_the_gateway(gateway):
    response = httpx.get(f"{gateway.url}/health/live", headers={"X-Request-ID": "probe-live-1"})

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert response.headers.get_list("X-Request-ID") == ["probe-live-1"]


def test_readiness_failures_from_django_pass_through_unchanged(gateway):
    # the servers run with service URLs that point nowhere, so Django reports every dependency down (the
    # broker as degraded: the API serves without it)
    response = httpx.get(f"{gateway.url}/health/ready")

    assert response.status_code == 503
    assert response.headers["content-type"] == "application/json"
    assert response.json()["down"] == ["database", "redis"]
    assert response.json()["checks"] == {"database": "down", "redis": "down", "broker": "degraded"}


def test_security_headers_are_set_once_on_proxied_answers(gateway):
    response = httpx.get(f"{gateway.url}/health/live")

    assert response.headers.get_list("X-Content-Type-Options") == ["nosniff"]
    assert response.headers.get_list("X-Frame-Options") == ["DENY"]
    assert response.headers.get_list("Referrer-Policy") == ["same-origin"]
    assert response.headers.get_list("Cross-Origin-Opener-Policy") == ["same-origin"]
    assert response.headers.get_list("Strict-Transport-Security") == ["max-age=31536000"]
    assert response.headers.get_list("Server") == ["nginx"]  # no version, and not gunicorn's


def test_a_request_without_an_id_gets_one_from_the_gateway(gateway):
    response = httpx.get(f"{gateway.url}/health/live")

    assert NGINX_REQUEST_ID.match(response.headers["X-Request-ID"])


def test_an_unsafe_request_id_is_replaced(gateway):
    response = httpx.get(f"{gateway.url}/health/live", headers={"X-Request-ID": "no spaces; allowed"})

    assert NGINX_REQUEST_ID.match(response.headers["X-Request-ID"])


def test_upstreams_hear_the_request_id_client_address_and_scheme(gateway):
    response = httpx.get(f"{gateway.url}/ws/echo", headers={"X-Request-ID": "probe-forward-1"})

    seen = response.json()["headers"]
    assert response.status_code == 200
    assert seen["x-request-id"] == "probe-forward-1"
    assert seen["x-real-ip"] == "127.0.0.1"
    assert seen["x-forwarded-for"] == "127.0.0.1"
    assert seen["x-forwarded-proto"] == "http"
    assert seen["host"] == f"127.0.0.1:{gateway.port}"
    assert "upgrade" not in seen


def test_a_client_cannot_claim_https_or_another_address_from_an_untrusted_network(gateway):
    response = httpx.get(
        f"{gateway.url}/ws/echo", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    )

    seen = response.json()["headers"]
    assert seen["x-forwarded-proto"] == "http"
    assert seen["x-real-ip"] == "127.0.0.1"
    assert seen["x-forwarded-for"] == "127.0.0.1"


def test_a_websocket_is_upgraded_and_held_open_through_the_gateway(gateway):
    with connect(f"ws://127.0.0.1:{gateway.port}/ws/echo?token=never-logged",
                 additional_headers={"X-Request-ID": "probe-ws-1"}) as websocket:
        seen = json.loads(websocket.recv(timeout=10))
        websocket.send("bus 12 at stop 4")
        echoed = websocket.recv(timeout=10)

    assert seen["path"] == "/ws/echo"
    assert seen["headers"]["upgrade"] == "websocket"
    assert seen["headers"]["connection"].lower() == "upgrade"
    assert seen["headers"]["x-request-id"] == "probe-ws-1"
    assert echoed == "bus 12 at stop 4"


def test_the_access_log_is_json_without_query_strings(gateway):
    with connect(f"ws://127.0.0.1:{gateway.port}/ws/echo?token=never-logged",
                 additional_headers={"X-Request-ID": "probe-log-1"}) as websocket:
        websocket.recv(timeout=10)

    entries = awaited_json_lines(gateway.nginx_log, lambda entry: entry.get("request_id") == "probe-log-1")
    assert len(entries) == 1
    assert entries[0]["path"] == "/ws/echo"
    assert entries[0]["status"] == 101
    assert "never-logged" not in gateway.nginx_log.read_text()


def test_gunicorn_writes_one_json_access_line_per_request(gateway):
    httpx.get(f"{gateway.url}/health/live", headers={"X-Request-ID": "probe-gunicorn-1", "User-Agent": 'say "hi"'})

    entries = awaited_json_lines(gateway.web_log, lambda entry: entry.get("request_id") == "probe-gunicorn-1")
    assert len(entries) == 1
    assert entries[0]["logger"] == "gunicorn.access"
    assert entries[0]["method"] == "GET"
    assert entries[0]["path"] == "/health/live"
    assert entries[0]["status"] == 200
    assert entries[0]["remote_addr"] == "127.0.0.1"
    assert entries[0]["user_agent"] == 'say "hi"'


def test_credential_endpoints_answer_429_past_the_burst(gateway):
    # given the strict budget: one request plus a burst of five
    with httpx.Client(base_url=gateway.url) as client:
        allowed = [client.post("/api/v1/auth/token", json={}).status_code for _ in range(6)]

        # when the seventh arrives at once
        refused = client.post("/api/v1/auth/token", json={})
        # and a client pretends to be someone else from an untrusted network
        disguised = client.post("/api/v1/auth/token", json={}, headers={"X-Forwarded-For": "198.51.100.23"})

    # then the gateway refuses it in the API's error format, before Django sees it
    assert 429 not in allowed
    assert refused.status_code == 429
    assert refused.headers["content-type"] == PROBLEM_JSON
    assert refused.json()["code"] == "limit_exceeded"
    assert refused.json()["request_id"] == refused.headers["X-Request-ID"]
    assert disguised.status_code == 429
    # gunicorn logged the six it answered; the refused ones never reached it
    answered = awaited_json_lines(gateway.web_log, lambda entry: entry.get("path") == "/api/v1/auth/token", count=6)
    assert len(answered) == 6
    assert json_lines(gateway.web_log, lambda entry: entry.get("request_id") == refused.headers["X-Request-ID"]) == []


def test_a_body_over_one_mebibyte_is_refused_at_the_gateway(gateway):
    response = httpx.post(f"{gateway.url}/api/v1/anything", content=b"x" * (1024 * 1024 + 1))

    assert response.status_code == 413
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "payload_too_large"


def test_unknown_paths_are_answered_by_the_gateway(gateway):
    response = httpx.get(f"{gateway.url}/wp-login.php")

    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json() == {
        "type": "about:blank",
        "title": "Not found",
        "status": 404,
        "detail": "Not found",
        "code": "not_found",
        "request_id": response.headers["X-Request-ID"],
    }


def test_static_files_come_from_the_shared_folder(gateway):
    (gateway.static_dir / "site.css").write_text("body { color: black; }")
    (gateway.static_dir / "site.css").chmod(0o644)

    response = httpx.get(f"{gateway.url}/static/site.css")

    assert response.status_code == 200
    assert response.text == "body { color: black; }"
    assert response.headers["content-type"] == "text/css"
    assert response.headers["cache-control"] == "max-age=604800"


def test_json_answers_are_compressed(gateway):
    response = httpx.get(f"{gateway.url}/ws/echo", headers={"Accept-Encoding": "gzip", "X-Padding": "p" * 2048})

    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["headers"]["x-padding"] == "p" * 2048


def test_the_gateway_reports_its_own_health(gateway):
    response = httpx.get(f"{gateway.url}/health/gateway")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_a_missing_upstream_is_a_502_problem(gateway_without_upstreams):
    response = httpx.get(f"{gateway_without_upstreams}/api/v1/trips")

    assert response.status_code == 502
    assert response.headers["content-type"] == PROBLEM_JSON
    assert response.json()["code"] == "upstream_unavailable"
