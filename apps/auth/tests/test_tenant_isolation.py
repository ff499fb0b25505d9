"""A member of company B reading or changing anything of company A gets 404, and nothing changes."""

import pytest

from apps.auth.models import Device, Membership, SecurityEvent, User
from apps.auth.services.sessions import access_token_for
from apps.auth.tests.world import build_world

pytestmark = pytest.mark.django_db


def _object_calls(world):
    a, member, device = world.company_a, world.target_member.pk, world.target_device.pk
    return {
        "members.list": ("get", f"/api/v1/auth/companies/{a}/members", None),
        "members.set_roles": ("put", f"/api/v1/auth/companies/{a}/members/{member}", {"roles": ["agent"]}),
        "members.remove": ("delete", f"/api/v1/auth/companies/{a}/members/{member}", None),
        "devices.list": ("get", f"/api/v1/auth/devices?company_id={a}", None),
        "devices.register": ("post", "/api/v1/auth/devices",
                             {"company_id": str(a), "user_id": str(member), "role": "driver", "name": "x"}),
        "devices.revoke": ("post", f"/api/v1/auth/devices/{device}/revoke", None),
        "invitations.create": ("post", "/api/v1/auth/invitations",
                               {"company_id": str(a), "email": "spy@example.test", "roles": ["company_admin"]}),
    }


@pytest.mark.parametrize("endpoint", ["members.list", "members.set_roles", "members.remove", "devices.list",
                                      "devices.register", "devices.revoke", "invitations.create"])
def test_an_admin_of_another_company_gets_404_and_changes_nothing(api, endpoint):
    world = build_world()
    method, url, body = _object_calls(world)[endpoint]
    before = (Membership.objects.count(), Device.objects.count(), SecurityEvent.objects.count(),
              User.objects.count())

    response = getattr(api, method)(url, body, format="json",
                                    HTTP_AUTHORIZATION=f"Bearer {access_token_for(world.users['admin_b'])}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert (Membership.objects.count(), Device.objects.count(), SecurityEvent.objects.count(),
            User.objects.count()) == before
    assert Device.objects.get(pk=world.target_device.pk).revoked_at is None
    assert sorted(Membership.objects.get(user=world.target_member).roles.values_list("name", flat=True)) == ["driver"]


def test_an_admin_cannot_reach_a_member_of_their_company_through_another_company_path(api):
    world = build_world()
    # admin_b addresses company B's path with a user of company A: that user is no member of B
    url = f"/api/v1/auth/companies/{world.company_b}/members/{world.target_member.pk}"

    response = api.delete(url, HTTP_AUTHORIZATION=f"Bearer {access_token_for(world.users['admin_b'])}")

    assert response.status_code == 404
    assert Membership.objects.filter(user=world.target_member, company_id=world.company_a).count() == 1


def test_members_list_shows_only_the_asked_company(api):
    world = build_world()

    response = api.get(f"/api/v1/auth/companies/{world.company_b}/members",
                       HTTP_AUTHORIZATION=f"Bearer {access_token_for(world.users['admin_b'])}")

    assert response.status_code == 200
    assert [m["user_id"] for m in response.json()["results"]] == [str(world.users["admin_b"].pk)]
