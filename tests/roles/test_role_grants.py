"""Role grants run at every migrate: a few queries whatever their number, and the role table's version (which
makes every process reload it) moves only when a grant was really added."""

import pytest
from django.core.management import call_command

from apps.auth import api
from apps.auth.jwt import revocation
from apps.auth.models import Role
from apps.auth.roles import seed_roles
from apps.company.permissions import grant_role_permissions as company_grants
from apps.qr.permissions import grant_role_permissions as qr_grants
from apps.ticketing.permissions import grant_role_permissions as ticketing_grants

pytestmark = pytest.mark.django_db


def _version() -> str:
    revocation.forget_local_copy()  # read the shared version, not this process's copy
    snapshot = revocation.current()
    assert snapshot is not None
    return snapshot.bundles_version


def test_every_apps_role_grants_take_three_queries_each_when_nothing_is_new(django_assert_num_queries):
    with django_assert_num_queries(4 + 3 * 3):  # roles read, then per app: permissions, roles, grants held
        seed_roles()
        company_grants()
        qr_grants()
        ticketing_grants()


def test_a_no_op_migrate_leaves_the_role_table_version_unchanged(django_capture_on_commit_callbacks):
    before = _version()

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        call_command("migrate", verbosity=0)

    assert callbacks == []
    assert _version() == before


def test_a_migrate_restores_a_lost_grant_in_one_insert_and_moves_the_version(django_capture_on_commit_callbacks,
                                                                              django_assert_num_queries):
    agent = Role.objects.get(name="agent")
    agent.permissions.remove(*agent.permissions.filter(content_type__app_label="ticketing"))
    before = _version()

    with django_capture_on_commit_callbacks(execute=True), django_assert_num_queries(4):
        ticketing_grants()

    assert sorted(agent.permissions.filter(content_type__app_label="ticketing").values_list("codename", flat=True)) \
        == ["confirm_booking", "sell_pos", "view_bookings"]
    assert _version() != before


def test_an_unknown_permission_or_role_is_refused_and_adds_nothing():
    held = Role.permissions.through.objects.count()

    with pytest.raises(LookupError, match="ticketing.no_such_permission"):
        api.roles_grant_permissions(grants={"driver": ["identity.view_role", "ticketing.no_such_permission"]})
    with pytest.raises(LookupError, match="No role pilot"):
        api.roles_grant_permissions(grants={"pilot": ["identity.view_role"]})

    assert Role.permissions.through.objects.count() == held
