"""Routes of notification, mounted at /api/v1/."""

from apps.notification.eticket.urls import api_urlpatterns as eticket_urlpatterns

urlpatterns = [
    *eticket_urlpatterns,
]
