"""Routes of notification, mounted at /api/v1/."""

from django.urls import include, path

urlpatterns = [
    path("notifications/", include("apps.notification.sms.urls")),  # the SMS gateways' delivery reports
]
