"""The gateway passes the short ticket links (/t/<code>) to the web servers, under the per-address rate limit;
without its route it would answer them 404 itself, and an SMS's link would lead nowhere."""

from __future__ import annotations

from tests.deploy import nginx_copy


def test_ticket_links_reach_the_web_servers_under_the_rate_limit():
    block = nginx_copy.location_block(nginx_copy.expanded(), "location /t/ {")

    assert "limit_req zone=api burst=40 nodelay;" in block
    assert "proxy_pass http://web;" in block
    assert "proxy_set_header Upgrade" not in block  # only /ws/ may switch protocols
