"""Who asks, for which company: the principal's one company where it may ask, unless it says which."""

from __future__ import annotations

from uuid import UUID

from apps.ai.permissions import ASK_QUESTIONS
from transport.errors import NotAuthenticated, PermissionDenied, ValidationFailed
from transport.principal import Principal


def asking_company(*, principal: Principal, company_id: UUID | None) -> UUID:
    """The company given (another company's: NotFound), else the only one where the principal may ask."""
    if company_id is not None:
        principal.require(ASK_QUESTIONS, company_id=company_id)
        return company_id
    principal.require(ASK_QUESTIONS)
    mine = principal.companies_with(ASK_QUESTIONS)
    if mine is not None and len(mine) == 1:
        return next(iter(mine))
    raise ValidationFailed("Say which company.", fields={"company_id": ["You may ask for several companies."]})


def asker_of(principal: Principal) -> UUID:
    """The person asking: the log and the per-user limit count people (a device acts for its user)."""
    if not principal.is_authenticated:
        raise NotAuthenticated()
    if principal.user_id is None:
        raise PermissionDenied("Only a person may ask questions.", code="permission_denied")
    return principal.user_id
