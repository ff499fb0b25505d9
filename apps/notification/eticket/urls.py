"""Routes of e-tickets: the download under /api/v1/ (apps/notification/urls.py) and the short links at /t/."""

from django.urls import path, re_path

from apps.notification.eticket import views

api_urlpatterns = [
    path("tickets/<uuid:ticket_id>/ticket.pdf", views.TicketPdf.as_view(), name="notification-ticket-pdf"),
]

# every path under /t/ is the view's, so whatever follows (a slash, a NUL, a megabyte) is its 404 problem
link_urlpatterns = [
    re_path(r"^(?P<code>[\s\S]*)\Z", views.TicketLinkPdf.as_view(), name="notification-ticket-link"),
]
