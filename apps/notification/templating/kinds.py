"""The kinds of message the platform sends: on which channels, whether a passenger who opted out still gets it,
the values its templates may use, and a sample of those values.

The samples are deliberately long (a 30-character name, 15-character stop names, the longest day and month
names the message languages have, a 40-character ticket link, an account link as long as the platform's): the
default SMS are tested to fit one GSM-7 segment with them, and the admin previews overrides with them. Every value
is a string the caller has already worded in the message's language, except where said."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

CHANNELS = (("sms", "SMS"), ("email", "Email"))
SMS_AND_EMAIL = ("sms", "email")
EMAIL_ONLY = ("email",)


@dataclass(frozen=True)
class MessageKind:
    name: str
    channels: tuple[str, ...]
    essential: bool  # sent even to passengers who opted out of the others
    variables: tuple[str, ...]
    sample: dict[str, object]
    description: str

    def sample_in(self, language: str) -> dict[str, object]:
        """The sample with its dates and times as they read in `language` (the rest reads the same in all)."""
        local = LOCAL_SAMPLES.get(language, {})
        return {name: local.get(name, value) for name, value in self.sample.items()}


_TICKET = {
    "passenger_name": "Wanjiku Njeri Achieng-Odhiambo",
    "ticket_number": "7K3M9QXZ",
    "seat": "14C",
    "from_stop": "Nairobi Central",
    "to_stop": "Kisumu Bus Park",
    "departure": "Sat 30 Aug 08:30",
    "company_name": "Modern Coast Express Ltd",
}
_LINK_CODE = "Xb3_kP9qL2vN8mR4tW7yZ1cF6hJ0sD5gA-eU3iO9pQ7"
_STAFF = {"full_name": "Amani Wairimu Kiprotich-Mwangi", "expires": "Wed 3 Sep 17:45"}

# what the caller's formatting (Django's locale data) makes of the sample's dates in each language: the longest
# it writes, and French August with its "û", which the SMS rendering turns into a plain "u"
LOCAL_SAMPLES: Mapping[str, Mapping[str, str]] = {
    "sw": {"departure": "Jtatu 30 Machi 08:30", "new_departure": "Jtatu 30 Machi 10:15",
           "expires": "Jtano 26 Machi 17:45", "day": "Jumatano 24 Septemba 2025"},
    "fr": {"departure": "sam 30 Aoû 08:30", "new_departure": "sam 30 Aoû 10:15", "expires": "mer 3 Sep 17:45",
           "day": "mercredi 24 septembre 2025"},
}


def _kind(name: str, channels: tuple[str, ...], essential: bool, sample: dict[str, object],
          description: str) -> MessageKind:
    return MessageKind(name=name, channels=channels, essential=essential, variables=tuple(sample), sample=sample,
                       description=description)


KINDS: Mapping[str, MessageKind] = MappingProxyType({kind.name: kind for kind in (
    _kind("ticket_confirmed", SMS_AND_EMAIL, True, {**_TICKET, "ticket_url": "https://tk.example.co.ke/t/7K3M9QXZ2B4DF"},
          "A ticket was issued: its number, seat, stretch, departure and a link to it."),
    _kind("payment_failed", SMS_AND_EMAIL, True, {
        "passenger_name": _TICKET["passenger_name"], "amount": "KES 12,400.00",
        "reason": "The M-Pesa balance was insufficient", "from_stop": _TICKET["from_stop"],
        "to_stop": _TICKET["to_stop"], "departure": _TICKET["departure"], "company_name": _TICKET["company_name"]},
          "A booking's payment failed while its seats are still held: the holder may pay again."),
    _kind("ticket_cancelled", SMS_AND_EMAIL, True, {**_TICKET, "refund": "KES 11,160.00"},
          "A ticket was cancelled; refund is the amount going back, empty when nothing is."),
    _kind("refund_completed", SMS_AND_EMAIL, True, {
        "passenger_name": _TICKET["passenger_name"], "amount": "KES 11,160.00",
        "ticket_number": _TICKET["ticket_number"], "company_name": _TICKET["company_name"]},
          "Money went back to the passenger; ticket_number is empty when it was for a whole booking."),
    _kind("seat_changed", SMS_AND_EMAIL, True, {
        "passenger_name": _TICKET["passenger_name"], "ticket_number": _TICKET["ticket_number"], "old_seat": "14C",
        "new_seat": "22A", "from_stop": _TICKET["from_stop"], "to_stop": _TICKET["to_stop"],
        "departure": _TICKET["departure"], "company_name": _TICKET["company_name"]},
          "The passenger's seat changed (another bus took the trip)."),
    _kind("trip_delayed", SMS_AND_EMAIL, False, {
        "passenger_name": _TICKET["passenger_name"], "ticket_number": _TICKET["ticket_number"],
        "from_stop": _TICKET["from_stop"], "to_stop": _TICKET["to_stop"], "departure": _TICKET["departure"],
        "new_departure": "Sat 30 Aug 10:15", "delay_minutes": "105", "company_name": _TICKET["company_name"]},
          "The trip leaves later than planned: the new departure at the passenger's stop."),
    _kind("trip_cancelled", SMS_AND_EMAIL, True, {
        "passenger_name": _TICKET["passenger_name"], "ticket_number": _TICKET["ticket_number"],
        "from_stop": _TICKET["from_stop"], "to_stop": _TICKET["to_stop"], "departure": _TICKET["departure"],
        "refund": "KES 12,400.00", "company_name": _TICKET["company_name"]},
          "The company cancelled the trip; refund is what goes back to the passenger, empty when nothing was paid."),
    _kind("staff_invited", SMS_AND_EMAIL, True, {
        "full_name": _STAFF["full_name"], "company_name": _TICKET["company_name"],
        "link": f"https://tiketi.co.ke/invitations/accept?token={_LINK_CODE}", "expires": _STAFF["expires"]},
          "Someone was invited to a company's staff: the link sets their password, until it expires."),
    _kind("password_reset", SMS_AND_EMAIL, True, {
        "full_name": _STAFF["full_name"], "link": f"https://tiketi.co.ke/password/reset?token={_LINK_CODE}",
        "expires": _STAFF["expires"]},
          "Someone asked to reset their password: the link sets a new one, until it expires."),
    _kind("daily_sales_summary", EMAIL_ONLY, False, {
        "company_name": _TICKET["company_name"], "day": "Wednesday 24 September 2025", "tickets_sold": "1284",
        "revenue": "KES 15,916,800.00",
        # rows: a list of {"channel": "online" | "counter" | "pos", "tickets", "revenue"}
        "rows": [{"channel": "online", "tickets": "812", "revenue": "KES 10,068,800.00"},
                 {"channel": "counter", "tickets": "301", "revenue": "KES 3,732,400.00"},
                 {"channel": "pos", "tickets": "171", "revenue": "KES 2,115,600.00"}],
        "dashboard_url": "https://tiketi.co.ke/admin/"},
          "Yesterday's sales by channel, each morning to the company's admins."),
)})


def item_fields(kind: MessageKind, variable: str) -> frozenset[str]:
    """The fields of the items of a list-of-dicts variable (rows), which a {% for %} over it may read."""
    value = kind.sample.get(variable)
    if not isinstance(value, list):
        return frozenset()
    return frozenset(key for item in value if isinstance(item, dict) for key in item)
