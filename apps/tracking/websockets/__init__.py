"""Tracking's websockets: a trip's bus for its passengers, the fleet for dispatchers, the driver's stream."""
