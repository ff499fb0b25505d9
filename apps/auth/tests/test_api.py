"""The published interface other apps call."""

import uuid

import pytest
from rest_framework.test import APIRequestFactory

from apps.auth import api
from apps.auth.jwt.authentication import BearerTokenAuthentication
from apps.auth.models import Device, Membership, Role, SecurityEvent
from apps.auth.services import accounts, devices
from apps.auth.services.sessions import access_token_for
from apps.auth.tests.factories import PASSWORD, make_user
from transport.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied
from transport.principal import Principal

pytestmark = pytest.mark.django_db


def api_principal(user):
    return api.principal_for_user(user_id=user.pk)


def _a_device(company_id, admin):
    driver = make_user(roles={company_id: ["driver"]})
    return devices.device_register(principal=api.principal_for_user(user_id=admin.pk), company_id=company_id,
                                   user_id=driver.pk, role="driver", name="Phone").device


def test_an_object_grant_lets_one_member_act_on_that_object_only(company_a, admin_a):
    dispatcher = make_user(roles={company_a: ["dispatcher"]})
    granted, other = _a_device(company_a, admin_a), _a_device(company_a, admin_a)
    admin = api.principal_for_user(user_id=admin_a.pk)

    api.object_permission_grant(principal=admin, user_id=dispatcher.pk, permission="identity.manage_devices",
                                obj=granted, company_id=company_a)
    principal = api.principal_for_user(user_id=dispatcher.pk)

    assert api.has_object_permission(principal=principal, permission="identity.manage_devices", obj=granted,
                                     company_id=company_a)
    assert not api.has_object_permission(principal=principal, permission="identity.manage_devices", obj=other,
                                         company_id=company_a)
    with pytest.raises(PermissionDenied):
        api.require_object_permission(principal=principal, permission="identity.manage_devices", obj=other,
                                      company_id=company_a)


def test_an_object_grant_is_never_seen_from_another_company(company_a, company_b, admin_a):
    dispatcher = make_user(roles={company_a: ["dispatcher"]})
    device = _a_device(company_a, admin_a)
    api.object_permission_grant(principal=api.principal_for_user(user_id=admin_a.pk), user_id=dispatcher.pk,
                                permission="identity.manage_devices", obj=device, company_id=company_a)
    principal = api.principal_for_user(user_id=dispatcher.pk)

    with pytest.raises(NotFound):
        api.require_object_permission(principal=principal, permission="identity.manage_devices", obj=device,
                                      company_id=company_b)


def test_revoking_an_object_grant_takes_it_back(company_a, admin_a):
    dispatcher = make_user(roles={company_a: ["dispatcher"]})
    device = _a_device(company_a, admin_a)
    admin = api.principal_for_user(user_id=admin_a.pk)
    api.object_permission_grant(principal=admin, user_id=dispatcher.pk, permission="identity.manage_devices",
                                obj=device, company_id=company_a)

    api.object_permission_revoke(principal=admin, user_id=dispatcher.pk, permission="identity.manage_devices",
                                 obj=device, company_id=company_a)

    assert not api.has_object_permission(principal=api.principal_for_user(user_id=dispatcher.pk),
                                         permission="identity.manage_devices", obj=device, company_id=company_a)


def test_only_a_member_manager_grants_object_permissions(company_a, admin_a):
    dispatcher = make_user(roles={company_a: ["dispatcher"]})
    device = _a_device(company_a, admin_a)

    with pytest.raises(PermissionDenied):
        api.object_permission_grant(principal=api.principal_for_user(user_id=dispatcher.pk), user_id=dispatcher.pk,
                                    permission="identity.manage_devices", obj=device, company_id=company_a)
    assert not api.has_object_permission(principal=api.principal_for_user(user_id=dispatcher.pk),
                                         permission="identity.manage_devices", obj=device, company_id=company_a)


def test_a_company_creator_becomes_its_admin_once(company_a):
    founder, latecomer = make_user(), make_user()

    api.company_creator_grant(principal=api.principal_for_user(user_id=founder.pk), company_id=company_a)

    assert api.principal_for_user(user_id=founder.pk).has("identity.manage_members", company_id=company_a)
    with pytest.raises(Conflict):
        api.company_creator_grant(principal=api.principal_for_user(user_id=latecomer.pk), company_id=company_a)
    assert Membership.objects.filter(company_id=company_a).count() == 1


def test_a_system_principal_cannot_found_a_company(company_a):
    with pytest.raises(PermissionDenied):
        api.company_creator_grant(principal=Principal.system("importer", set()), company_id=company_a)
    assert Membership.objects.count() == 0


def test_company_members_by_role(company_a, admin_a):
    driver = make_user(full_name="Driver One", roles={company_a: ["driver"]})
    make_user(roles={company_a: ["agent"]})

    found = api.company_members(principal=api.principal_for_user(user_id=admin_a.pk), company_id=company_a,
                                role="driver")

    assert found == [api.Member(user_id=driver.pk, full_name="Driver One", roles=("driver",))]


def test_membership_grant_adds_roles_and_logs_them(company_a, admin_a):
    user = make_user()

    api.membership_grant(principal=api.principal_for_user(user_id=admin_a.pk), company_id=company_a,
                         user_id=user.pk, roles=["agent"])

    assert api.principal_for_user(user_id=user.pk).company_ids == frozenset({company_a})
    assert SecurityEvent.objects.filter(kind="roles_changed", subject_user_id=user.pk, actor_id=admin_a.pk).count() == 1


def test_user_contact_for_a_notification_handler_and_for_oneself():
    user = make_user(email="ping@example.test", phone="+254722000000", full_name="Wanjiru")
    handler = Principal.system("notification.send_ticket", {"identity.view_contacts"})

    contact = api.user_contact(principal=handler, user_id=user.pk)
    own = api.user_contact(principal=api.principal_for_user(user_id=user.pk), user_id=user.pk)

    assert contact == api.Contact(user_id=user.pk, full_name="Wanjiru", email="ping@example.test",
                                  phone="+254722000000", is_active=True)
    assert own == contact


def test_user_contact_of_someone_else_needs_the_permission():
    user, nosy = make_user(), make_user()

    with pytest.raises(PermissionDenied):
        api.user_contact(principal=api.principal_for_user(user_id=nosy.pk), user_id=user.pk)


def test_role_grant_permissions_adds_a_declared_permission_and_refuses_an_unknown_one():
    api.role_grant_permissions(role="driver", permissions=["identity.view_role"])

    driver = Role.objects.get(name="driver").permissions.filter(content_type__app_label="identity")
    assert list(driver.values_list("codename", flat=True)) == ["view_role"]
    with pytest.raises(LookupError):
        api.role_grant_permissions(role="driver", permissions=["ticketing.no_such_permission"])


def test_principal_from_access_token():
    user = make_user()

    assert api.principal_from_access_token(token=access_token_for(user)).user_id == user.pk
    with pytest.raises(NotAuthenticated):
        api.principal_from_access_token(token="junk")


def test_authenticating_a_bearer_request_takes_no_query(django_assert_num_queries, company_a, company_b):
    user = make_user(roles={company_a: ["company_admin"], company_b: ["driver"]})
    token = access_token_for(user)
    BearerTokenAuthentication().authenticate(APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}"))
    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {token}")  # the role table is loaded now

    with django_assert_num_queries(0):
        found_user, principal = BearerTokenAuthentication().authenticate(request)

    assert found_user == user
    assert principal.company_ids == frozenset({company_a, company_b})


def test_deactivating_a_user_revokes_their_refresh_tokens(api):
    platform = make_user(global_roles=["platform_admin"])
    user = make_user(email="leaver@example.test")
    pair = api.post("/api/v1/auth/token", {"identifier": "leaver@example.test",
                                           "password": PASSWORD}, format="json").json()

    accounts.user_deactivate(principal=api_principal(platform), user_id=user.pk)

    assert api.post("/api/v1/auth/token/refresh", {"refresh": pair["refresh"]}, format="json").status_code == 401
    assert SecurityEvent.objects.get(kind="user_deactivated").detail == {"refresh_tokens_revoked": 1}


def test_only_a_holder_of_change_user_deactivates(company_a, admin_a):
    user = make_user(roles={company_a: ["driver"]})
    with pytest.raises(PermissionDenied):
        accounts.user_deactivate(principal=api_principal(admin_a), user_id=user.pk)
    user.refresh_from_db()
    assert user.is_active


def test_unused_ids_are_not_found():
    with pytest.raises(NotFound):
        api.user_contact(principal=Principal.system("n", {"identity.view_contacts"}), user_id=uuid.uuid4())
    assert Device.objects.count() == 0
