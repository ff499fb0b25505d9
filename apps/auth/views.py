"""HTTP endpoints of identity under /api/v1/auth/: thin adapters from requests to services and selectors."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.auth import ratelimit, selectors
from apps.auth import serializers as s
from apps.auth.jwt import websocket_tickets
from apps.auth.models import User
from apps.auth.services import account_tokens, accounts, devices, members, sessions
from transport.errors import NotAuthenticated, PermissionDenied
from transport.http.pagination import PAGE_PARAMETERS, CappedPageNumberPagination, page_of
from transport.http.principal import principal_of
from transport.http.serializers import validated
from transport.principal import PrincipalKind


def client_address(request: Request) -> str | None:
    """The client's address: behind the gateway, TrustedProxyMiddleware has put the real one here."""
    return request.META.get("REMOTE_ADDR") or None


class RegisterView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.RegisterIn, responses={201: s.UserOut}, summary="Register as a passenger")
    def post(self, request: Request) -> Response:
        data = validated(s.RegisterIn, request.data)
        address = client_address(request)
        ratelimit.hit("register", accounts=[data.get("email"), data.get("phone")], client_address=address)
        user = accounts.user_register(
            email=data.get("email") or None, phone=data.get("phone") or None, password=data["password"],
            full_name=data.get("full_name", ""), client_address=address,
        )
        return Response(s.UserOut(user).data, status=status.HTTP_201_CREATED)


class TokenObtainView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.TokenObtainIn, responses={200: s.TokenPairOut}, summary="Sign in for a token pair")
    def post(self, request: Request) -> Response:
        data = validated(s.TokenObtainIn, request.data)
        pair = sessions.login(identifier=data["identifier"], password=data["password"],
                              client_address=client_address(request))
        return Response(s.TokenPairOut(pair).data)


class TokenRefreshView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.RefreshIn, responses={200: s.TokenPairOut},
                   summary="Trade a refresh token for a new pair (the old refresh token is spent)")
    def post(self, request: Request) -> Response:
        data = validated(s.RefreshIn, request.data)
        pair = sessions.token_refresh(refresh=data["refresh"], client_address=client_address(request))
        return Response(s.TokenPairOut(pair).data)


class LogoutView(APIView):
    @extend_schema(request=s.RefreshIn, responses={204: None}, summary="Sign out: spend the refresh token")
    def post(self, request: Request) -> Response:
        data = validated(s.RefreshIn, request.data)
        if principal_of(request).kind is not PrincipalKind.USER:
            raise PermissionDenied("A device has no session to end; revoke it instead.")
        sessions.logout(refresh=data["refresh"], user_id=_signed_in(request).pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeView(APIView):
    @extend_schema(responses={200: s.MeOut}, summary="Who am I: account, companies and roles")
    def get(self, request: Request) -> Response:
        principal = principal_of(request)
        user = _signed_in(request)
        body = {
            **s.UserOut(user).data,
            "kind": str(principal.kind),
            "device_id": principal.device_id,
            "global_roles": selectors.user_global_roles(user_id=user.pk),
            "memberships": [{"company_id": company, "roles": roles}
                            for company, roles in selectors.user_memberships(user_id=user.pk)],
        }
        return Response(s.MeOut(body).data)


class WebsocketTicketView(APIView):
    """A single-use ticket for opening a websocket without putting a token in its URL."""

    @extend_schema(request=None, responses={201: s.WebsocketTicketOut}, summary="Get a websocket ticket")
    def post(self, request: Request) -> Response:
        issued = websocket_tickets.ws_ticket_issue(principal=principal_of(request))
        return Response(s.WebsocketTicketOut(issued).data, status=status.HTTP_201_CREATED)


def _signed_in(request: Request) -> User:
    """The user acting (for a device: its agent or driver), behind IsAuthenticated."""
    user = request.user
    if not isinstance(user, User):
        raise NotAuthenticated()
    return user


def _paginated(request: Request, view: APIView, queryset, render) -> Response:
    paginator = CappedPageNumberPagination()
    page: list[Any] | None = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(render(page))


def _member_out(membership) -> dict:
    user = membership.user
    return {"user_id": user.pk, "full_name": user.full_name, "email": user.email, "phone": user.phone,
            "roles": sorted(role.name for role in membership.roles.all())}


class MembersView(APIView):
    @extend_schema(
        parameters=[OpenApiParameter("role", str, required=False, description="Only members holding this role."),
                    *PAGE_PARAMETERS],
        responses={200: page_of(s.MemberOut)}, summary="List a company's members",
    )
    def get(self, request: Request, company_id: UUID) -> Response:
        memberships = selectors.company_members(principal=principal_of(request), company_id=company_id,
                                                role=request.query_params.get("role") or None)
        return _paginated(request, self, memberships, lambda page: [_member_out(m) for m in page])


class MemberView(APIView):
    @extend_schema(request=s.MemberRolesIn, responses={200: s.MemberOut}, summary="Set a member's roles")
    def put(self, request: Request, company_id: UUID, user_id: UUID) -> Response:
        data = validated(s.MemberRolesIn, request.data)
        membership = members.member_roles_set(principal=principal_of(request), company_id=company_id, user_id=user_id,
                                              roles=data["roles"])
        return Response(_member_out(membership))

    @extend_schema(responses={204: None}, summary="Remove a member from the company (and revoke their devices)")
    def delete(self, request: Request, company_id: UUID, user_id: UUID) -> Response:
        members.member_remove(principal=principal_of(request), company_id=company_id, user_id=user_id)
        return Response(status=status.HTTP_204_NO_CONTENT)


class DevicesView(APIView):
    @extend_schema(parameters=[s.CompanyQuery, *PAGE_PARAMETERS], responses={200: page_of(s.DeviceOut)},
                   summary="List a company's devices")
    def get(self, request: Request) -> Response:
        query = validated(s.CompanyQuery, request.query_params)
        found = selectors.company_devices(principal=principal_of(request), company_id=query["company_id"])
        return _paginated(request, self, found, lambda page: s.DeviceOut(page, many=True).data)

    @extend_schema(request=s.DeviceRegisterIn, responses={201: s.DeviceRegisteredOut},
                   summary="Register a POS terminal or driver phone; its credential is shown once")
    def post(self, request: Request) -> Response:
        data = validated(s.DeviceRegisterIn, request.data)
        registered = devices.device_register(principal=principal_of(request), **data)
        body = {**s.DeviceOut(registered.device).data, "credential": registered.credential}
        return Response(body, status=status.HTTP_201_CREATED)


class DeviceRevokeView(APIView):
    @extend_schema(request=None, responses={200: s.DeviceOut}, summary="Revoke a device at once")
    def post(self, request: Request, device_id: UUID) -> Response:
        device = devices.device_revoke(principal=principal_of(request), device_id=device_id)
        return Response(s.DeviceOut(device).data)


class InvitationsView(APIView):
    @extend_schema(request=s.InvitationIn, responses={201: s.InvitationOut},
                   summary="Invite staff by email or phone; the link goes to them, not to the caller")
    def post(self, request: Request) -> Response:
        data = validated(s.InvitationIn, request.data)
        invitation = account_tokens.invitation_create(
            principal=principal_of(request), company_id=data["company_id"], roles=data["roles"],
            email=data.get("email") or None, phone=data.get("phone") or None, full_name=data.get("full_name", ""),
        )
        return Response(s.InvitationOut(invitation).data, status=status.HTTP_201_CREATED)


class InvitationAcceptView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.InvitationAcceptIn, responses={200: s.UserOut},
                   summary="Accept an invitation: set a password and join the company")
    def post(self, request: Request) -> Response:
        data = validated(s.InvitationAcceptIn, request.data)
        ratelimit.hit("password_reset", client_address=client_address(request))  # token guessing is the risk
        user = account_tokens.invitation_accept(token=data["token"], password=data["password"],
                                                full_name=data.get("full_name", ""))
        return Response(s.UserOut(user).data)


class PasswordResetView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.PasswordResetIn, responses={202: None},
                   summary="Ask for a password reset link (the answer is the same whether the account exists)")
    def post(self, request: Request) -> Response:
        data = validated(s.PasswordResetIn, request.data)
        account_tokens.password_reset_request(identifier=data["identifier"], client_address=client_address(request))
        return Response(status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(request=s.PasswordResetConfirmIn, responses={204: None},
                   summary="Set a new password with a reset token; every session of the account ends")
    def post(self, request: Request) -> Response:
        data = validated(s.PasswordResetConfirmIn, request.data)
        ratelimit.hit("password_reset", client_address=client_address(request))
        account_tokens.password_reset_confirm(token=data["token"], password=data["password"])
        return Response(status=status.HTTP_204_NO_CONTENT)
