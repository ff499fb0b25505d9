"""Django admin: only superusers and holders of the qr permissions see the keys; rows are read-only."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from apps.qr import api
from apps.qr.models import QrSigningKey

pytestmark = pytest.mark.django_db

LIST = "/admin/qr/qrsigningkey/"


def _staff(email: str, *permissions: str):
    user = get_user_model().objects.create_user(email=email, password="x", is_staff=True)
    user.user_permissions.add(*Permission.objects.filter(content_type__app_label="qr", codename__in=permissions))
    return get_user_model().objects.get(pk=user.pk)


def _rotate(client):
    return client.post(LIST, {"action": "rotate", "_selected_action": ["1"]})


def test_a_superuser_lists_the_keys_and_rotates_them(client, claims):
    client.force_login(get_user_model().objects.create_superuser(email="root@example.com", password="x"))

    listing = client.get(LIST)
    listed = [key.id for key in listing.context["cl"].queryset]
    rotated = _rotate(client)

    assert listing.status_code == 200
    assert listed == [1]
    assert b"secret" not in listing.content.lower()
    assert rotated.status_code == 302
    assert list(QrSigningKey.objects.order_by("id").values_list("id", "state")) == [(1, "retired"), (2, "active")]
    assert api.ticket_code_read(code=api.ticket_code_sign(**claims)).key_id == 2


def test_rows_cannot_be_added_changed_or_deleted_even_by_a_superuser(client):
    client.force_login(get_user_model().objects.create_superuser(email="root@example.com", password="x"))

    detail = client.get(f"{LIST}1/change/")
    changed = client.post(f"{LIST}1/change/", {"state": "retired"})

    assert detail.status_code == 200 and b'name="state"' not in detail.content  # shown, not editable
    assert client.get(f"{LIST}add/").status_code == 403
    assert client.post(f"{LIST}1/delete/", {"post": "yes"}).status_code == 403
    assert changed.status_code == 403
    assert list(QrSigningKey.objects.values_list("id", "state")) == [(1, "active")]


def test_staff_without_the_qr_permissions_see_nothing(client):
    client.force_login(_staff("clerk@example.com"))

    index = client.get("/admin/")

    assert client.get(LIST).status_code == 403
    assert _rotate(client).status_code == 403
    assert b"/admin/qr/" not in index.content
    assert list(QrSigningKey.objects.values_list("id", "state")) == [(1, "active")]


def test_staff_who_may_view_but_not_rotate_get_no_rotate_action(client):
    client.force_login(_staff("auditor@example.com", "view_qrsigningkey"))

    listing = client.get(LIST)
    _rotate(client)

    assert listing.status_code == 200
    assert listing.context["action_form"] is None  # rotate was the only action
    assert list(QrSigningKey.objects.values_list("id", "state")) == [(1, "active")]


def test_staff_holding_the_rotate_permission_rotate(client):
    client.force_login(_staff("keeper@example.com", "view_qrsigningkey", "rotate_qrsigningkey"))

    _rotate(client)

    assert list(QrSigningKey.objects.order_by("id").values_list("id", "state")) == [(1, "retired"), (2, "active")]
