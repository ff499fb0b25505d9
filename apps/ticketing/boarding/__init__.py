"""Boarding at the door: online scans, offline scan sync, the trip manifest."""
