"""Routes of company, mounted at /api/v1/company/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from apps.company import views

router = SimpleRouter(trailing_slash=False, use_regex_path=False)
router.register("companies", views.CompanyViewSet, basename="company-companies")
router.register("layouts", views.LayoutViewSet, basename="company-layouts")
router.register("buses", views.BusViewSet, basename="company-buses")
router.register("stops", views.StopViewSet, basename="company-stops")
router.register("routes", views.RouteViewSet, basename="company-routes")
router.register("schedules", views.ScheduleViewSet, basename="company-schedules")
router.register("trips", views.TripViewSet, basename="company-trips")
router.register("assignments", views.AssignmentViewSet, basename="company-assignments")

urlpatterns = [
    *router.urls,
    path("<slug:slug>/gtfs.zip", views.gtfs_feed, name="company-gtfs"),
]
