"""Events published by the probe app (test-only)."""

from django.dispatch import Signal

probe_happened = Signal()  # name, hang_file (optional), hang_seconds (optional)
probe_flaky = Signal()  # name: fails until an Effect named "allow:<name>" exists
probe_unheard = Signal()  # nobody subscribes
