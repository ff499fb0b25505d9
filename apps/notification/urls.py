"""Routes of notification, mounted at /api/v1/notifications/."""

from django.urls import include, path

urlpatterns = [
    path("", include("apps.notification.sms.urls")),  # the SMS gateways' delivery reports
]
