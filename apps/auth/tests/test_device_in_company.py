"""device_in_company: how another app checks that a device named by staff is one of the company's own,
still usable, and (when asked) able to do what it will be given to do."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth.models import Permission

from apps.auth import api
from apps.auth.models import Role
from apps.auth.services import devices
from apps.auth.tests.factories import make_user

pytestmark = pytest.mark.django_db

GRANTED = "identity.view_contacts"  # given to the agent role for these tests only (the test rolls it back)


@pytest.fixture
def agent_role_may_view_contacts():
    app_label, codename = GRANTED.split(".")
    Role.objects.get(name=Role.AGENT).permissions.add(
        Permission.objects.get(content_type__app_label=app_label, codename=codename))


def _device(company_id, admin, role="agent"):
    user = make_user(roles={company_id: [role]})
    return devices.device_register(principal=api.principal_for_user(user_id=admin.pk), company_id=company_id,
                                   user_id=user.pk, role=role, name="Counter POS").device


def test_a_live_device_is_in_its_own_company_only(company_a, company_b, admin_a):
    device = _device(company_a, admin_a)

    assert api.device_in_company(company_id=company_a, device_id=device.pk) is True
    assert api.device_in_company(company_id=company_b, device_id=device.pk) is False
    assert api.device_in_company(company_id=company_a, device_id=uuid.uuid4()) is False


def test_a_revoked_device_or_one_of_a_deactivated_user_is_not(company_a, admin_a):
    revoked, deactivated = _device(company_a, admin_a), _device(company_a, admin_a)
    devices.device_revoke(principal=api.principal_for_user(user_id=admin_a.pk), device_id=revoked.pk)
    deactivated.user.is_active = False
    deactivated.user.save(update_fields=["is_active"])

    assert api.device_in_company(company_id=company_a, device_id=revoked.pk) is False
    assert api.device_in_company(company_id=company_a, device_id=deactivated.pk) is False


def test_a_permission_asked_for_must_be_the_devices_now(company_a, admin_a, agent_role_may_view_contacts):
    agent_device, driver_device = _device(company_a, admin_a), _device(company_a, admin_a, role="driver")

    assert api.device_in_company(company_id=company_a, device_id=agent_device.pk, permission=GRANTED) is True
    assert api.device_in_company(company_id=company_a, device_id=driver_device.pk, permission=GRANTED) is False
    assert api.device_in_company(company_id=company_a, device_id=agent_device.pk,
                                 permission="identity.manage_members") is False


def test_a_device_whose_user_lost_the_role_holds_no_permission(company_a, admin_a, agent_role_may_view_contacts):
    device = _device(company_a, admin_a)
    device.user.memberships.get(company_id=company_a).roles.clear()

    assert api.device_in_company(company_id=company_a, device_id=device.pk) is True
    assert api.device_in_company(company_id=company_a, device_id=device.pk, permission=GRANTED) is False
