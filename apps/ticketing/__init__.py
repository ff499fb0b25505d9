"""Ticketing: seat inventory, holds, bookings, fares, tickets, POS sync, boarding manifests."""
