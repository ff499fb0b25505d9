"""E-tickets: the PDF of a booking's tickets (attached to the confirmation email, downloaded by its holder) and
the short links an SMS carries to it. The lead's senders call `eticket_pdf` and `ticket_link`."""

from apps.notification.eticket.pdf import eticket_pdf as eticket_pdf
from apps.notification.eticket.services import ticket_link as ticket_link
