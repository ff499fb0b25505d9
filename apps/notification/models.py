"""Notification's tables: one delivery per (event, channel, recipient), written before anything is sent, with the
log of what became of it; and what each passenger asked for (language, no non-essential messages).

Rows of other apps (companies, users, tickets, bookings) are referred to by id columns only."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q


class Channel(models.TextChoices):
    SMS = "sms"
    EMAIL = "email"


class Delivery(models.Model):
    """One message to one recipient for one event. The unique key makes a redelivered event send nothing new;
    the row is written (status `queued`) before any gateway is asked."""

    class Status(models.TextChoices):
        QUEUED = "queued"  # written, not yet accepted by a gateway (first try, or waiting for a retry)
        SENT = "sent"  # the gateway took it
        DELIVERED = "delivered"  # the network reported it on the handset (SMS), or the mail server took it
        FAILED = "failed"  # permanently: invalid number, blacklisted, refused by the network; never retried
        DEAD = "dead"  # retries exhausted on errors that might have passed: a dead letter, replayable
        SKIPPED = "skipped"  # the recipient opted out of this kind of message, or no channel reaches them

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    event_id = models.UUIDField(help_text="The event this message tells of (a made-up one for a scheduled summary)")
    event_type = models.CharField(max_length=60)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    recipient = models.CharField(max_length=254, help_text="E.164 number or email address, normalised")
    company_id = models.UUIDField(null=True, blank=True, db_index=True)
    recipient_user_id = models.UUIDField(null=True, blank=True)
    ticket_id = models.UUIDField(null=True, blank=True, db_index=True)
    booking_id = models.UUIDField(null=True, blank=True, db_index=True)
    essential = models.BooleanField(default=False, help_text="Sent even to recipients who opted out")
    language = models.CharField(max_length=5, choices=settings.LANGUAGES)
    subject = models.CharField(max_length=200, blank=True)
    body = models.TextField(help_text="The text as sent (SMS) or the plain-text part (email)")
    html_body = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.CharField(max_length=300, blank=True)
    backend = models.CharField(max_length=40, blank=True, help_text="Which SMS gateway or email backend sent it")
    provider_message_id = models.CharField(max_length=120, blank=True, db_index=True)
    segments = models.PositiveSmallIntegerField(null=True, blank=True)
    encoding = models.CharField(max_length=5, blank=True)
    cost = models.CharField(max_length=40, blank=True, help_text="As the gateway reported it, e.g. 'KES 0.8000'")
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [
            models.UniqueConstraint(fields=["event_id", "channel", "recipient"], name="delivery_once_per_event"),
            models.CheckConstraint(condition=~Q(recipient=""), name="delivery_has_recipient"),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due_idx")]
        permissions = [("replay_delivery", "Send a dead or failed message again")]

    def __str__(self) -> str:
        return f"{self.event_type} {self.channel} to {self.recipient} ({self.status})"


class DeliveryLogEntry(models.Model):
    """What happened to a delivery, in order: each attempt, each delivery report, each replay."""

    class Kind(models.TextChoices):
        ATTEMPT = "attempt"
        REPORT = "report"
        REPLAY = "replay"

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="log")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    at = models.DateTimeField(auto_now_add=True)
    status = models.CharField(max_length=20, help_text="Ours after this entry, or the gateway's for a report")
    code = models.CharField(max_length=40, blank=True, help_text="The gateway's status or error code")
    detail = models.TextField(blank=True)

    class Meta:
        ordering = ["at", "id"]
        verbose_name_plural = "delivery log entries"

    def __str__(self) -> str:
        return f"{self.kind} {self.status} {self.code}".strip()


class ContactPreference(models.Model):
    """What a passenger asked for, by account or, for one with no account, by phone number or email: the
    language of their messages and whether they want the non-essential ones."""

    user_id = models.UUIDField(null=True, blank=True, unique=True)
    address = models.CharField(max_length=254, blank=True, help_text="E.164 number or email, for no account")
    language = models.CharField(max_length=5, choices=settings.LANGUAGES, blank=True)
    opted_out = models.BooleanField(default=False, help_text="No non-essential messages")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(user_id__isnull=False) ^ ~Q(address=""), name="preference_one_key"),
            models.UniqueConstraint(fields=["address"], condition=~Q(address=""), name="preference_address_once"),
        ]

    def __str__(self) -> str:
        return str(self.user_id or self.address)


# --- e-tickets (apps/notification/eticket) ---------------------------------------------------------------------

# a link's code: 31 symbols without look-alikes (no 0/o, 1/l/i), lower case as phones show links
TICKET_LINK_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"
TICKET_LINK_LENGTH = 12


class TicketLink(models.Model):
    """A short link to a ticket's e-ticket, for SMS: /t/<code> serves the ticket's PDF to whoever holds the link.

    The code is the only credential (a capability URL): random, and long enough that guessing one is hopeless
    (eticket/codes.py). One link per ticket, so a message sent again carries the same link."""

    code = models.CharField(max_length=TICKET_LINK_LENGTH, unique=True)
    ticket_id = models.UUIDField(unique=True, help_text="The ticket (ticketing) whose PDF the link serves")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=rf"^[{TICKET_LINK_ALPHABET}]{{{TICKET_LINK_LENGTH}}}$"),
                                   name="ticket_link_code_shape"),
        ]

    def __str__(self) -> str:
        return self.code


# ---- message templates: companies' overrides (apps/notification/templating) ----
from apps.notification.templating.models import TemplateOverride  # noqa: E402, F401  (registers the model)

# --- SMS gateways (apps/notification/sms/): a company's own account -----------------------------------------------
# Which gateway sends the company's messages, from which sender id, with which credentials (encrypted at rest,
# apps/notification/sms/credentials.py). A company without one, or with one disabled, sends through the platform's
# account (settings.SMS_*).


class SmsGateway(models.TextChoices):
    AFRICASTALKING = "africastalking", "Africa's Talking"
    TWILIO = "twilio", "Twilio"


class SmsAccount(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    company_id = models.UUIDField(unique=True)
    backend = models.CharField(max_length=20, choices=SmsGateway.choices)
    sender_id = models.CharField(
        max_length=40, blank=True,
        help_text="Africa's Talking: the approved alphanumeric sender id or shortcode (blank: AT's shared one). "
                  "Twilio: the From number in E.164, or a Messaging Service SID (MG...).")
    enabled = models.BooleanField(default=True, help_text="Off: the platform's account sends instead")
    credentials_encrypted = models.TextField(editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "SMS account"
        permissions = [("manage_sms_accounts", "Manage the company's SMS gateway account")]

    def __str__(self) -> str:
        return f"{self.get_backend_display()} {self.sender_id}".strip()


class ParkedReport(models.Model):
    """A delivery report that came before the send that caused it was recorded (the gateway answered, and its
    report overtook our commit). Kept, authenticated, until the delivery it names exists, then applied; dropped
    after NOTIFICATION_PARKED_REPORT_HOURS (a message of the account that was not ours)."""

    backend = models.CharField(max_length=20, choices=SmsGateway.choices)
    message_id = models.CharField(max_length=120)
    company_id = models.UUIDField(null=True, blank=True, help_text="The company whose report URL it came to")
    gateway_status = models.CharField(max_length=40)
    reason = models.CharField(max_length=200, blank=True)
    raw = models.JSONField(default=dict)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["backend", "message_id"], name="parked_report_message_idx")]

    def __str__(self) -> str:
        return f"{self.backend} {self.message_id} {self.gateway_status}"
