import pytest
from django.utils import timezone

from apps.auth import api
from apps.auth.demo import ADMIN_EMAIL, PASSENGER_EMAIL, seed, seed_company_staff, seed_devices, seed_passenger
from apps.auth.models import Device, Membership, User
from transport.demo import DEMO_COMPANIES, DemoCompany, DemoOutput, demo_device_credential, demo_password
from transport.principal import PrincipalKind

pytestmark = pytest.mark.django_db


def _run_twice() -> DemoOutput:
    for _ in range(2):  # `make run` seeds on every start
        out = DemoOutput()
        seed(out)
        companies = [DemoCompany(slug=slug, id=company_id) for slug, company_id in DEMO_COMPANIES.items()]
        for company in companies:
            seed_company_staff(company, out)
        seed_passenger(out)
        for company in companies:
            seed_devices(company, out)
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


def test_each_demo_company_has_a_pos_and_a_driver_device_whose_printed_credential_works():
    out = _run_twice()
    Device.objects.filter(company_id=DEMO_COMPANIES["alpha"]).update(revoked_at=timezone.now())

    _run_twice()

    assert Device.objects.count() == 4
    pos = api.principal_from_device_credential(credential=demo_device_credential("alpha", "pos"))
    driver = api.principal_from_device_credential(credential=demo_device_credential("bravo", "driver"))
    assert (pos.kind, pos.user_id) == (PrincipalKind.DEVICE,
                                       User.objects.get(email="agent@alpha.demo.transport.dev").pk)
    assert driver.user_id == User.objects.get(email="driver@bravo.demo.transport.dev").pk
    assert DEMO_COMPANIES["bravo"] in driver.company_ids
    assert any(demo_device_credential("alpha", "pos") in note for note in out.notes)
