"""Routes of tracking, mounted at /api/v1/tracking/."""

from django.urls import path

from apps.tracking import views
from apps.tracking.dispatch import views as dispatch_views
from apps.tracking.gtfs_realtime import views as gtfs_realtime_views
from apps.tracking.history import views as history_views

urlpatterns = [
    path("osmand", views.OsmAndReport.as_view(), name="tracking-osmand"),
    path("positions", views.DriverPositions.as_view(), name="tracking-positions"),
    path("trackers", views.TrackerList.as_view(), name="tracking-trackers"),
    path("nearby", views.FleetNearby.as_view(), name="tracking-nearby"),
    path("trips/<uuid:trip_id>/live", views.TripLive.as_view(), name="tracking-trip-live"),
    path("trips/<uuid:trip_id>/eta", views.TripEta.as_view(), name="tracking-trip-eta"),
    path("trips/<uuid:trip_id>/track", history_views.TripTrack.as_view(), name="tracking-trip-track"),
    path("dispatch-messages", dispatch_views.DispatchMessageList.as_view(), name="tracking-dispatch-messages"),
    path("dispatch-messages/<uuid:message_id>/ack", dispatch_views.DispatchMessageAck.as_view(),
         name="tracking-dispatch-message-ack"),
    path("gtfs-rt/<slug:slug>/vehicle-positions", gtfs_realtime_views.VehiclePositionsFeed.as_view(),
         name="tracking-gtfs-rt-vehicle-positions"),
    path("gtfs-rt/<slug:slug>/trip-updates", gtfs_realtime_views.TripUpdatesFeed.as_view(),
         name="tracking-gtfs-rt-trip-updates"),
    path("gtfs-rt/<slug:slug>/alerts", gtfs_realtime_views.AlertsFeed.as_view(), name="tracking-gtfs-rt-alerts"),
]
