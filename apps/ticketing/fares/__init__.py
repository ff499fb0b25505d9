"""Fares, fare rules and promo codes: what a stretch costs for whom."""
