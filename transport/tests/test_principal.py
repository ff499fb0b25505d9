import uuid

import pytest

from transport.errors import NotAuthenticated, NotFound, PermissionDenied
from transport.principal import Principal, PrincipalKind

COMPANY_A = uuid.uuid4()
COMPANY_B = uuid.uuid4()


def dispatcher_of_a() -> Principal:
    return Principal(kind=PrincipalKind.USER, id=uuid.uuid4(),
                     company_permissions={COMPANY_A: frozenset({"company.manage_trips"})})


def test_a_member_holding_the_permission_in_that_company_passes():
    dispatcher_of_a().require("company.manage_trips", company_id=COMPANY_A)


def test_a_member_lacking_the_permission_in_its_own_company_is_denied():
    with pytest.raises(PermissionDenied):
        dispatcher_of_a().require("company.manage_fleet", company_id=COMPANY_A)


def test_another_companys_objects_do_not_exist_for_a_member_of_a():
    with pytest.raises(NotFound):
        dispatcher_of_a().require("company.manage_trips", company_id=COMPANY_B)


def test_a_principal_with_unrelated_global_permissions_still_gets_404_in_a_foreign_company():
    passenger = Principal(kind=PrincipalKind.USER, id=uuid.uuid4(),
                          global_permissions=frozenset({"ticketing.book_seat"}))

    with pytest.raises(NotFound):
        passenger.require("company.manage_trips", company_id=COMPANY_B)


def test_a_global_grant_holds_in_every_company():
    platform_admin = Principal(kind=PrincipalKind.USER, id=uuid.uuid4(),
                               global_permissions=frozenset({"company.manage_trips"}))

    platform_admin.require("company.manage_trips", company_id=COMPANY_B)


def test_a_system_principal_has_exactly_the_permissions_it_was_given():
    handler = Principal.system("notification.sender", {"identity.view_contacts"})

    handler.require("identity.view_contacts", company_id=COMPANY_A)
    with pytest.raises(NotFound):
        handler.require("company.manage_trips", company_id=COMPANY_A)


def test_anonymous_callers_must_authenticate():
    with pytest.raises(NotAuthenticated):
        Principal.anonymous().require("company.view_trips")


def test_without_a_company_the_permission_held_in_any_company_suffices():
    dispatcher_of_a().require("company.manage_trips")
    with pytest.raises(PermissionDenied):
        dispatcher_of_a().require("company.manage_fleet")


def test_a_device_principal_names_its_device():
    device_id = uuid.uuid4()
    device = Principal(kind=PrincipalKind.DEVICE, id=device_id, user_id=uuid.uuid4())

    assert device.device_id == device_id


def test_a_person_and_the_system_act_through_no_device():
    user_id = uuid.uuid4()
    person = Principal(kind=PrincipalKind.USER, id=user_id, user_id=user_id)
    system = Principal.system("ticketing.expire_holds", {"ticketing.expire_holds"})

    assert (person.device_id, system.device_id) == (None, None)


def test_a_device_principal_with_an_id_that_is_not_a_uuid_is_a_programming_error():
    device = Principal(kind=PrincipalKind.DEVICE, id="pos-counter")

    with pytest.raises(TypeError, match="device's UUID"):
        device.device_id  # noqa: B018
