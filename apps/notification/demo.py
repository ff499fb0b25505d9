"""Demo of notification for `make run`: where the messages the walkthrough's sales produce can be read. The SMS go
to the local Africa's Talking emulator (its inbox at /_emu/messages), the emails to files under EMAIL_FILE_PATH,
each with its e-ticket; the delivery log is in the admin. Runs after ticketing's walkthrough."""

from __future__ import annotations

from django.conf import settings

from transport.demo import DemoOutput, demo_seeder

WALKTHROUGH_PHONE = "+254700000001"  # the passenger's phone in ticketing's walkthrough


@demo_seeder(order=45)
def walkthrough(out: DemoOutput) -> None:
    lines = [
        "  # 4. what the sales told their passenger: the SMS (sent through the Africa's Talking emulator, with a",
        "  #    short link to the e-ticket), the email with the e-ticket attached, and the PDF for its holder",
        f"  curl \"{{env:AFRICASTALKING_BASE_URL}}/_emu/messages?to=%2B{WALKTHROUGH_PHONE[1:]}\"",
    ]
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        lines.append(f"  ls -t {settings.EMAIL_FILE_PATH} | head -3")
    lines += [
        "  curl -o ticket.pdf -H \"$POS\" $BASE/api/v1/tickets/TICKET_ID/ticket.pdf",
        "  #    every message, its status and what the gateway reported: {base}/admin/notification/delivery/",
    ]
    out.add_walkthrough(lines)
