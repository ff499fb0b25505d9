"""Dispatch messages: from a dispatcher to a driver, over the driver's websocket, until acknowledged."""
