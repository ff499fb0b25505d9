"""Every valid ticket issued before ticket codes existed gets its signed code.

The code is what a ticket issued now gets (confirmation signs it): the ticket, its trip, seat and stretch,
good until the trip reaches the alighting stop plus TICKETING_CODE_GRACE_HOURS. A ticket whose trip is gone
is still given a code, good until its issue time plus the grace: it has nothing to board anyway.
Signing goes through qr.api, so this depends on the qr migration that creates the first signing key.
Tickets are read and written in batches; running it again signs only tickets still without a code.
"""

from datetime import timedelta

from django.conf import settings
from django.db import migrations

BATCH = 500


def sign_codes(apps, schema_editor):
    from apps.qr import api as qr_api

    ticket_model = apps.get_model("ticketing", "Ticket")
    trip_stop_model = apps.get_model("company", "TripStop")
    grace = timedelta(hours=settings.TICKETING_CODE_GRACE_HOURS)
    unsigned = ticket_model.objects.filter(state="valid", code="").select_related("booking").order_by("pk")
    while True:
        tickets = list(unsigned[:BATCH])
        if not tickets:
            return
        arrivals = {(trip_id, sequence): arrive_at for trip_id, sequence, arrive_at in trip_stop_model.objects.filter(
            trip_id__in={t.trip_id for t in tickets}).values_list("trip_id", "sequence", "arrive_at")}
        for ticket in tickets:
            booking = ticket.booking
            arrival = arrivals.get((ticket.trip_id, booking.to_sequence), ticket.issued_at)
            ticket.code = qr_api.ticket_code_sign(
                company_id=ticket.company_id, ticket_id=ticket.id, trip_id=ticket.trip_id,
                seat_label=ticket.seat_label, from_sequence=booking.from_sequence, to_sequence=booking.to_sequence,
                valid_until=arrival + grace)
        ticket_model.objects.bulk_update(tickets, ["code"])


class Migration(migrations.Migration):
    dependencies = [
        ("ticketing", "0002_pos_allotments_boarding"),
        ("company", "0001_initial"),
        ("qr", "0002_first_signing_key"),
    ]

    operations = [migrations.RunPython(sign_codes, migrations.RunPython.noop, elidable=True)]
