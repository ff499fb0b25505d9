"""Writes of identity, one module per subject: accounts, sessions (tokens), members, devices, role grants."""
