import uuid

import pytest
from rest_framework.request import Request
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from transport.http.principal import principal_of
from transport.principal import Principal, PrincipalKind


def drf_request(auth: object) -> Request:
    request = APIRequestFactory().get("/api/v1/anything")
    force_authenticate(request, token=auth)  # type: ignore[arg-type]  # anything, to see what principal_of makes of it
    return APIView().initialize_request(request)


def test_the_authenticated_principal_is_the_one_on_request_auth():
    user_id = uuid.uuid4()
    principal = Principal(kind=PrincipalKind.USER, id=user_id, user_id=user_id)

    assert principal_of(drf_request(principal)) is principal


def test_nobody_authenticated_is_the_anonymous_principal():
    assert principal_of(drf_request(None)) == Principal.anonymous()


def test_anything_else_on_request_auth_is_a_programming_error():
    with pytest.raises(TypeError, match="request.auth holds str"):
        principal_of(drf_request("a-raw-token"))
