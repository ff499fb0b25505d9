"""The e-ticket PDF: one page per passenger, in the requested language, with the QR code of the ticket's signed
code that a camera reads back, the passenger's stretch and its local times, the price written exactly, and the
names of passengers whatever their alphabet. A cancelled ticket says so and shows no code."""

from __future__ import annotations

import logging

import pytest

from apps.company import api as company_api
from apps.notification.eticket import eticket_pdf
from apps.notification.eticket.fonts import missing_glyphs
from apps.notification.tests.eticket_reading import (
    cancel,
    confirmed_booking,
    images_on_page,
    page_fonts,
    pages_text,
    pages_words,
    qr_codes_on_page,
)
from apps.ticketing import api as ticketing_api
from tests.worlds.ticketing import SalesWorld, build_sales_world

UNICODE_NAMES = {
    "7A": "Zoë Ñjoroge-Ōtieno",
    "7B": "Ɗanjuma Ƙwarƙwasa",  # Hausa hooked letters
    "7C": "Αλέξανδρος Παπαδόπουλος",
    "7D": "Иван Петров",
}
LABELS = {
    "en": ["E-TICKET", "Ticket", "Passenger", "Seat", "Route", "Departs", "Arrives", "Price", "Issued",
           "Show this code to the crew when you board."],
    "sw": ["TIKETI YA KIELEKTRONIKI", "Tiketi", "Abiria", "Kiti", "Njia", "Kuondoka", "Kuwasili", "Bei",
           "Imetolewa"],
    "fr": ["BILLET ÉLECTRONIQUE", "Billet", "Passager", "Siège", "Ligne", "Départ", "Arrivée", "Prix", "Émis le"],
}


@pytest.fixture
def world(db) -> SalesWorld:
    sales = build_sales_world()
    sales.change_company(contact_phone="+254700123456", contact_email="safari@coach.example")
    return sales


def notices_of(world: SalesWorld, booking_id) -> list[ticketing_api.TicketNotice]:
    return ticketing_api.ticket_notices(principal=world.admin, booking_id=booking_id)


def test_each_passenger_gets_a_page_whose_qr_code_reads_back_as_the_tickets_code(world):
    notices = notices_of(world, confirmed_booking(world, UNICODE_NAMES))

    pdf = eticket_pdf(notices=notices, language="en")

    texts = pages_words(pdf)
    assert len(texts) == len(UNICODE_NAMES) == len(notices)
    for index, notice in enumerate(notices):
        assert f"Ticket {notice.number}" in texts[index]
        assert f"{notice.seat} · Standard" in texts[index]
        assert qr_codes_on_page(pdf, index) == [notice.code]
        assert images_on_page(pdf, index) == 1
    assert [notice.passenger_name for notice in notices] == list(UNICODE_NAMES.values())


def test_names_in_any_of_the_fonts_alphabets_are_drawn_with_the_embedded_font(world):
    notices = notices_of(world, confirmed_booking(world, UNICODE_NAMES))

    pdf = eticket_pdf(notices=notices, language="en")

    for index, name in enumerate(UNICODE_NAMES.values()):
        assert name in pages_words(pdf)[index]  # a long name wraps
        assert missing_glyphs(name) == ""  # drawn with real glyphs, not empty boxes
        assert page_fonts(pdf, index) == {"NotoSans-Regular": True}  # embedded: no reader substitutes another


def test_a_name_in_a_script_the_font_lacks_is_still_printed_and_the_operators_are_told(world, caplog):
    notices = notices_of(world, confirmed_booking(world, {"8A": "አበበ ቢቂላ"}))  # Amharic

    with caplog.at_level(logging.WARNING, logger="apps.notification.eticket.drawing"):
        pdf = eticket_pdf(notices=notices, language="en")

    assert len(pages_text(pdf)) == 1
    assert qr_codes_on_page(pdf, 0) == [notices[0].code]
    assert [record.getMessage() for record in caplog.records] == [
        f"E-ticket {notices[0].number}: the font has no glyphs for 'አበቢቂላ', drawn as empty boxes"]


@pytest.mark.parametrize(("language", "price"), [
    ("en", "KES 1,400.00"), ("sw", "KES 1,400.00"), ("fr", "1 400,00 KES")])  # fr: no-break spaces, read as spaces
def test_labels_and_the_price_are_written_in_the_requested_language(world, language, price):
    notices = notices_of(world, confirmed_booking(world, {"2A": "Amina Wanjiru"}))

    text = pages_words(eticket_pdf(notices=notices, language=language))[0]

    assert [label for label in LABELS[language] if label not in text] == []
    assert price in text
    assert "Amina Wanjiru" in text
    assert notices[0].number in text


def test_a_language_the_tickets_are_not_written_in_falls_back_to_english(world):
    notices = notices_of(world, confirmed_booking(world, {"2B": "Amina Wanjiru"}))

    text = pages_words(eticket_pdf(notices=notices, language="de"))[0]

    assert [label for label in LABELS["en"] if label not in text] == []


def test_the_stretch_shows_the_boarding_stops_departure_and_the_alighting_stops_arrival_on_their_clocks(world):
    # given the alighting stop moved to Rwanda's clocks (UTC+2, an hour behind Kenya's)
    admin = world.client("company_admin")
    moved = admin.patch(f"/api/v1/company/stops/{world.stops['Kisumu']}", {"timezone": "Africa/Kigali"},
                        format="json")
    assert moved.status_code == 200, moved.json()
    # and a passenger from Nakuru (150 minutes after the 08:00 departure from Nairobi) to Kisumu (14:00 EAT)
    notices = notices_of(world, confirmed_booking(world, {"3A": "Baraka Otieno"}, board="Nakuru"))

    text = pages_text(eticket_pdf(notices=notices, language="en"))[0]

    lines = text.splitlines()
    departs = lines.index("Departs")
    arrives = lines.index("Arrives")
    assert lines[departs + 1] == "Nakuru Stage"
    assert lines[departs + 2].endswith(", 10:30 EAT")
    assert lines[arrives + 1] == "Kisumu Stage"
    assert lines[arrives + 2].endswith(", 13:00 CAT")
    assert "Nairobi - Kisumu (NBI-KSM)" in lines
    assert "KES 700.00" in lines
    assert "08:00" not in text  # the trip's own departure is not the passenger's


def test_a_cancelled_ticket_is_marked_so_and_shows_no_qr_code(world):
    booking_id = confirmed_booking(world, {"4A": "Amina Wanjiru"})
    cancel(world, booking_id)
    notices = notices_of(world, booking_id)

    pdf = eticket_pdf(notices=notices, language="sw")

    text = pages_words(pdf)[0]
    assert notices[0].state == "cancelled"
    assert "IMEFUTWA" in text
    assert "Tiketi hii imefutwa: haitumiki kwa safari." in text
    assert images_on_page(pdf, 0) == 0
    assert qr_codes_on_page(pdf, 0) == []


def test_a_valid_ticket_is_not_marked_cancelled(world):
    notices = notices_of(world, confirmed_booking(world, {"4B": "Amina Wanjiru"}))

    text = pages_words(eticket_pdf(notices=notices, language="fr"))[0]

    assert "ANNULÉ" not in text
    assert "Présentez ce code à l’équipage à l’embarquement." in text


def test_the_company_is_named_with_its_contacts(world):
    notices = notices_of(world, confirmed_booking(world, {"5A": "Amina Wanjiru"}))

    lines = pages_text(eticket_pdf(notices=notices, language="en"))[0].splitlines()

    company = company_api.company_settings(company_id=world.company_id)
    assert lines[:2] == [company.name, "+254700123456 · safari@coach.example"]


def test_no_tickets_make_no_pdf():
    with pytest.raises(ValueError, match="at least one ticket"):
        eticket_pdf(notices=[], language="en")
