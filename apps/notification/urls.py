"""Routes of notification, mounted at /api/v1/."""

from django.urls import include, path

from apps.notification import views
from apps.notification.eticket.urls import api_urlpatterns as eticket_urlpatterns

urlpatterns = [
    *eticket_urlpatterns,
    path("notifications/preferences", views.MyPreferences.as_view(), name="notification-preferences"),
    path("notifications/", include("apps.notification.sms.urls")),  # the SMS gateways' delivery reports
]
