"""The gateway configuration (docker/nginx) is one nginx accepts, and routes what DESIGN.md section 6 lists."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from django.conf import settings

from tests.deploy import nginx_copy
from tests.deploy.tooling import NGINX_DIR

AUTH_LOCATION = re.compile(r"location ~ (?P<regex>\S+) \{\s*limit_req zone=auth ")


def nginx_test(nginx: str, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        # the pid path is given so that a non-root user can run the check too
        [nginx, "-t", "-p", str(config.parent), "-c", str(config), "-e", "stderr",
         "-g", f"pid {config.parent / 'nginx.pid'};"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_nginx_accepts_the_gateway_configuration(nginx, tmp_path):
    # given the configuration with the Docker-only upstream names made resolvable and an unprivileged port
    config = nginx_copy.checkable_copy(tmp_path)

    # when nginx checks it
    result = nginx_test(nginx, config)

    # then it is accepted
    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_the_copy_differs_from_the_original_only_in_the_upstream_addresses_and_port(tmp_path):
    config = nginx_copy.checkable_copy(tmp_path)

    original = (NGINX_DIR / "nginx.conf").read_text().splitlines()
    copied = config.read_text().splitlines()

    changed = [(before, after) for before, after in zip(original, copied, strict=True) if before != after]
    assert changed == [
        ("        server web:8000;", "        server 127.0.0.1:8000;"),
        ("        server ws:8001;", "        server 127.0.0.1:8001;"),
        ("        listen 80 default_server;", "        listen 8080 default_server;"),
    ]
    for included in (NGINX_DIR / "gateway").iterdir():
        assert (tmp_path / "gateway" / included.name).read_text() == included.read_text()


def test_websockets_are_proxied_to_the_asgi_upstream_with_upgrade_headers():
    ws_location = nginx_copy.location_block(nginx_copy.expanded(), "location /ws/ {")

    assert "proxy_pass http://ws;" in ws_location
    assert "proxy_http_version 1.1;" in ws_location
    assert "proxy_set_header Upgrade $http_upgrade;" in ws_location
    assert "proxy_set_header Connection $connection_upgrade;" in ws_location
    assert "proxy_read_timeout 3600s;" in ws_location
    assert "server ws:8001;" in nginx_copy.location_block(nginx_copy.expanded(), "upstream ws {")


def test_http_routes_go_to_gunicorn_without_protocol_upgrades():
    config = nginx_copy.expanded()

    http_routes = ("location /api/ {", "location /admin/ {", "location = /health/live {", "location = /health/ready {")
    for opening in http_routes:
        block = nginx_copy.location_block(config, opening)
        assert "proxy_pass http://web;" in block, opening
        assert "proxy_set_header Connection \"\";" in block, opening
        # only /ws/ may switch protocols (h2c smuggling)
        assert "proxy_set_header Upgrade" not in block, opening
        assert "$connection_upgrade" not in block, opening
    assert "server web:8000;" in nginx_copy.location_block(config, "upstream web {")


def test_the_strict_rate_limit_covers_exactly_the_password_and_sign_up_endpoints():
    match = AUTH_LOCATION.search(nginx_copy.expanded())
    assert match is not None
    credential_paths = re.compile(match.group("regex"))

    limited = ["/api/v1/auth/token", "/api/v1/auth/register", "/api/v1/auth/password/reset",
               "/api/v1/auth/password/reset/confirm"]
    not_limited = ["/api/v1/auth/token/refresh", "/api/v1/auth/tokens", "/api/v1/auth/me", "/api/v1/auth/passwords",
                   "/api/v1/trips", "/ws/trips/1"]
    assert [path for path in limited if credential_paths.search(path)] == limited
    assert [path for path in not_limited if credential_paths.search(path)] == []


def test_the_body_limit_matches_djangos():
    body_limits = re.findall(r"client_max_body_size (\d+)m;", nginx_copy.expanded())

    assert body_limits == ["1"]
    assert int(body_limits[0]) * 1024 * 1024 == settings.DATA_UPLOAD_MAX_MEMORY_SIZE


def test_only_the_server_wide_include_sets_response_headers():
    # nginx drops every inherited add_header / proxy_hide_header in a block that declares its own, so they
    # live in one file, included once at server level
    files = [NGINX_DIR / "nginx.conf", *sorted((NGINX_DIR / "gateway").iterdir())]
    header_directive = re.compile(r"^\s*(add_header|proxy_hide_header)\b", re.MULTILINE)
    setting_headers = [path.name for path in files if header_directive.search(path.read_text())]

    assert setting_headers == ["security_headers.conf"]
    server = nginx_copy.location_block((NGINX_DIR / "nginx.conf").read_text(), "server {")
    assert re.findall(r"^ {8}include gateway/security_headers.conf;$", server, re.MULTILINE) != []
    assert server.count("security_headers.conf") == 1
