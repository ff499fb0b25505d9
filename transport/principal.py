"""Who is acting: a user, a device or the system, for a company, with a set of permissions.

Every published `api.py` function that acts for someone takes `principal=` and calls `require()`
itself: no app trusts its caller. Code checks permissions, never role names.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from uuid import UUID

from transport.errors import NotAuthenticated, NotFound, PermissionDenied


class PrincipalKind(StrEnum):
    ANONYMOUS = "anonymous"
    USER = "user"
    DEVICE = "device"
    SYSTEM = "system"


@dataclass(frozen=True)
class Principal:
    kind: PrincipalKind
    id: UUID | str | None = None
    # permissions granted in each company the principal belongs to
    company_permissions: dict[UUID, frozenset[str]] = field(default_factory=dict)
    # permissions that hold everywhere (platform admin, system handlers)
    global_permissions: frozenset[str] = frozenset()
    name: str = ""
    # the person acting: the user themself, or the agent/driver using a device (None for system)
    user_id: UUID | None = None

    @classmethod
    def anonymous(cls) -> Principal:
        return cls(kind=PrincipalKind.ANONYMOUS)

    @classmethod
    def system(cls, name: str, permissions: set[str] | frozenset[str]) -> Principal:
        """A named principal for event handlers and periodic jobs, with only what they need."""
        return cls(kind=PrincipalKind.SYSTEM, id=name, name=name, global_permissions=frozenset(permissions))

    @property
    def is_authenticated(self) -> bool:
        return self.kind is not PrincipalKind.ANONYMOUS

    @property
    def device_id(self) -> UUID | None:
        """The registered device acting (a device principal's id is its device's); None for anyone else."""
        if self.kind is not PrincipalKind.DEVICE:
            return None
        if not isinstance(self.id, UUID):
            raise TypeError(f"A device principal is identified by its device's UUID, not {self.id!r}.")
        return self.id

    @property
    def company_ids(self) -> frozenset[UUID]:
        return frozenset(self.company_permissions)

    def has(self, permission: str, *, company_id: UUID | None = None) -> bool:
        if permission in self.global_permissions:
            return True
        if company_id is None:
            return any(permission in perms for perms in self.company_permissions.values())
        return permission in self.company_permissions.get(company_id, frozenset())

    def require(self, permission: str, *, company_id: UUID | None = None) -> None:
        """Raise unless the principal holds `permission` (in `company_id`, when given).

        A principal with no standing at all in that company gets NotFound, not PermissionDenied:
        another tenant's objects do not exist for it.
        """
        if not self.is_authenticated:
            raise NotAuthenticated()
        if self.has(permission, company_id=company_id):
            return
        if company_id is not None and company_id not in self.company_permissions:
            raise NotFound()  # holds it nowhere globally, and is no member there: the object is not its
        raise PermissionDenied(f"Missing permission {permission}.", code="permission_denied")

    def companies_with(self, permission: str) -> frozenset[UUID] | None:
        """The companies in which the principal holds `permission`; None when it holds it everywhere."""
        if permission in self.global_permissions:
            return None
        return frozenset(company for company, perms in self.company_permissions.items() if permission in perms)

    def can_see_company(self, company_id: UUID) -> bool:
        return company_id in self.company_permissions or bool(self.global_permissions)
