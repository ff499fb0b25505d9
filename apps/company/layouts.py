"""Seat layouts as data: checking a submitted plan, and building the standard plans (pure functions).

A seat is {"label", "deck", "row", "col", "seat_class", "sellable"}; decks, rows and columns count from 1;
`aisle_columns` are the gap between seat blocks: no seat there, except on the last row (the back bench).
"""

from __future__ import annotations

import re
from typing import Any

from transport.errors import ValidationFailed

MAX_DECKS, MAX_ROWS, MAX_COLUMNS, MAX_SEATS = 2, 30, 8, 120
_LABEL = re.compile(r"^[A-Za-z0-9-]{1,8}$")
_SEAT_CLASS = re.compile(r"^[a-z][a-z0-9_]{0,19}$")


def validate_layout(*, decks: int, rows: int, columns: int, aisle_columns: list[int], seats: list[dict]) -> list[dict]:
    """The seats normalised (booleans and ints), or ValidationFailed with every problem found."""
    problems: list[str] = []
    if not (1 <= decks <= MAX_DECKS and 1 <= rows <= MAX_ROWS and 1 <= columns <= MAX_COLUMNS):
        problems.append(f"Decks 1-{MAX_DECKS}, rows 1-{MAX_ROWS} and columns 1-{MAX_COLUMNS} are allowed.")
    if any(not 1 <= c <= columns for c in aisle_columns):
        problems.append("Aisle columns must lie within the columns.")
    if not seats or len(seats) > MAX_SEATS:
        problems.append(f"A layout has 1 to {MAX_SEATS} seats.")
    normalised, labels, places = [], set(), set()
    for index, seat in enumerate(seats):
        clean, seat_problems = _seat(seat, decks=decks, rows=rows, columns=columns, aisle=set(aisle_columns))
        problems.extend(f"Seat {index + 1}: {p}" for p in seat_problems)
        if clean is None:
            continue
        if clean["label"] in labels:
            problems.append(f"Seat {index + 1}: label {clean['label']} is used twice.")
        place = (clean["deck"], clean["row"], clean["col"])
        if place in places:
            problems.append(f"Seat {index + 1}: two seats at deck {place[0]} row {place[1]} column {place[2]}.")
        labels.add(clean["label"])
        places.add(place)
        normalised.append(clean)
    if not any(s["sellable"] for s in normalised) and not problems:
        problems.append("A layout needs at least one sellable seat.")
    if problems:
        raise ValidationFailed("The seat layout is not valid.", fields={"seats": problems})
    return normalised


def _seat(seat: Any, *, decks: int, rows: int, columns: int, aisle: set[int]) -> tuple[dict | None, list[str]]:
    if not isinstance(seat, dict):
        return None, ["must be an object."]
    try:
        clean: dict[str, Any] = {
            "label": str(seat["label"]),
            "deck": int(seat.get("deck", 1)),
            "row": int(seat["row"]),
            "col": int(seat["col"]),
            "seat_class": str(seat.get("seat_class", "standard")),
            "sellable": bool(seat.get("sellable", True)),
        }
    except (KeyError, TypeError, ValueError):
        return None, ["needs label, row and col (deck, seat_class and sellable are optional)."]
    problems = []
    if not _LABEL.match(clean["label"]):
        problems.append("label must be 1-8 letters, digits or dashes.")
    if not _SEAT_CLASS.match(clean["seat_class"]):
        problems.append("seat_class must be a lowercase word, e.g. standard or vip.")
    if not (1 <= clean["deck"] <= decks and 1 <= clean["row"] <= rows and 1 <= clean["col"] <= columns):
        problems.append("lies outside the decks, rows and columns.")
    elif clean["col"] in aisle and clean["row"] != rows:
        problems.append("sits in an aisle column.")
    return clean, problems


def grid_layout(*, rows: int, left: int, right: int, seat_class: str, back_row: int = 0,
                unsold: tuple[str, ...] = ()) -> dict:
    """A single-deck coach: `left` + aisle + `right` seats per row, and an optional full back row.

    Labels are row number + letter (1A, 1B, ...); `unsold` labels are crew or broken seats.
    """
    columns = left + 1 + right
    aisle = left + 1
    seats = []
    for row in range(1, rows + 1):
        seat_columns = [c for c in range(1, columns + 1) if c != aisle]
        for letter_index, col in enumerate(seat_columns):
            label = f"{row}{chr(ord('A') + letter_index)}"
            seats.append({"label": label, "deck": 1, "row": row, "col": col, "seat_class": seat_class,
                          "sellable": label not in unsold})
    if back_row:
        row = rows + 1
        for col in range(1, back_row + 1):
            label = f"{row}{chr(ord('A') + col - 1)}"
            seats.append({"label": label, "deck": 1, "row": row, "col": col, "seat_class": seat_class,
                          "sellable": label not in unsold})
    return {"decks": 1, "rows": rows + (1 if back_row else 0), "columns": max(columns, back_row),
            "aisle_columns": [aisle], "seats": seats}
