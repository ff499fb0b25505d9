from __future__ import annotations

import pytest
from rest_framework.test import APIClient

from transport.idempotency.tests import views


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def gate():
    views.gate = views.Gate()
    yield views.gate
    views.gate.opened.set()  # never leave a request stuck in a view
