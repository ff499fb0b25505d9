"""Every role against every endpoint of identity: allowed or denied, exactly."""

from __future__ import annotations

import pytest

from apps.auth.models import AccountToken, Device, Membership
from apps.auth.services.sessions import access_token_for
from apps.auth.tests.world import World, build_world

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "passenger", "company_admin", "dispatcher", "agent", "driver", "platform_admin", "device"]


def _call(api, world: World, actor: str, endpoint: str):
    if actor == "device":
        auth = {"HTTP_AUTHORIZATION": f"Device {world.device_credential}"}
    elif actor == "anonymous":
        auth = {}
    else:
        auth = {"HTTP_AUTHORIZATION": f"Bearer {access_token_for(world.users[actor])}"}
    a, member, device = world.company_a, world.target_member.pk, world.target_device.pk
    calls = {
        "me": lambda: api.get("/api/v1/auth/me", **auth),
        "members.list": lambda: api.get(f"/api/v1/auth/companies/{a}/members", **auth),
        "members.set_roles": lambda: api.put(f"/api/v1/auth/companies/{a}/members/{member}",
                                             {"roles": ["dispatcher"]}, format="json", **auth),
        "members.remove": lambda: api.delete(f"/api/v1/auth/companies/{a}/members/{member}", **auth),
        "devices.list": lambda: api.get(f"/api/v1/auth/devices?company_id={a}", **auth),
        "devices.register": lambda: api.post("/api/v1/auth/devices", {
            "company_id": str(a), "user_id": str(member), "role": "driver", "name": "New phone"},
            format="json", **auth),
        "invitations.create": lambda: api.post("/api/v1/auth/invitations", {
            "company_id": str(a), "email": "new.hire@example.test", "roles": ["agent"]}, format="json", **auth),
        "devices.revoke": lambda: api.post(f"/api/v1/auth/devices/{device}/revoke", **auth),
    }
    return calls[endpoint]()


#                     anon passenger c_admin dispatcher agent driver p_admin device
MATRIX = {
    "me":                [401, 200, 200, 200, 200, 200, 200, 200],
    "members.list":      [401, 404, 200, 200, 403, 403, 200, 403],
    "members.set_roles": [401, 404, 200, 403, 403, 403, 200, 403],
    "members.remove":    [401, 404, 204, 403, 403, 403, 204, 403],
    "devices.list":      [401, 404, 200, 403, 403, 403, 200, 403],
    "devices.register":  [401, 404, 201, 403, 403, 403, 201, 403],
    "devices.revoke":    [401, 404, 200, 403, 403, 403, 200, 403],
    "invitations.create": [401, 404, 201, 403, 403, 403, 201, 403],
}
CASES = [(endpoint, actor, statuses[index]) for endpoint, statuses in MATRIX.items()
         for index, actor in enumerate(ACTORS)]


@pytest.mark.parametrize(("endpoint", "actor", "expected"), CASES, ids=[f"{e}-{a}" for e, a, _ in CASES])
def test_permission_matrix(api, endpoint, actor, expected):
    world = build_world()
    memberships, devices = Membership.objects.count(), Device.objects.count()
    roles_before = sorted(Membership.objects.get(user=world.target_member).roles.values_list("name", flat=True))

    response = _call(api, world, actor, endpoint)

    assert response.status_code == expected, response.content
    if expected >= 400:  # a refused call changed nothing
        assert Membership.objects.count() == memberships
        assert AccountToken.objects.count() == 0
        assert Device.objects.count() == devices
        assert Device.objects.get(pk=world.target_device.pk).revoked_at is None
        target = Membership.objects.get(user=world.target_member)
        assert sorted(target.roles.values_list("name", flat=True)) == roles_before


@pytest.mark.parametrize("endpoint", ["register", "token", "token/refresh", "password/reset",
                                      "password/reset/confirm", "invitations/accept"])
def test_public_endpoints_need_no_token(api, endpoint):
    response = api.post(f"/api/v1/auth/{endpoint}", {}, format="json")

    assert response.status_code == 400  # reached the view: the empty body is refused, not the caller


def test_logout_is_for_users_not_devices(api):
    world = build_world()

    response = api.post("/api/v1/auth/logout", {"refresh": "x"}, format="json",
                        HTTP_AUTHORIZATION=f"Device {world.device_credential}")

    assert response.status_code == 403
