"""The static GTFS feed: read back with partridge (a GTFS reader from PyPI) and checked against the
reference's required files and fields, with ids that stay the same from one export to the next."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from datetime import time, timedelta

import partridge
from django.core.management import call_command
from django.utils import timezone

from apps.company.services import trips
from apps.company.services.materialise import trips_materialise
from apps.company.tests.world import ad_hoc_trip

# https://gtfs.org/schedule/reference/ : required fields of the files we publish
REQUIRED = {
    "agency.txt": ["agency_name", "agency_url", "agency_timezone"],
    "stops.txt": ["stop_id", "stop_name", "stop_lat", "stop_lon"],
    "routes.txt": ["route_id", "route_type"],
    "trips.txt": ["route_id", "service_id", "trip_id"],
    "stop_times.txt": ["trip_id", "stop_id", "stop_sequence", "arrival_time", "departure_time"],
    "calendar.txt": ["service_id", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
                     "start_date", "end_date"],
    "calendar_dates.txt": ["service_id", "date", "exception_type"],
    "feed_info.txt": ["feed_publisher_name", "feed_publisher_url", "feed_lang"],
}
_TIME = re.compile(r"^\d{2,}:[0-5]\d:[0-5]\d$")
_DATE = re.compile(r"^\d{8}$")


def _files(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
                for name in archive.namelist()}


def _feed(client, tenant) -> bytes:
    response = client.get(f"/api/v1/company/{tenant.company.slug}/gtfs.zip")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    return response.content


def test_the_feed_has_every_required_file_and_field(tenant_a, client):
    trips_materialise(days_ahead=3, company_id=tenant_a.company.id)
    files = _files(_feed(client, tenant_a))
    assert set(files) == set(REQUIRED)
    for name, fields in REQUIRED.items():
        for row in files[name]:
            assert all(row[field] != "" for field in fields if field in row), (name, row)
            assert set(fields) <= set(row), name
    assert len(files["trips.txt"]) == 4
    assert len(files["stop_times.txt"]) == 12
    assert all(_TIME.match(r["arrival_time"]) and _TIME.match(r["departure_time"]) for r in files["stop_times.txt"])
    assert all(_DATE.match(r["start_date"]) and _DATE.match(r["end_date"]) for r in files["calendar.txt"])
    assert all(-90 <= float(r["stop_lat"]) <= 90 and -180 <= float(r["stop_lon"]) <= 180 for r in files["stops.txt"])
    # every reference resolves
    stop_ids = {r["stop_id"] for r in files["stops.txt"]}
    trip_ids = {r["trip_id"] for r in files["trips.txt"]}
    assert {r["stop_id"] for r in files["stop_times.txt"]} <= stop_ids
    assert {r["trip_id"] for r in files["stop_times.txt"]} == trip_ids
    assert {r["route_id"] for r in files["trips.txt"]} <= {r["route_id"] for r in files["routes.txt"]}
    assert {r["service_id"] for r in files["trips.txt"]} == {r["service_id"] for r in files["calendar.txt"]}


def test_partridge_reads_the_feed_and_finds_the_service_days(tenant_a, client, tmp_path):
    trips_materialise(days_ahead=3, company_id=tenant_a.company.id)
    path = tmp_path / "feed.zip"
    path.write_bytes(_feed(client, tenant_a))
    # when a GTFS library reads it
    service_ids_by_date = partridge.read_service_ids_by_date(str(path))
    tomorrow = timezone.now().date() + timedelta(days=1)
    feed = partridge.load_feed(str(path), view={"trips.txt": {"service_id": service_ids_by_date[tomorrow]}})
    # then tomorrow has its one trip, three stops, leaving Nairobi at 08:00 (seconds after the service day starts)
    assert len(service_ids_by_date) == 4
    assert len(feed.trips) == 1
    assert list(feed.stop_times.sort_values("stop_sequence")["departure_time"]) == [8 * 3600, 10.5 * 3600, 14 * 3600]
    assert list(feed.agency["agency_timezone"]) == ["Africa/Nairobi"]


def test_ids_are_stable_across_exports_and_cancelled_trips_are_left_out(tenant_a, client):
    trips_materialise(days_ahead=2, company_id=tenant_a.company.id)
    first = _files(_feed(client, tenant_a))
    cancelled = first["trips.txt"][-1]["trip_id"]
    trips.trip_cancel(principal=tenant_a.admin, trip_id=cancelled, reason="Strike")
    second = _files(_feed(client, tenant_a))
    ids = [{(r["stop_id"]) for r in f["stops.txt"]} for f in (first, second)]
    assert ids[0] == ids[1]
    assert {r["trip_id"] for r in second["trips.txt"]} == {r["trip_id"] for r in first["trips.txt"]} - {cancelled}
    assert first["routes.txt"] == second["routes.txt"]


def test_times_after_midnight_pass_24_hours(tenant_a, client):
    ad_hoc_trip(tenant_a, at=time(22, 0))
    files = _files(_feed(client, tenant_a))
    assert [r["arrival_time"] for r in files["stop_times.txt"]] == ["22:00:00", "24:30:00", "28:00:00"]


def test_unknown_company_is_404(db, client):
    assert client.get("/api/v1/company/nobody/gtfs.zip").status_code == 404


def test_the_management_command_writes_the_same_feed(tenant_a, client, tmp_path):
    trips_materialise(days_ahead=1, company_id=tenant_a.company.id)
    path = tmp_path / "out.zip"
    call_command("export_gtfs", tenant_a.company.slug, str(path), stdout=io.StringIO())
    assert _files(path.read_bytes()) == _files(_feed(client, tenant_a))
