"""Seat rows over a trip's stretches: the seat guard, availability, seat maps and trip search."""
