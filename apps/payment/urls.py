"""Routes of payment, mounted at /api/v1/payments/."""

from django.urls import path

from apps.payment import views

urlpatterns = [
    path("<uuid:payment_id>", views.PaymentDetail.as_view(), name="payment-detail"),
    path("<uuid:payment_id>/check", views.PaymentCheck.as_view(), name="payment-check"),
    path("callbacks/<str:purpose>/<uuid:target>/<str:secret>", views.provider_callback, name="payment-callback"),
]
