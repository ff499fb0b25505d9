import pytest

from apps.auth.models import Membership, SecurityEvent
from apps.auth.tests.conftest import bearer
from apps.auth.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_members_list_shows_each_member_with_roles_and_filters_by_role(api, company_a, admin_a):
    driver = make_user(full_name="Baraka", phone="+254700000001", roles={company_a: ["driver"]})

    everyone = api.get(f"/api/v1/auth/companies/{company_a}/members", **bearer(admin_a))
    drivers = api.get(f"/api/v1/auth/companies/{company_a}/members?role=driver", **bearer(admin_a))

    assert everyone.status_code == 200
    assert everyone.json()["count"] == 2
    assert drivers.json()["results"] == [{"user_id": str(driver.pk), "full_name": "Baraka", "email": None,
                                          "phone": "+254700000001", "roles": ["driver"]}]


def test_setting_roles_replaces_them_and_is_logged(api, company_a, admin_a):
    member = make_user(roles={company_a: ["driver"]})

    response = api.put(f"/api/v1/auth/companies/{company_a}/members/{member.pk}",
                       {"roles": ["dispatcher", "agent"]}, format="json", **bearer(admin_a))

    assert response.status_code == 200
    assert response.json()["roles"] == ["agent", "dispatcher"]
    event = SecurityEvent.objects.get(kind="roles_changed", subject_user_id=member.pk, actor_id=admin_a.pk)
    assert (event.company_id, event.detail) == (company_a, {"before": ["driver"], "after": ["agent", "dispatcher"]})


@pytest.mark.parametrize("roles", [[], ["platform_admin"], ["passenger"], ["owner"]])
def test_only_company_roles_may_be_set(api, company_a, admin_a, roles):
    member = make_user(roles={company_a: ["driver"]})

    response = api.put(f"/api/v1/auth/companies/{company_a}/members/{member.pk}", {"roles": roles},
                       format="json", **bearer(admin_a))

    assert response.status_code == 400
    assert list(Membership.objects.get(user=member).roles.values_list("name", flat=True)) == ["driver"]
    assert SecurityEvent.objects.filter(kind="roles_changed", actor_id=admin_a.pk).count() == 0


def test_removing_a_member_deletes_the_membership_and_is_logged(api, company_a, admin_a):
    member = make_user(roles={company_a: ["agent"]})

    response = api.delete(f"/api/v1/auth/companies/{company_a}/members/{member.pk}", **bearer(admin_a))

    assert response.status_code == 204
    assert Membership.objects.filter(user=member).count() == 0
    assert SecurityEvent.objects.get(kind="member_removed", subject_user_id=member.pk).detail == {"before": ["agent"]}


def test_changing_a_user_who_is_no_member_answers_404(api, company_a, admin_a):
    stranger = make_user()

    response = api.put(f"/api/v1/auth/companies/{company_a}/members/{stranger.pk}", {"roles": ["agent"]},
                       format="json", **bearer(admin_a))

    assert response.status_code == 404
    assert Membership.objects.filter(user=stranger).count() == 0


def test_me_lists_memberships_and_global_roles(api, company_a, company_b):
    user = make_user(email="me@example.test", roles={company_a: ["driver"], company_b: ["agent", "dispatcher"]},
                     global_roles=["platform_admin"])

    body = api.get("/api/v1/auth/me", **bearer(user)).json()

    assert body["email"] == "me@example.test"
    assert body["kind"] == "user"
    assert body["device_id"] is None
    assert body["global_roles"] == ["platform_admin"]
    assert sorted((m["company_id"], tuple(m["roles"])) for m in body["memberships"]) == sorted(
        [(str(company_a), ("driver",)), (str(company_b), ("agent", "dispatcher"))])


def test_a_nul_character_in_the_role_filter_is_a_400_problem(api, company_a, admin_a):
    response = api.get(f"/api/v1/auth/companies/{company_a}/members?role=dri%00ver", **bearer(admin_a))

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["code"], body["detail"], body["instance"]) == (
        "malformed_request", "The query string contains a NUL character.",
        f"/api/v1/auth/companies/{company_a}/members")
