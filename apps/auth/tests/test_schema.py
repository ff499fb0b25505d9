import pytest


@pytest.mark.django_db
def test_every_identity_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    paths = {path for path in schema["paths"] if path.startswith("/api/v1/auth/")}
    assert paths == {
        "/api/v1/auth/register", "/api/v1/auth/token", "/api/v1/auth/token/refresh", "/api/v1/auth/logout",
        "/api/v1/auth/me", "/api/v1/auth/password/reset", "/api/v1/auth/password/reset/confirm",
        "/api/v1/auth/invitations", "/api/v1/auth/invitations/accept", "/api/v1/auth/ws-tickets",
        "/api/v1/auth/companies/{company_id}/members", "/api/v1/auth/companies/{company_id}/members/{user_id}",
        "/api/v1/auth/devices", "/api/v1/auth/devices/{device_id}/revoke",
    }
    assert set(schema["components"]["securitySchemes"]) >= {"bearerJWT", "deviceCredential"}
    assert schema["paths"]["/api/v1/auth/token"]["post"]["security"] == [{}]


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "item"), [("/api/v1/auth/companies/{company_id}/members", "MemberOut"),
                                            ("/api/v1/auth/devices", "DeviceOut")])
def test_the_member_and_device_lists_are_documented_as_the_pages_they_answer(client, path, item):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"][path]["get"]
    page = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]
    assert schema["components"]["schemas"][page]["properties"]["results"] == {
        "type": "array", "items": {"$ref": f"#/components/schemas/{item}"}}
    assert set(schema["components"]["schemas"][page]["required"]) == {"count", "next", "previous", "results"}
    assert {"page", "page_size"} <= {parameter["name"] for parameter in operation["parameters"]}
