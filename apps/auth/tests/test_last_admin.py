"""A company keeps an admin: removing the last one (membership, admin role, account) is a 409 problem that changes
nothing, and two concurrent removals of the last two admins leave one."""

import threading

import pytest
from django.db import connection
from django.test import Client

from apps.auth import api as auth_api
from apps.auth.models import Membership, SecurityEvent, User
from apps.auth.services import accounts
from apps.auth.tests.conftest import bearer
from apps.auth.tests.factories import make_user
from transport.errors import Conflict

MEMBER = "/api/v1/auth/companies/{company}/members/{user}"


def _admin_roles(company_id) -> dict:
    return {m.user_id: sorted(m.roles.values_list("name", flat=True))
            for m in Membership.objects.filter(company_id=company_id)}


@pytest.mark.django_db
def test_removing_the_last_admins_membership_is_a_409_that_changes_nothing(api, company_a, admin_a):
    before = _admin_roles(company_a)

    response = api.delete(MEMBER.format(company=company_a, user=admin_a.pk), **bearer(admin_a))

    assert response.status_code == 409
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "last_company_admin"
    assert response.json()["errors"] == {"user_id": [f"The only admin of company {company_a}."]}
    assert _admin_roles(company_a) == before
    assert not SecurityEvent.objects.filter(kind="member_removed").exists()


@pytest.mark.django_db
def test_taking_the_admin_role_from_the_last_admin_is_a_409_that_changes_nothing(api, company_a, admin_a):
    before = _admin_roles(company_a)

    response = api.put(MEMBER.format(company=company_a, user=admin_a.pk), {"roles": ["dispatcher"]}, format="json",
                       **bearer(admin_a))

    assert response.status_code == 409
    assert response.json()["code"] == "last_company_admin"
    assert _admin_roles(company_a) == before
    assert not SecurityEvent.objects.filter(kind="roles_changed", subject_user_id=admin_a.pk,
                                            actor_id=admin_a.pk).exists()


@pytest.mark.django_db
def test_an_admin_may_go_while_another_active_admin_stays(api, company_a, admin_a):
    second = make_user(roles={company_a: ["company_admin", "dispatcher"]})

    demoted = api.put(MEMBER.format(company=company_a, user=second.pk), {"roles": ["dispatcher"]}, format="json",
                      **bearer(admin_a))
    promoted = api.put(MEMBER.format(company=company_a, user=second.pk), {"roles": ["company_admin"]},
                       format="json", **bearer(admin_a))
    removed = api.delete(MEMBER.format(company=company_a, user=admin_a.pk), **bearer(second))

    assert (demoted.status_code, promoted.status_code, removed.status_code) == (200, 200, 204)
    assert _admin_roles(company_a) == {second.pk: ["company_admin"]}


@pytest.mark.django_db
def test_a_deactivated_admin_does_not_count_as_the_one_who_stays(api, company_a, admin_a):
    dormant = make_user(roles={company_a: ["company_admin"]})
    User.objects.filter(pk=dormant.pk).update(is_active=False)

    response = api.delete(MEMBER.format(company=company_a, user=admin_a.pk), **bearer(admin_a))

    assert response.status_code == 409
    assert Membership.objects.filter(company_id=company_a, user=admin_a).exists()


@pytest.mark.django_db
def test_deactivating_a_companys_last_admin_is_refused(company_a, company_b, admin_a):
    platform = auth_api.principal_for_user(user_id=make_user(global_roles=["platform_admin"]).pk)
    make_user(roles={company_b: ["company_admin"]})
    both = make_user(roles={company_a: ["company_admin"], company_b: ["company_admin"]})

    accounts.user_deactivate(principal=platform, user_id=admin_a.pk)  # `both` still runs company A
    with pytest.raises(Conflict) as refused:
        accounts.user_deactivate(principal=platform, user_id=both.pk)

    assert refused.value.code == "last_company_admin"
    assert refused.value.fields == {"user_id": [f"The only admin of company {company_a}."]}
    assert list(User.objects.filter(pk__in=[admin_a.pk, both.pk]).order_by("is_active")
                .values_list("pk", "is_active")) == [(admin_a.pk, False), (both.pk, True)]
    assert SecurityEvent.objects.filter(kind="user_deactivated").count() == 1


def _remove(client: Client, company_id, user_id, start: threading.Barrier) -> int:
    try:
        start.wait()
        return client.delete(MEMBER.format(company=company_id, user=user_id)).status_code
    finally:
        connection.close()  # each thread has its own connection; give it back


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_removals_of_the_last_two_admins_leave_one(company_a):
    first, second = make_user(roles={company_a: ["company_admin"]}), make_user(roles={company_a: ["company_admin"]})
    clients = [Client(**bearer(admin)) for admin in (first, second)]
    start = threading.Barrier(2)
    statuses = {}

    threads = [threading.Thread(target=lambda c=c, u=u: statuses.__setitem__(u.pk, _remove(c, company_a, u.pk, start)))
               for c, u in ((clients[0], second), (clients[1], first))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses.values()) == [204, 409]
    remaining = _admin_roles(company_a)
    assert list(remaining.values()) == [["company_admin"]]
    removed = next(user for user, status in statuses.items() if status == 204)
    assert removed not in remaining
