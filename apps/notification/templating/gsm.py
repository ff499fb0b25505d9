"""Characters an SMS can do without: each of these has a look-alike in the GSM 7-bit alphabet, and one of them
alone would send the whole message in UCS-2, at up to three times the price (70 characters a segment instead of
160). Typographic quotes and dashes come from word processors pasted into overrides; French accents outside the
alphabet (ê, â, î, ô, û, ç, œ) from names and from the caller's dates ("Aoû" is Django's French for August).
Letters of other scripts have no look-alike and stay as they are: the message is then UCS-2, as it must be."""

from __future__ import annotations

LOOKALIKES = {
    # quotes, dashes, dots and spaces
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-",
    "\u2026": "...", "\u2022": "-", "\u00b7": "-",
    "\u00a0": " ", "\u2007": " ", "\u2009": " ", "\u202f": " ", "\u200b": "", "\u2060": "", "\ufeff": "",
    # accented Latin letters outside the alphabet (é è à ù ì ò É Ç Ñ Ä Ö Ü Å Æ Ø ß and their small letters are in)
    "â": "a", "ê": "e", "î": "i", "ô": "o", "û": "u", "ë": "e", "ï": "i", "ÿ": "y", "ç": "c", "œ": "oe",
    "Â": "A", "Ê": "E", "Î": "I", "Ô": "O", "Û": "U", "Ë": "E", "Ï": "I", "Ÿ": "Y", "Œ": "OE",
    "À": "A", "È": "E", "Ì": "I", "Ò": "O", "Ù": "U",
    "á": "a", "í": "i", "ó": "o", "ú": "u", "ã": "a", "õ": "o", "Á": "A", "Í": "I", "Ó": "O", "Ú": "U",
    "Ã": "A", "Õ": "O",
}
_TABLE = str.maketrans(LOOKALIKES)


def gsm_lookalikes(text: str) -> str:
    """`text` with every character that has a GSM-7 look-alike replaced by it."""
    return text.translate(_TABLE)
