import pytest

from apps.auth import api as auth_api
from apps.auth.jwt import revocation
from apps.auth.models import Device, SecurityEvent
from apps.auth.selectors import credential_hash
from apps.auth.services import devices, members
from apps.auth.tests.conftest import bearer
from apps.auth.tests.factories import identity_only, make_user
from transport.errors import NotAuthenticated, ValidationFailed
from transport.principal import PrincipalKind

pytestmark = pytest.mark.django_db


def _register(api, admin, company_id, user, role="agent", name="Counter 1"):
    return api.post("/api/v1/auth/devices", {"company_id": str(company_id), "user_id": str(user.pk),
                                             "role": role, "name": name}, format="json", **bearer(admin))


def test_an_admin_registers_a_device_and_sees_its_credential_once(api, company_a, admin_a):
    agent = make_user(roles={company_a: ["agent"]})

    response = _register(api, admin_a, company_a, agent)

    assert response.status_code == 201
    body = response.json()
    device = Device.objects.get(pk=body["id"])
    assert device.credential_hash == credential_hash(body["credential"])
    assert (device.company_id, device.user_id, device.role.name) == (company_a, agent.pk, "agent")
    assert body["credential"] not in str(Device.objects.filter(pk=device.pk).values().get())
    assert SecurityEvent.objects.filter(kind="device_registered", company_id=company_a).count() == 1
    listed = api.get(f"/api/v1/auth/devices?company_id={company_a}", **bearer(admin_a)).json()["results"]
    assert [d["id"] for d in listed] == [body["id"]]
    assert "credential" not in listed[0]


def test_a_device_acts_as_a_device_principal_for_its_user(api, company_a, admin_a):
    agent = make_user(roles={company_a: ["agent"]})
    credential = _register(api, admin_a, company_a, agent).json()["credential"]

    me = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Device {credential}")
    principal = auth_api.principal_from_device_credential(credential=credential)

    assert me.status_code == 200
    assert me.json()["kind"] == "device"
    assert me.json()["id"] == str(agent.pk)
    assert principal.kind is PrincipalKind.DEVICE
    assert principal.user_id == agent.pk
    assert identity_only(principal.company_permissions) == {company_a: frozenset()}  # an agent manages nothing here
    assert principal.global_permissions == frozenset()


def test_a_device_holds_only_its_roles_permissions_not_all_of_its_users(company_a, admin_a):
    both = make_user(roles={company_a: ["agent", "company_admin"]})
    registered = devices.device_register(principal=auth_api.principal_for_user(user_id=admin_a.pk),
                                         company_id=company_a, user_id=both.pk, role="agent", name="POS")

    principal = auth_api.principal_from_device_credential(credential=registered.credential)

    assert not principal.has("identity.manage_members", company_id=company_a)
    assert auth_api.principal_for_user(user_id=both.pk).has("identity.manage_members", company_id=company_a)


def test_a_revoked_device_answers_401_at_once(api, company_a, admin_a):
    agent = make_user(roles={company_a: ["agent"]})
    body = _register(api, admin_a, company_a, agent).json()
    assert api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Device {body['credential']}").status_code == 200

    revoke = api.post(f"/api/v1/auth/devices/{body['id']}/revoke", **bearer(admin_a))
    after = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Device {body['credential']}")

    assert revoke.status_code == 200
    assert revoke.json()["revoked_at"] is not None
    assert after.status_code == 401
    assert SecurityEvent.objects.filter(kind="device_revoked", company_id=company_a).count() == 1


def test_revoking_twice_answers_409(api, company_a, admin_a):
    agent = make_user(roles={company_a: ["agent"]})
    body = _register(api, admin_a, company_a, agent).json()
    api.post(f"/api/v1/auth/devices/{body['id']}/revoke", **bearer(admin_a))

    again = api.post(f"/api/v1/auth/devices/{body['id']}/revoke", **bearer(admin_a))

    assert again.status_code == 409
    assert SecurityEvent.objects.filter(kind="device_revoked").count() == 1


def test_an_unknown_device_credential_answers_401(api):
    response = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION="Device not-a-credential")

    assert response.status_code == 401


def test_a_device_is_only_for_a_member_holding_the_role(api, company_a, admin_a):
    dispatcher = make_user(roles={company_a: ["dispatcher"]})

    response = _register(api, admin_a, company_a, dispatcher, role="driver")

    assert response.status_code == 422
    assert Device.objects.count() == 0


def test_a_device_role_must_be_agent_or_driver(company_a, admin_a):
    with pytest.raises(ValidationFailed):
        devices.device_register(principal=auth_api.principal_for_user(user_id=admin_a.pk), company_id=company_a,
                                user_id=admin_a.pk, role="company_admin", name="x")
    assert Device.objects.count() == 0


def test_removing_a_member_revokes_their_devices_and_a_lost_role_empties_the_device(api, company_a, admin_a):
    driver = make_user(roles={company_a: ["driver", "agent"]})
    admin = auth_api.principal_for_user(user_id=admin_a.pk)
    phone = devices.device_register(principal=admin, company_id=company_a, user_id=driver.pk, role="driver",
                                    name="Phone")
    pos = devices.device_register(principal=admin, company_id=company_a, user_id=driver.pk, role="agent",
                                  name="POS")

    members.member_roles_set(principal=admin, company_id=company_a, user_id=driver.pk, roles=["agent"])
    phone_after_role_loss = auth_api.principal_from_device_credential(credential=phone.credential)
    members.member_remove(principal=admin, company_id=company_a, user_id=driver.pk)
    pos_after_removal = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Device {pos.credential}")

    assert phone_after_role_loss.company_permissions == {}
    assert pos_after_removal.status_code == 401
    assert Device.objects.filter(user=driver, revoked_at__isnull=False).count() == 2


def test_a_device_request_takes_two_queries_once_then_none(django_assert_num_queries, company_a, admin_a):
    agent = make_user(roles={company_a: ["agent"]})
    credential = devices.device_register(principal=auth_api.principal_for_user(user_id=admin_a.pk),
                                         company_id=company_a, user_id=agent.pk, role="agent", name="POS").credential

    with django_assert_num_queries(2):
        first = auth_api.principal_from_device_credential(credential=credential)
    revocation.forget_local_copy()  # another process: only Redis is shared
    with django_assert_num_queries(0):
        cached = auth_api.principal_from_device_credential(credential=credential)

    assert cached == first


def test_a_device_http_request_spends_its_queries_on_the_view_only(api, django_assert_num_queries, company_a,
                                                                    admin_a):
    agent = make_user(roles={company_a: ["agent"]})
    credential = _register(api, admin_a, company_a, agent).json()["credential"]
    api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Device {credential}")

    with django_assert_num_queries(4):  # all /me's own: the user, global roles, memberships and their roles
        me = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Device {credential}")

    assert me.status_code == 200
    assert me.json()["device_id"] is not None


def test_a_revoked_device_is_refused_on_its_very_next_request_on_any_process(api, company_a, admin_a):
    agent = make_user(roles={company_a: ["agent"]})
    registered = _register(api, admin_a, company_a, agent).json()
    device_header = {"HTTP_AUTHORIZATION": f"Device {registered['credential']}"}
    before = api.get("/api/v1/auth/me", **device_header)

    revoked = api.post(f"/api/v1/auth/devices/{registered['id']}/revoke", **bearer(admin_a))
    revocation.forget_local_copy()  # another process, which has not read the marks since
    after = api.get("/api/v1/auth/me", **device_header)

    assert (before.status_code, revoked.status_code, after.status_code) == (200, 200, 401)
    assert after.json()["code"] == "authentication_failed"
    with pytest.raises(NotAuthenticated):
        auth_api.principal_from_device_credential(credential=registered["credential"])


def test_a_device_of_a_deactivated_user_is_refused_although_its_principal_was_cached(api, company_a, admin_a):
    agent = make_user(roles={company_a: ["agent"]})
    credential = _register(api, admin_a, company_a, agent).json()["credential"]
    before = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Device {credential}")

    agent.is_active = False
    agent.save(update_fields=["is_active"])
    after = api.get("/api/v1/auth/me", HTTP_AUTHORIZATION=f"Device {credential}")

    assert (before.status_code, after.status_code) == (200, 401)


def test_a_device_request_is_answered_from_the_database_while_redis_is_down(settings, django_assert_num_queries,
                                                                           company_a, admin_a):
    agent = make_user(roles={company_a: ["agent"]})
    credential = devices.device_register(principal=auth_api.principal_for_user(user_id=admin_a.pk),
                                         company_id=company_a, user_id=agent.pk, role="agent", name="POS").credential
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens there
    revocation.forget_local_copy()
    try:
        with django_assert_num_queries(2):
            principal = auth_api.principal_from_device_credential(credential=credential)
    finally:
        revocation.forget_local_copy()  # the next test reads the marks from its Redis again

    assert (principal.kind, principal.user_id) == (PrincipalKind.DEVICE, agent.pk)
