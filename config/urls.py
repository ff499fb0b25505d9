from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.notification.eticket.urls import link_urlpatterns as ticket_link_urlpatterns
from transport.http import error_views, health

api_v1: list = [
    path("auth/", include("apps.auth.urls")),
    path("company/", include("apps.company.urls")),
    path("payments/", include("apps.payment.urls")),
    path("tracking/", include("apps.tracking.urls")),
    path("", include("apps.ticketing.urls")),
    path("", include("apps.notification.urls")),
    path("ai/", include("apps.ai.urls")),
]

# errors outside DRF views: problem+json under /api/, Django's pages elsewhere
handler400 = "transport.http.error_views.bad_request"
handler403 = "transport.http.error_views.permission_denied"
handler404 = "transport.http.error_views.page_not_found"
handler500 = "transport.http.error_views.server_error"

urlpatterns = [
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/", include((api_v1, "api"), namespace="v1")),
    path("t/", include(ticket_link_urlpatterns)),  # short links to e-tickets, sent by SMS
    re_path(r"^api/(?P<unmatched>.*)$", error_views.api_path_not_found),  # last: only what nothing else matched
]
