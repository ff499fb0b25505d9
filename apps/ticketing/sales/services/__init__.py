"""The writes of a booking's life: hold, extend, confirm, cancel, reseat."""
