"""The roles an access token carries, and the Principal built from them without touching the database.

The claim is compact: {"*": [global role names], "<company id>": [role names there], ...}. A company
with no roles yet still appears (the user belongs to it). `roles_at` is when they were read (the Redis
server's clock, taken before the read), which revocation.py compares with the user's last change.
Permissions are not in the token: the role table maps names to permissions at request time, so a role's
new permission applies to live tokens.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from uuid import UUID

import redis

from apps.auth import selectors
from apps.auth.jwt import revocation, role_bundles
from apps.auth.models import Role, User
from transport.principal import Principal, PrincipalKind

ROLES_CLAIM = "roles"
ROLES_AT_CLAIM = "roles_at"
GLOBAL = "*"


def access_claims(*, user_id: UUID) -> dict[str, Any]:
    """What a new access token of this user carries besides simplejwt's claims. Two queries and one Redis
    call, at sign-in and refresh only. Without Redis, nothing: the token is then resolved from the database
    on every request, as tokens were before they carried roles."""
    try:
        roles_at = revocation.clock()
    except redis.RedisError:
        return {}
    claim = {str(company_id): roles for company_id, roles in selectors.user_memberships(user_id=user_id)}
    claim[GLOBAL] = selectors.user_global_roles(user_id=user_id)
    return {ROLES_CLAIM: claim, ROLES_AT_CLAIM: roles_at}


def principal_from_claims(payload: Mapping[str, Any], *, bundles: Mapping[str, frozenset[str]]) -> Principal | None:
    """The user's principal from a verified access token and the role table; None if the token carries no
    usable roles claim (issued before tokens carried one): the caller then reads the database."""
    claim = payload.get(ROLES_CLAIM)
    if not isinstance(claim, dict) or not isinstance(claim.get(GLOBAL), list):
        return None
    try:
        user_id = UUID(str(payload.get("sub")))
        companies = {UUID(key): roles for key, roles in claim.items() if key != GLOBAL}
    except ValueError:
        return None

    def granted(names: list[str]) -> frozenset[str]:
        return frozenset().union(*(bundles.get(name, frozenset()) for name in names))

    return Principal(
        kind=PrincipalKind.USER,
        id=user_id,
        user_id=user_id,
        name=str(user_id),
        company_permissions={company: granted(roles) for company, roles in companies.items()},
        global_permissions=granted([Role.PASSENGER, *claim[GLOBAL]]),
    )


# token id -> (the role table it was built from, the principal): a client's next request with the same
# token gets the same immutable principal while the process holds the same table. Bounded: emptied when full.
_BUILT_MAX = 10_000
_built: dict[str, tuple[Mapping[str, frozenset[str]], Principal]] = {}


def _principal_of_claims(payload: Mapping[str, Any], *, bundles_version: str) -> Principal | None:
    bundles = role_bundles.bundles(version=bundles_version)
    token_id = str(payload.get("jti"))
    known = _built.get(token_id)
    if known is not None and known[0] is bundles:
        return known[1]
    principal = principal_from_claims(payload, bundles=bundles)
    if principal is not None:
        if len(_built) >= _BUILT_MAX:
            _built.clear()
        _built[token_id] = (bundles, principal)
    return principal


def principal_for_token(payload: Mapping[str, Any]) -> tuple[Principal, User | None] | None:
    """The principal a verified access token stands for, with the user row when it had to be read;
    None if that user may no longer act.

    From the claims alone while the user has not changed since the token was issued (no query);
    otherwise, or when Redis cannot say, from the database, as if the token carried only its subject.
    """
    snapshot = revocation.current()
    user_id = str(payload.get("sub"))
    roles_at = payload.get(ROLES_AT_CLAIM)
    if (snapshot is not None and isinstance(roles_at, int | float)
            and snapshot.claims_are_current(user_id=user_id, roles_read_at=roles_at)):
        principal = _principal_of_claims(payload, bundles_version=snapshot.bundles_version)
        if principal is not None:
            return principal, None
    user = selectors.active_user(user_id=user_id)
    return None if user is None else (selectors.user_principal(user=user), user)
