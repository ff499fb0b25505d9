"""Routes of ticketing, mounted at /api/v1/."""

from django.urls import path

from apps.ticketing.boarding import views as boarding_views
from apps.ticketing.inventory import views as inventory_views
from apps.ticketing.pos import views as pos_views
from apps.ticketing.reports import views as report_views
from apps.ticketing.sales import views
from apps.ticketing.tickets import views as ticket_views

urlpatterns = [
    path("sales", report_views.SalesReport.as_view(), name="ticketing-sales"),
    path("trips", inventory_views.TripSearch.as_view(), name="ticketing-trip-search"),
    path("trips/<uuid:trip_id>/seats", inventory_views.SeatMapView.as_view(), name="ticketing-seat-map"),
    path("quotes", views.QuoteView.as_view(), name="ticketing-quotes"),
    path("bookings", views.BookingList.as_view(), name="ticketing-bookings"),
    path("bookings/<uuid:booking_id>", views.BookingDetail.as_view(), name="ticketing-booking"),
    path("bookings/<uuid:booking_id>/cancel", views.BookingCancel.as_view(), name="ticketing-booking-cancel"),
    path("bookings/<uuid:booking_id>/extend", views.BookingExtend.as_view(), name="ticketing-booking-extend"),
    path("bookings/<uuid:booking_id>/confirm", views.BookingConfirm.as_view(), name="ticketing-booking-confirm"),
    path("bookings/<uuid:booking_id>/payments", views.BookingPayments.as_view(), name="ticketing-booking-payments"),
    path("tickets/<uuid:ticket_id>", ticket_views.TicketDetail.as_view(), name="ticketing-ticket"),
    path("tickets/<uuid:ticket_id>/qr.png", ticket_views.TicketQrPng.as_view(), name="ticketing-ticket-qr-png"),
    path("tickets/<uuid:ticket_id>/qr.svg", ticket_views.TicketQrSvg.as_view(), name="ticketing-ticket-qr-svg"),
    path("trips/<uuid:trip_id>/manifest", boarding_views.TripManifest.as_view(), name="ticketing-trip-manifest"),
    path("boarding/scan", boarding_views.ScanTicket.as_view(), name="ticketing-boarding-scan"),
    path("boarding/sync", boarding_views.SyncScans.as_view(), name="ticketing-boarding-sync"),
    path("trips/<uuid:trip_id>/allotments", pos_views.TripAllotments.as_view(), name="ticketing-trip-allotments"),
    path("allotments/<uuid:allotment_id>/release", pos_views.AllotmentRelease.as_view(),
         name="ticketing-allotment-release"),
    path("pos/allotments", pos_views.DeviceAllotments.as_view(), name="ticketing-pos-allotments"),
    path("pos/sales", pos_views.PosSales.as_view(), name="ticketing-pos-sales"),
    path("pos/sync", pos_views.PosSync.as_view(), name="ticketing-pos-sync"),
]
