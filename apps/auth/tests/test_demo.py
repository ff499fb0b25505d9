import pytest

from apps.auth import api
from apps.auth.demo import ADMIN_EMAIL, DEMO_COMPANIES, PASSENGER_EMAIL, seed, seed_companies
from apps.auth.models import Membership, User
from transport.demo import DemoOutput, demo_password

pytestmark = pytest.mark.django_db


def _run_twice() -> DemoOutput:
    for _ in range(2):  # `make run` seeds on every start
        out = DemoOutput()
        seed(out)
        seed_companies(out)
    return out


def test_the_demo_seeds_every_role_in_two_companies_and_prints_working_logins():
    out = _run_twice()

    assert len(out.logins) == 1 + 2 * 4 + 1
    assert {login.password for login in out.logins} == {demo_password()}
    assert User.objects.count() == 10
    assert Membership.objects.count() == 8
    for login in out.logins:
        assert User.objects.get(email=login.username).check_password(login.password)
    alpha_admin = User.objects.get(email="company-admin@alpha.demo.transport.dev")
    principal = api.principal_for_user(user_id=alpha_admin.pk)
    assert principal.has("identity.manage_members", company_id=DEMO_COMPANIES["alpha"])
    assert not principal.can_see_company(DEMO_COMPANIES["bravo"])
    assert api.principal_for_user(user_id=User.objects.get(email=ADMIN_EMAIL).pk).global_permissions
    assert Membership.objects.filter(user__email=PASSENGER_EMAIL).count() == 0


def test_the_demo_restores_a_changed_login():
    _run_twice()
    driver = User.objects.get(email="driver@bravo.demo.transport.dev")
    driver.set_password("changed in the demo 1")
    driver.is_active = False
    driver.save()

    _run_twice()

    driver.refresh_from_db()
    assert driver.is_active
    assert driver.check_password(demo_password())
