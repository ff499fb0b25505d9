"""Bookings from hold to confirmation or cancellation, and reseating when a bus is swapped."""
