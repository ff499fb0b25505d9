"""Sessions: sign in for a token pair, rotate the refresh token, sign out.

A refresh token is used once: refreshing blacklists it and hands out a new one. Presenting a used
one again means it leaked (or the client misbehaved), so every refresh token of that user is revoked.
"""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import update_last_login
from django.db import transaction
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken, OutstandingToken

from apps.auth import audit, ratelimit
from apps.auth.jwt.tokens import AccessToken, RefreshToken, signing_backend
from apps.auth.models import User
from apps.auth.services.accounts import revoke_refresh_tokens, user_by_identifier
from transport.errors import NotAuthenticated

INVALID_LOGIN = "The sign-in name or password is not right."
INVALID_REFRESH = "The refresh token is not valid."


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str
    user_id: UUID


def _pair_for(user: User) -> TokenPair:
    refresh = RefreshToken.for_user(user)
    return TokenPair(access=str(refresh.access_token), refresh=str(refresh), user_id=user.pk)


def login(*, identifier: str, password: str, client_address: str | None = None) -> TokenPair:
    ratelimit.hit("login", accounts=[identifier], client_address=client_address)
    user = user_by_identifier(identifier)
    if user is None:
        make_password(password)  # spend the same time as a real check, so timing does not reveal accounts
    if user is None or not user.check_password(password) or not user.is_active:
        audit.record(audit.Kind.LOGIN_FAILED, subject_user_id=user.pk if user else None,
                     client_address=client_address, identifier=identifier[:100])
        raise NotAuthenticated(INVALID_LOGIN, code="invalid_credentials")
    with transaction.atomic():
        update_last_login(User, user)
        pair = _pair_for(user)
        audit.record(audit.Kind.LOGIN_SUCCEEDED, actor_id=user.pk, subject_user_id=user.pk,
                     client_address=client_address)
    return pair


def _used_refresh_owner(raw: str) -> UUID | None:
    """If `raw` is a genuine refresh token that was already used, whose it is; else None."""
    try:
        payload = signing_backend().decode(raw)  # signature, aud, iss and exp checked
    except Exception:  # any fault in the token means it is simply not valid
        return None
    token = OutstandingToken.objects.filter(jti=payload.get("jti"), blacklistedtoken__isnull=False).first()
    return token.user_id if token else None


def token_refresh(*, refresh: str, client_address: str | None = None) -> TokenPair:
    ratelimit.hit("refresh", client_address=client_address)
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]  # simplejwt annotates str as Token
    except TokenError as exc:
        reused_by = _used_refresh_owner(refresh)
        if reused_by is not None:
            _revoke_after_reuse(user_id=reused_by, client_address=client_address)
        raise NotAuthenticated(INVALID_REFRESH, code="token_not_valid") from exc
    ratelimit.hit("refresh", accounts=[str(token.get("sub"))])
    with transaction.atomic():
        outstanding = OutstandingToken.objects.select_for_update().filter(jti=token["jti"]).first()
        already_used = outstanding is None or BlacklistedToken.objects.filter(token=outstanding).exists()
        user = User.objects.filter(pk=token.get("sub"), is_active=True).first()
        if outstanding is not None and not already_used and user is not None:
            BlacklistedToken.objects.create(token=outstanding)
            return _pair_for(user)
    # a concurrent refresh of the same token won the lock (a token whose user is gone has nothing left to revoke)
    if already_used and outstanding is not None and outstanding.user_id is not None:
        _revoke_after_reuse(user_id=outstanding.user_id, client_address=client_address)
    raise NotAuthenticated(INVALID_REFRESH, code="token_not_valid")


@transaction.atomic
def _revoke_after_reuse(*, user_id: UUID, client_address: str | None) -> None:
    revoked = revoke_refresh_tokens(user_id=user_id)
    audit.record(audit.Kind.REFRESH_REUSED, subject_user_id=user_id, client_address=client_address,
                 refresh_tokens_revoked=revoked)


def logout(*, refresh: str, user_id: UUID) -> None:
    """Blacklist the caller's own refresh token; a token of someone else is simply not valid."""
    try:
        token = RefreshToken(refresh)  # type: ignore[arg-type]  # simplejwt annotates str as Token
    except TokenError as exc:
        raise NotAuthenticated(INVALID_REFRESH, code="token_not_valid") from exc
    if str(token.get("sub")) != str(user_id):
        raise NotAuthenticated(INVALID_REFRESH, code="token_not_valid")
    token.blacklist()


def access_token_for(user: User) -> str:
    """A fresh access token alone (tests, tools and the demo use it)."""
    return str(AccessToken.for_user(user))
