"""The published events of ticketing: bare Signal() objects with JSON-safe payloads.

Ids are strings, amounts integer minor units with their ISO currency.
"""

from django.dispatch import Signal

# ticket_id, number, booking_id, trip_id, company_id, seat, from_stop_id, to_stop_id, passenger_name,
# passenger_phone, code (the signed QR text, for the e-ticket a notification sends)
ticket_confirmed = Signal()
# ticket_id, number, booking_id, trip_id, company_id, seat, refundable_minor, currency, reason
ticket_cancelled = Signal()
# booking_id, trip_id, company_id, amount_minor, currency, payment_ref, reason: a payment arrived for seats
# that went to someone else after the hold lapsed; the money goes back
booking_refund_required = Signal()
# ticket_id, number, booking_id, trip_id, company_id, old_seat, new_seat, passenger_name, passenger_phone: the
# trip's bus was swapped and the passenger's seat with it
ticket_seat_changed = Signal()
# ticket_id, trip_id, company_id, device_id, scanned_at (ISO 8601): the ticket's first boarding. An offline scan
# uploaded later that happened earlier moves the boarding's time and device, and is not announced again
ticket_boarded = Signal()
