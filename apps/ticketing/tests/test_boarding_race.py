"""Many scans of one ticket at the same moment board it once: the boarding row's primary key is the guard.

The control case shows why a check cannot be: every scanner looks, at the same instant, and finds the ticket
not boarded; only the database's refusal of a second row keeps the passenger from boarding many times.
Offline uploads from several devices at once keep exactly one boarding, the earliest scan.
"""

from __future__ import annotations

import uuid
from collections import Counter
from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from apps.ticketing.models import Boarding, BoardingScan
from apps.ticketing.tests.racing import race
from tests.worlds.boarding import WIDE_BOARDING_WINDOW_HOURS, build_boarding_cast, device, new_driver, roster
from tests.worlds.boarding import ticket_bought_a_day_ago as ticket
from tests.worlds.ticketing import build_sales_world
from transport.testing.threads import barrier

SCANS = 50
# the shared PostgreSQL allows each test about 40 connections: the scans share that many threads
THREADS = 40


@pytest.fixture(autouse=True)
def _wide_boarding_window(settings):
    settings.TICKETING_BOARDING_EARLIEST_HOURS = WIDE_BOARDING_WINDOW_HOURS


@pytest.mark.django_db(transaction=True)
def test_fifty_simultaneous_scans_of_one_ticket_board_it_once():
    world = build_sales_world()
    cast = build_boarding_cast(world)
    issued = ticket(world, "7A")
    body = {"trip_id": str(cast.trip_id), "code": issued.code}
    clients = [cast.driver.new_client() for _ in range(SCANS)]

    def attempt(number: int) -> tuple[int, str, str | None]:
        answer = clients[number].post("/api/v1/boarding/scan", body, format="json")
        return answer.status_code, answer.json()["reason"], answer.json()["boarded_by_device"]

    outcomes = Counter(race(SCANS, attempt, threads=THREADS))

    device_id = str(cast.driver.id)
    assert outcomes == Counter({(200, "boarded", device_id): 1, (200, "already_boarded", device_id): SCANS - 1})
    assert Boarding.objects.count() == 1
    assert Counter(BoardingScan.objects.values_list("outcome", flat=True)) == Counter(
        {"boarded": 1, "already_boarded": SCANS - 1})


@pytest.mark.django_db(transaction=True)
def test_control_every_scanner_sees_the_ticket_free_and_the_database_alone_boards_it_once():
    world = build_sales_world()
    cast = build_boarding_cast(world)
    issued = ticket(world, "7B")
    body = {"trip_id": str(cast.trip_id), "code": issued.code}
    looked = barrier(THREADS)
    clients = [cast.driver.new_client() for _ in range(THREADS)]

    def attempt(number: int) -> tuple[bool, str]:
        with transaction.atomic():
            saw_free = not Boarding.objects.filter(ticket_id=issued.id).exists()
            looked.wait()  # everyone has looked before anyone scans: a check-then-board would board them all
            answer = clients[number].post("/api/v1/boarding/scan", body, format="json")
        return saw_free, answer.json()["reason"]

    outcomes = Counter(race(THREADS, attempt))

    assert outcomes == Counter({(True, "boarded"): 1, (True, "already_boarded"): THREADS - 1})
    assert Boarding.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_simultaneous_offline_uploads_from_many_devices_keep_the_earliest_scan():
    world = build_sales_world()
    cast = build_boarding_cast(world)
    issued = ticket(world, "7C")
    phones = [cast.driver]
    for _ in range(3):
        co_driver = new_driver(world)
        roster(world, co_driver)
        phones.append(device(world, co_driver))
    start = timezone.now() - timedelta(hours=1)
    # every phone scanned the ticket 5 times, a minute apart; phone 2's second scan is the earliest of all
    scans = [(phone, {"id": str(uuid.uuid4()), "code": issued.code,
                      "scanned_at": (start + timedelta(minutes=5 * n + i + 1)).isoformat()})
             for n, phone in enumerate(phones) for i in range(5)]
    earliest = {"id": str(uuid.uuid4()), "code": issued.code, "scanned_at": start.isoformat()}
    scans.insert(7, (phones[2], earliest))

    clients = [phone.new_client() for phone, _scan in scans]

    def attempt(number: int) -> str:
        _phone, scan = scans[number]
        answer = clients[number].post("/api/v1/boarding/sync", {"trip_id": str(cast.trip_id), "scans": [scan]},
                                   format="json")
        return answer.json()["scans"][0]["outcome"]

    outcomes = Counter(race(len(scans), attempt, threads=len(scans)))

    boarding = Boarding.objects.get()
    assert (boarding.scanned_at, boarding.device_id) == (start, phones[2].id)
    assert outcomes["boarded"] >= 1  # when uploaded, each of these was the earliest known scan
    assert outcomes["boarded"] + outcomes["duplicate"] == len(scans)
    replayed = phones[2].client.post("/api/v1/boarding/sync", {"trip_id": str(cast.trip_id), "scans": [earliest]},
                                     format="json").json()["scans"][0]
    assert replayed["outcome"] == "boarded"
    assert BoardingScan.objects.count() == len(scans)


@pytest.mark.django_db(transaction=True)
def test_one_scan_uploaded_by_simultaneous_retries_is_recorded_once():
    world = build_sales_world()
    cast = build_boarding_cast(world)
    issued = ticket(world, "7D")
    scan = {"id": str(uuid.uuid4()), "code": issued.code, "scanned_at": timezone.now().isoformat()}
    retries = 20
    clients = [cast.driver.new_client() for _ in range(retries)]

    def attempt(number: int) -> tuple[str, str]:
        answer = clients[number].post("/api/v1/boarding/sync", {"trip_id": str(cast.trip_id), "scans": [scan]},
                                      format="json")
        result = answer.json()["scans"][0]
        return result["id"], result["outcome"]

    outcomes = Counter(race(retries, attempt))

    assert outcomes == Counter({(scan["id"], "boarded"): retries})
    assert list(BoardingScan.objects.values_list("id", "outcome")) == [(uuid.UUID(scan["id"]), "boarded")]
    assert Boarding.objects.count() == 1
