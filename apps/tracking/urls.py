"""Routes of tracking, mounted at /api/v1/tracking/."""

from django.urls import path

from apps.tracking.history import views as history_views

urlpatterns = [
    path("trips/<uuid:trip_id>/track", history_views.TripTrack.as_view(), name="tracking-trip-track"),
]
