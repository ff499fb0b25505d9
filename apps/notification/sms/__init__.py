"""SMS: what a message costs in segments, the gateways' clients behind one registry, their delivery reports."""
