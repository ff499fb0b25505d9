"""The OpenAPI schema documents the HTTP conventions: problem+json errors, the Idempotency-Key header where the
handler takes it, strict request bodies."""

import pytest

pytestmark = pytest.mark.django_db

PROBLEM = {"$ref": "#/components/schemas/Problem"}


@pytest.fixture
def schema(client) -> dict:
    return client.get("/api/schema/", {"format": "json"}).json()


def _operations(schema: dict):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


def test_the_problem_component_has_every_field_of_a_problem_answer(schema):
    problem = schema["components"]["schemas"]["Problem"]

    assert set(problem["properties"]) == {"type", "title", "status", "detail", "code", "instance", "request_id",
                                          "errors"}
    assert set(problem["required"]) == {"type", "title", "status", "detail", "code"}


def test_every_operation_documents_its_errors_as_problem_json(schema):
    for method, path, operation in _operations(schema):
        errors = {status: answer for status, answer in operation["responses"].items() if int(status) >= 400}
        assert {"400", "406"} <= set(errors), (method, path)
        for answer in errors.values():
            assert answer["content"] == {"application/problem+json": {"schema": PROBLEM}}, (method, path)


def test_errors_follow_what_an_operation_declares(schema):
    def statuses(path: str, method: str) -> list[str]:
        return sorted(status for status in schema["paths"][path][method]["responses"] if int(status) >= 400)

    assert statuses("/api/v1/trips", "get") == ["400", "401", "404", "406", "422"]
    assert statuses("/api/v1/auth/me", "get") == ["400", "401", "403", "406"]
    assert statuses("/api/v1/bookings", "post") == ["400", "401", "403", "404", "406", "409", "413", "415", "422",
                                                    "429", "503"]
    assert statuses("/api/v1/company/buses/{id}", "delete") == ["400", "401", "403", "404", "406", "409", "422",
                                                               "429", "503"]


def test_the_idempotency_key_is_declared_where_the_handler_takes_it_and_required_where_it_requires_it(schema):
    declared = {(method, path): parameter.get("required", False)
                for method, path, operation in _operations(schema)
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "header" and parameter["name"] == "Idempotency-Key"}

    assert {key for key, required in declared.items() if required} == {
        ("post", "/api/v1/bookings"), ("post", "/api/v1/bookings/{booking_id}/payments"), ("post", "/api/v1/pos/sales"),
        ("post", "/api/v1/trips/{trip_id}/allotments")}
    assert {key for key, required in declared.items() if not required} == {
        ("post", "/api/v1/allotments/{allotment_id}/release"), ("post", "/api/v1/bookings/{booking_id}/cancel"),
        ("post", "/api/v1/bookings/{booking_id}/confirm"), ("post", "/api/v1/bookings/{booking_id}/extend"),
        *(("post", f"/api/v1/company/{collection}") for collection in (
            "companies", "layouts", "buses", "stops", "routes", "schedules", "trips", "assignments"))}


def test_strict_request_bodies_refuse_unknown_fields_blank_strings_and_empty_lists_in_the_schema(schema):
    components = schema["components"]["schemas"]

    booking = components["BookingInRequest"]
    assert booking["additionalProperties"] is False
    assert booking["properties"]["passengers"]["minItems"] == 1
    assert components["BookingPassengerInRequest"]["additionalProperties"] is False
    assert components["BookingPassengerInRequest"]["properties"]["name"]["minLength"] == 1
    assert components["SyncInRequest"]["properties"]["sales"]["minItems"] == 1
    assert components["AllotmentInRequest"]["properties"]["seats"]["minItems"] == 1
    assert "additionalProperties" not in components["BookingOut"]
