import pytest


@pytest.mark.django_db
def test_every_company_endpoint_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    paths = {path for path in schema["paths"] if path.startswith("/api/v1/company/")}
    resources = ["companies", "layouts", "buses", "stops", "routes", "schedules", "trips", "assignments"]
    assert paths == {
        *(f"/api/v1/company/{r}" for r in resources), *(f"/api/v1/company/{r}/{{id}}" for r in resources),
        "/api/v1/company/schedules/{id}/exceptions", "/api/v1/company/schedules/{id}/exceptions/{exception_id}",
        "/api/v1/company/trips/{id}/cancel", "/api/v1/company/trips/{id}/delay", "/api/v1/company/trips/{id}/bus",
        "/api/v1/company/trips/{id}/status", "/api/v1/company/{slug}/gtfs.zip",
    }
    assert schema["paths"]["/api/v1/company/{slug}/gtfs.zip"]["get"]["security"] == [{}]
    assert "page" in {p["name"] for p in schema["paths"]["/api/v1/company/trips"]["get"]["parameters"]}
    assert set(schema["components"]["schemas"]["TripStatusEnum"]["enum"]) == {
        "scheduled", "boarding", "departed", "arrived", "cancelled"}


@pytest.mark.django_db
def test_departure_times_are_documented_as_local_times_without_an_offset(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    for component in ("TripInRequest", "ScheduleInRequest", "ScheduleExceptionInRequest", "ScheduleOut"):
        departure = schema["components"]["schemas"][component]["properties"]["departure_time"]
        assert departure["type"] == "string"
        assert "format" not in departure
        assert departure["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
        assert "the company's local time" in departure["description"]
