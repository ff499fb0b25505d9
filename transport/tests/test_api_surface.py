import re

import pytest

from tests.probe.models import Effect

PROBE_API = "transport.tests.probe_api"
LIST = "/api/v1/probe/effects/list"


@pytest.mark.django_db
def test_the_schema_is_an_openapi_3_document_of_the_versioned_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")

    schema = response.json()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.oai.openapi+json")
    assert schema["openapi"].startswith("3.")
    assert (schema["info"]["title"], schema["info"]["version"]) == ("Transport platform API", "1.0.0")
    assert [path for path in schema["paths"] if not path.startswith("/api/v1/")] == []


@pytest.mark.django_db
def test_swagger_ui_is_served_with_assets_from_this_server(client, settings):
    settings.WHITENOISE_USE_FINDERS = True  # serve app static files without collectstatic, as in development

    page = client.get("/api/docs/")
    html = page.content.decode()
    assets = sorted(set(re.findall(r"""["'](/static/drf_spectacular_sidecar/[^"']+)["']""", html)))
    answers = {asset: client.get(asset).status_code for asset in assets}

    assert page.status_code == 200
    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert {asset.rsplit("/", 1)[1] for asset in assets} >= {"swagger-ui.css", "swagger-ui-bundle.js",
                                                             "swagger-ui-standalone-preset.js"}
    assert answers == dict.fromkeys(assets, 200)
    assert re.findall(r"""(?:src|href)=["'](https?://[^"']+)""", html) == []
    assert "/api/schema/" in html


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_page_holds_50_rows_by_default(client):
    Effect.objects.bulk_create(Effect(name=f"row {n}") for n in range(60))

    body = client.get(LIST).json()

    assert (body["count"], len(body["results"])) == (60, 50)
    assert body["next"] == "http://testserver/api/v1/probe/effects/list?page=2"


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_client_may_ask_for_smaller_pages(client):
    Effect.objects.bulk_create(Effect(name=f"row {n}") for n in range(30))

    body = client.get(LIST, {"page_size": 7}).json()

    assert (body["count"], len(body["results"])) == (30, 7)


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_the_page_size_a_client_asks_for_is_capped_at_200(client):
    Effect.objects.bulk_create(Effect(name=f"row {n}") for n in range(205))

    body = client.get(LIST, {"page_size": 10_000}).json()

    assert (body["count"], len(body["results"])) == (205, 200)
    assert body["next"] == "http://testserver/api/v1/probe/effects/list?page=2&page_size=10000"


@pytest.mark.django_db
@pytest.mark.urls(PROBE_API)
def test_a_page_past_the_end_is_a_404_problem(client):
    Effect.objects.bulk_create(Effect(name=f"row {n}") for n in range(3))

    response = client.get(LIST, {"page": 9})

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"
    assert (response.json()["code"], response.json()["detail"]) == ("not_found", "Invalid page.")
