import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from transport.http.client_address import TrustedProxyMiddleware


def client_seen(request) -> str:
    response = TrustedProxyMiddleware(lambda r: HttpResponse(r.META["REMOTE_ADDR"]))(request)
    assert isinstance(response, HttpResponse)
    return response.content.decode()


@pytest.fixture
def behind_gateway(settings):
    settings.TRUSTED_PROXIES = ["172.16.0.0/12"]


def test_the_real_client_address_is_taken_from_a_trusted_gateway(behind_gateway):
    request = RequestFactory().get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_REAL_IP="41.90.1.2")

    assert client_seen(request) == "41.90.1.2"


def test_a_client_cannot_claim_another_address_when_it_is_not_the_gateway(behind_gateway):
    request = RequestFactory().get("/", REMOTE_ADDR="41.90.1.2", HTTP_X_REAL_IP="10.0.0.1")

    assert client_seen(request) == "41.90.1.2"


def test_a_malformed_forwarded_address_is_ignored(behind_gateway):
    request = RequestFactory().get("/", REMOTE_ADDR="172.18.0.5", HTTP_X_REAL_IP="not-an-address")

    assert client_seen(request) == "172.18.0.5"


def test_with_no_trusted_proxies_configured_the_peer_address_stands(settings):
    settings.TRUSTED_PROXIES = []
    request = RequestFactory().get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_REAL_IP="41.90.1.2")

    assert client_seen(request) == "127.0.0.1"
