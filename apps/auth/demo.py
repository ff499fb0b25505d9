"""Demo data of identity: the platform admin and a passenger, and for each demo company an admin, a dispatcher,
an agent and drivers, and its POS terminal (the agent's) and driver phone. Every start restores the printed
logins and device credentials."""

from __future__ import annotations

from apps.auth.models import Device, Membership, Role, User
from apps.auth.selectors import credential_hash
from apps.auth.services.members import membership_grant
from transport.demo import (
    DemoCompany,
    DemoOutput,
    demo_company_seeder,
    demo_device_credential,
    demo_password,
    demo_seeder,
)

ADMIN_EMAIL = "admin@demo.transport.dev"

STAFF = [Role.COMPANY_ADMIN, Role.DISPATCHER, Role.AGENT, Role.DRIVER]
PASSENGER_EMAIL = "passenger@demo.transport.dev"


@demo_seeder(order=10)
def seed(out: DemoOutput) -> None:
    password = demo_password()
    admin = _user(email=ADMIN_EMAIL, full_name="Platform admin", password=password, staff=True, superuser=True)
    admin.global_roles.add(Role.objects.get(name=Role.PLATFORM_ADMIN))
    out.add_login(role="platform admin", username=ADMIN_EMAIL, password=password)


@demo_company_seeder(order=11)
def seed_company_staff(company: DemoCompany, out: DemoOutput) -> None:
    password = demo_password()
    slug, company_id = company.slug, company.id
    for role in STAFF:
        email = f"{role.replace('_', '-')}@{slug}.demo.transport.dev"
        user = _user(email=email, full_name=f"{slug.title()} {role.replace('_', ' ')}", password=password,
                     staff=role == Role.COMPANY_ADMIN)
        if not Membership.objects.filter(user=user, company_id=company_id, roles__name=role).exists():
            membership_grant(company_id=company_id, user_id=user.pk, roles=[role], actor_id=None)
        out.add_login(role=f"{slug} {role.replace('_', ' ')}", username=email, password=password)
    out.add_note(f"Demo company {slug}: id {company_id}")


@demo_seeder(order=11)
def seed_passenger(out: DemoOutput) -> None:
    password = demo_password()
    _user(email=PASSENGER_EMAIL, full_name="Demo passenger", password=password)
    out.add_login(role="passenger", username=PASSENGER_EMAIL, password=password)


RELIEF_DRIVERS = 3  # beside the one demo driver, so that every daily demo trip can have its own


@demo_company_seeder(order=13)
def seed_relief_drivers(company: DemoCompany, out: DemoOutput) -> None:
    """More drivers for each demo company (company's demo rosters them on its trips); not printed."""
    slug, company_id = company.slug, company.id
    for number in range(2, RELIEF_DRIVERS + 2):
        user = _user(email=f"driver{number}@{slug}.demo.transport.dev", full_name=f"{slug.title()} driver {number}",
                     password=demo_password())
        if not Membership.objects.filter(user=user, company_id=company_id, roles__name=Role.DRIVER).exists():
            membership_grant(company_id=company_id, user_id=user.pk, roles=[Role.DRIVER], actor_id=None)


# kind of device -> the role it acts with and its name
DEMO_DEVICES = {"pos": (Role.AGENT, "Counter POS"), "driver": (Role.DRIVER, "Driver phone")}


@demo_company_seeder(order=12)
def seed_devices(company: DemoCompany, out: DemoOutput) -> None:
    slug, company_id = company.slug, company.id
    for kind, (role, name) in DEMO_DEVICES.items():
        user = User.objects.get(email=f"{role.replace('_', '-')}@{slug}.demo.transport.dev")
        credential = demo_device_credential(slug, kind)
        Device.objects.update_or_create(credential_hash=credential_hash(credential), defaults={
            "company_id": company_id, "user": user, "role": Role.objects.get(name=role), "name": name,
            "revoked_at": None})
        out.add_note(f"{slug} {name.lower()} ({role}): header  Authorization: Device {credential}")


def _user(*, email: str, full_name: str, password: str, staff: bool = False, superuser: bool = False) -> User:
    """Create the demo user, or put it back as printed (active, same password) if the demo changed it."""
    user = User.objects.filter(email=email).first()
    if user is None:
        return User.objects.create_user(email=email, password=password, full_name=full_name, is_staff=staff,
                                        is_superuser=superuser)
    if not (user.is_active and user.check_password(password) and user.is_staff == staff
            and user.is_superuser == superuser):
        user.is_active, user.is_staff, user.is_superuser = True, staff, superuser
        user.set_password(password)
        user.save(update_fields=["is_active", "is_staff", "is_superuser", "password"])
    return user
