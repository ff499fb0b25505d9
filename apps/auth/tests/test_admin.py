"""Django admin: a company admin sees only their company's rows; a platform admin sees all."""

import pytest

from apps.auth import api
from apps.auth.models import Device, SecurityEvent
from apps.auth.services import devices
from apps.auth.tests.factories import make_user

pytestmark = pytest.mark.django_db


def _device(company_id, admin, name):
    driver = make_user(full_name=f"{name} driver", roles={company_id: ["driver"]})
    return devices.device_register(principal=api.principal_for_user(user_id=admin.pk), company_id=company_id,
                                   user_id=driver.pk, role="driver", name=name).device


@pytest.fixture
def two_companies(company_a, company_b):
    admin_a = make_user(full_name="Admin A", roles={company_a: ["company_admin"]}, is_staff=True)
    admin_b = make_user(full_name="Admin B", roles={company_b: ["company_admin"]}, is_staff=True)
    return admin_a, _device(company_a, admin_a, "Alpha phone"), _device(company_b, admin_b, "Bravo phone")


def test_a_company_admin_sees_only_their_companys_devices(client, two_companies):
    admin_a, alpha, bravo = two_companies
    client.force_login(admin_a)

    listing = client.get("/admin/identity/device/")
    foreign = client.get(f"/admin/identity/device/{bravo.pk}/change/")

    assert listing.status_code == 200
    assert list(listing.context["cl"].queryset) == [alpha]
    assert foreign.status_code == 302  # the admin answers "does not exist" and goes back to the index


def test_a_company_admin_sees_only_their_companys_security_log_and_members(client, company_a, two_companies):
    admin_a, _alpha, _bravo = two_companies
    client.force_login(admin_a)

    events = client.get("/admin/identity/securityevent/")
    members = client.get("/admin/identity/membership/")
    users = client.get("/admin/identity/user/")

    assert {e.company_id for e in events.context["cl"].queryset} == {company_a}
    assert {m.company_id for m in members.context["cl"].queryset} == {company_a}
    assert sorted(u.full_name for u in users.context["cl"].queryset) == ["Admin A", "Alpha phone driver"]


def test_a_platform_admin_sees_every_company(client, two_companies):
    platform = make_user(global_roles=["platform_admin"], is_staff=True)
    client.force_login(platform)

    listing = client.get("/admin/identity/device/")

    assert sorted(d.name for d in listing.context["cl"].queryset) == ["Alpha phone", "Bravo phone"]


def test_a_member_without_admin_permissions_sees_no_identity_models(client, company_a):
    driver = make_user(roles={company_a: ["driver"]}, is_staff=True)
    client.force_login(driver)

    assert client.get("/admin/identity/device/").status_code == 403


def test_revoking_from_the_admin_goes_through_the_service_and_is_logged(client, two_companies):
    admin_a, alpha, bravo = two_companies
    client.force_login(admin_a)

    client.post("/admin/identity/device/", {"action": "revoke", "_selected_action": [str(alpha.pk), str(bravo.pk)]})

    assert Device.objects.get(pk=alpha.pk).revoked_at is not None
    assert Device.objects.get(pk=bravo.pk).revoked_at is None  # not in their queryset: never selected
    assert SecurityEvent.objects.filter(kind="device_revoked", actor_id=admin_a.pk).count() == 1


def test_a_company_admin_finds_identity_on_the_admin_index(client, two_companies):
    admin_a, _alpha, _bravo = two_companies
    client.force_login(admin_a)

    index = client.get("/admin/")

    labels = {app["app_label"]: sorted(m["object_name"] for m in app["models"]) for app in index.context["app_list"]}
    assert labels["identity"] == ["Device", "Membership", "SecurityEvent", "User"]
    assert "transport" not in labels  # the platform's own tables stay with platform admins
