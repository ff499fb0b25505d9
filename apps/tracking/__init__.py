"""Tracking: GPS ingestion, live positions, websockets, trip history, GTFS-RT."""
