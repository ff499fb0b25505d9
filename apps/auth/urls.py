"""Routes of identity, mounted at /api/v1/auth/."""

from django.urls import path

from apps.auth import views

urlpatterns = [
    path("register", views.RegisterView.as_view(), name="auth-register"),
    path("token", views.TokenObtainView.as_view(), name="auth-token"),
    path("token/refresh", views.TokenRefreshView.as_view(), name="auth-token-refresh"),
    path("logout", views.LogoutView.as_view(), name="auth-logout"),
    path("password/reset", views.PasswordResetView.as_view(), name="auth-password-reset"),
    path("password/reset/confirm", views.PasswordResetConfirmView.as_view(), name="auth-password-reset-confirm"),
    path("invitations", views.InvitationsView.as_view(), name="auth-invitations"),
    path("invitations/accept", views.InvitationAcceptView.as_view(), name="auth-invitation-accept"),
    path("me", views.MeView.as_view(), name="auth-me"),
    path("ws-tickets", views.WebsocketTicketView.as_view(), name="auth-ws-tickets"),
    path("companies/<uuid:company_id>/members", views.MembersView.as_view(), name="auth-members"),
    path("companies/<uuid:company_id>/members/<uuid:user_id>", views.MemberView.as_view(), name="auth-member"),
    path("devices", views.DevicesView.as_view(), name="auth-devices"),
    path("devices/<uuid:device_id>/revoke", views.DeviceRevokeView.as_view(), name="auth-device-revoke"),
]
