"""Principal resolution: per-company permissions from memberships and roles, from the database, cheaply."""

import uuid

import pytest
from django.contrib.auth.models import Permission

from apps.auth import api, selectors
from apps.auth.models import Role
from apps.auth.services import members
from apps.auth.tests.factories import identity_only, make_user
from transport.errors import NotAuthenticated, NotFound, PermissionDenied
from transport.principal import PrincipalKind

pytestmark = pytest.mark.django_db

ADMIN_PERMS = {"identity.view_members", "identity.manage_members", "identity.invite_staff",
               "identity.manage_devices", "identity.view_membership", "identity.view_device",
               "identity.view_securityevent", "identity.view_user"}


def test_a_member_holds_their_roles_permissions_per_company(company_a, company_b):
    user = make_user(roles={company_a: ["company_admin"], company_b: ["dispatcher"]})

    principal = api.principal_for_user(user_id=user.pk)

    assert principal.kind is PrincipalKind.USER
    assert principal.user_id == user.pk
    # other apps add their own permissions to the same roles: identity's share is what this app decides
    assert identity_only(principal.company_permissions) == {company_a: frozenset(ADMIN_PERMS),
                                                            company_b: frozenset({"identity.view_members"})}
    assert principal.global_permissions == frozenset()


def test_a_platform_admin_holds_permissions_everywhere():
    user = make_user(global_roles=["platform_admin"])

    principal = api.principal_for_user(user_id=user.pk)

    assert principal.company_permissions == {}
    assert "identity.manage_members" in principal.global_permissions
    assert principal.has("identity.manage_devices", company_id=uuid.uuid4())


def test_passenger_role_permissions_reach_every_user():
    user = make_user()
    Role.objects.get(name="passenger").permissions.add(*_permission("identity.view_role"))

    principal = api.principal_for_user(user_id=user.pk)

    assert principal.global_permissions == frozenset({"identity.view_role"})


def test_resolving_a_principal_takes_one_query(django_assert_num_queries, company_a, company_b):
    user = make_user(roles={company_a: ["company_admin", "driver"], company_b: ["agent"]},
                     global_roles=["platform_admin"])

    with django_assert_num_queries(1):
        selectors.user_principal(user=user)


def test_role_changes_take_effect_on_the_next_request(company_a, admin_a):
    dispatcher = make_user(roles={company_a: ["dispatcher"]})
    before = api.principal_for_user(user_id=dispatcher.pk)

    members.member_roles_set(principal=api.principal_for_user(user_id=admin_a.pk), company_id=company_a,
                             user_id=dispatcher.pk, roles=["company_admin"])
    after = api.principal_for_user(user_id=dispatcher.pk)

    assert not before.has("identity.manage_members", company_id=company_a)
    assert after.has("identity.manage_members", company_id=company_a)


def test_an_inactive_user_has_no_principal():
    user = make_user()
    user.is_active = False
    user.save(update_fields=["is_active"])

    with pytest.raises(NotAuthenticated):
        api.principal_for_user(user_id=user.pk)


def test_require_answers_not_found_in_a_foreign_company_and_denied_in_ones_own(company_a, company_b):
    dispatcher = make_user(roles={company_a: ["dispatcher"]})
    principal = api.principal_for_user(user_id=dispatcher.pk)

    with pytest.raises(NotFound):
        principal.require("identity.view_members", company_id=company_b)
    with pytest.raises(PermissionDenied):
        principal.require("identity.manage_members", company_id=company_a)


def _permission(name: str):
    app_label, codename = name.split(".")
    return list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
