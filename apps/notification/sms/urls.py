"""Routes of the SMS gateways' delivery reports, mounted at /api/v1/notifications/ (apps/notification/urls.py)."""

from django.urls import path

from apps.notification.sms import views

urlpatterns = [
    path("reports/africastalking/<str:secret>", views.AfricasTalkingReport.as_view(),
         name="notification-report-africastalking"),
    path("reports/africastalking/<uuid:company_id>/<str:secret>", views.AfricasTalkingCompanyReport.as_view(),
         name="notification-report-africastalking-company"),
    path("reports/twilio", views.TwilioReport.as_view(), name="notification-report-twilio"),
]
