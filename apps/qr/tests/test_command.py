"""`manage.py qr_keys list | rotate | remove <id>`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from apps.qr import api
from apps.qr.models import QrSigningKey

pytestmark = pytest.mark.django_db


def _run(*args: str) -> str:
    out = StringIO()
    call_command("qr_keys", *args, stdout=out)
    return out.getvalue()


def _keys() -> list[tuple[int, str]]:
    return list(QrSigningKey.objects.order_by("id").values_list("id", "state"))


def test_list_shows_each_key_and_its_state():
    lines = _run("list").splitlines()

    assert [line.split("\t")[:2] for line in lines] == [["1", "active"]]


def test_rotate_then_remove_the_retired_key(claims):
    old = api.ticket_code_sign(**claims)

    rotated = _run("rotate")
    listed = _run("list")
    removed = _run("remove", "1")

    assert "Key 2 is active" in rotated
    assert [line.split("\t")[:2] for line in listed.splitlines()] == [["1", "retired"], ["2", "active"]]
    assert "Key 1 removed" in removed
    assert _keys() == [(2, "active")]
    assert api.ticket_code_verify(code=old).reason == "unknown_key"


@pytest.mark.parametrize(("key_id", "message"), [("1", "rotate before removing"), ("9", "no QR signing key 9")])
def test_remove_refuses_the_active_key_and_an_unknown_one(key_id, message):
    with pytest.raises(CommandError, match=message):
        _run("remove", key_id)

    assert _keys() == [(1, "active")]
