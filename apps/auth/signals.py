"""The published events of identity: bare Signal() objects with JSON-safe payloads.

The notification app delivers the two below. `token` is the single-use secret the person needs (only
its hash is stored here), so handlers must send it and never log it.
"""

from django.dispatch import Signal

# invitation_id, user_id, company_id, roles (list of role names), email, phone, full_name, token,
# expires_at (ISO 8601), invited_by (user id or None)
staff_invited = Signal()

# user_id, email, phone, full_name, token, expires_at (ISO 8601)
password_reset_requested = Signal()
