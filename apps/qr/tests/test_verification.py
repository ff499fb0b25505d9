"""Signing and verifying: the round trip, and each refusal with its reason, in the documented order."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from apps.qr import api, codec
from apps.qr.tests.forging import fields, forge, sign_raw
from transport.errors import ValidationFailed

pytestmark = pytest.mark.django_db

ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"


def _other_char(char: str) -> str:
    return ALPHABET[(ALPHABET.index(char) + 1) % len(ALPHABET)]


def _with_char(code: str, index: int, char: str) -> str:
    return code[:index] + char + code[index + 1 :]


def test_a_signed_code_verifies_and_carries_every_claim(claims):
    code = api.ticket_code_sign(**claims)

    verdict = api.ticket_code_verify(code=code)

    assert verdict == api.Verification(ok=True, reason="valid", claims=api.TicketClaims(version=1, key_id=1, **claims))
    assert code.isupper() and set(code) <= set(ALPHABET)
    assert len(code) <= codec.MAX_CODE_CHARS == 135


def test_the_longest_seat_label_still_makes_a_code_under_150_characters(claims):
    code = api.ticket_code_sign(**{**claims, "seat_label": "Ü" * 4})  # 8 bytes of utf-8

    assert len(code) == 135
    assert api.ticket_code_verify(code=code).claims.seat_label == "ÜÜÜÜ"


def test_valid_until_loses_its_fraction_of_a_second_and_comes_back_in_utc(claims):
    in_nairobi = datetime(2031, 5, 4, 9, 30, 15, 999_999, tzinfo=ZoneInfo("Africa/Nairobi"))
    code = api.ticket_code_sign(**{**claims, "valid_until": in_nairobi})

    claims_back = api.ticket_code_read(code=code)

    assert claims_back.valid_until == datetime(2031, 5, 4, 6, 30, 15, tzinfo=UTC)
    assert claims_back.valid_until.tzinfo is UTC


def test_a_changed_payload_byte_is_an_invalid_signature(code):
    raw = bytearray(codec.split(code).payload + codec.split(code).tag)
    raw[codec.split(code).payload.index(b"12A")] ^= 0x01  # seat 12A becomes 02A: still a well-formed code

    verdict = api.ticket_code_verify(code=codec.encode_text(bytes(raw)))

    assert verdict == api.Verification(ok=False, reason="invalid_signature", claims=None)


@pytest.mark.parametrize("index", [-26, -13, -2])
def test_a_changed_tag_character_is_an_invalid_signature(code, index):
    changed = _with_char(code, len(code) + index, _other_char(code[index]))

    verdict = api.ticket_code_verify(code=changed)

    assert verdict == api.Verification(ok=False, reason="invalid_signature", claims=None)


def test_a_changed_significant_bit_in_the_last_character_is_an_invalid_signature(code):
    # the last character carries 2 bits of the tag and 3 unused (zero) ones: 8 moves a tag bit
    last = ALPHABET[(ALPHABET.index(code[-1]) + 8) % 32]

    verdict = api.ticket_code_verify(code=code[:-1] + last)

    assert verdict.reason == "invalid_signature"


@pytest.mark.parametrize("byte_index", range(codec.TAG_BYTES))
def test_every_byte_of_the_tag_counts(code, byte_index):
    # a comparison that stopped early, or compared a prefix, would let one of these through
    parsed = codec.split(code)
    tag = bytearray(parsed.tag)
    tag[byte_index] ^= 0x01

    verdict = api.ticket_code_verify(code=codec.join(parsed.payload, bytes(tag)))

    assert verdict.reason == "invalid_signature"


def test_a_code_naming_a_key_this_deployment_does_not_hold_is_an_unknown_key():
    code = forge(key_id=77)

    assert api.ticket_code_verify(code=code) == api.Verification(ok=False, reason="unknown_key", claims=None)


def test_an_unknown_key_is_reported_before_a_bad_tag():
    parsed = codec.split(forge(key_id=77))

    verdict = api.ticket_code_verify(code=codec.join(parsed.payload, bytes(codec.TAG_BYTES)))

    assert verdict.reason == "unknown_key"


def test_an_expired_code_is_refused_but_keeps_its_claims(claims):
    valid_until = claims["valid_until"]
    code = api.ticket_code_sign(**claims)

    at_the_last_second = api.ticket_code_verify(code=code, now=valid_until)
    just_after = api.ticket_code_verify(code=code, now=valid_until + timedelta(microseconds=1))

    assert at_the_last_second.ok is True
    assert just_after == api.Verification(ok=False, reason="expired", claims=api.TicketClaims(version=1, key_id=1,
                                                                                                **claims))


def test_the_current_time_is_the_default_for_expiry():
    code = forge(valid_until=datetime.now(UTC).replace(microsecond=0) - timedelta(seconds=1))

    assert api.ticket_code_verify(code=code).reason == "expired"


def test_a_forged_expired_code_with_a_bad_tag_is_an_invalid_signature_not_expired():
    parsed = codec.split(forge(valid_until=datetime(2001, 1, 1, tzinfo=UTC)))

    verdict = api.ticket_code_verify(code=codec.join(parsed.payload, bytes(codec.TAG_BYTES)))

    assert verdict == api.Verification(ok=False, reason="invalid_signature", claims=None)


def test_a_code_signed_under_another_signing_secret_does_not_verify(settings, claims):
    code_under_a = api.ticket_code_sign(**claims)

    settings.QR_SIGNING_SECRET = "a different deployment"  # resets the ring (setting_changed)
    under_b = api.ticket_code_verify(code=code_under_a)
    code_under_b = api.ticket_code_sign(**claims)

    assert under_b == api.Verification(ok=False, reason="invalid_signature", claims=None)
    assert api.ticket_code_verify(code=code_under_b).ok is True
    assert code_under_b != code_under_a


def test_forged_codes_match_what_the_api_signs(claims):
    # the forging helper builds tags exactly as signing does: the refusals above are about their changes
    assert forge(**claims, key_id=1) == api.ticket_code_sign(**claims)


MALFORMED = {
    "empty": "",
    "none": None,
    "bytes": b"AAAA",
    "lowercase": "lower",
    "padding": "pad",
    "trailing character": "junk",
    "trailing space": "space",
    "trailing newline": "newline",
    "one character short": "short",
    "not base32": "digits",
    "unused bits set": "bits",
    "unknown version": "version",
    "stretch reversed": "stretch",
    "key id zero": "key_zero",
    "seat longer than 8 bytes": "seat_long",
    "seat not utf-8": "seat_utf8",
    "seat length beyond the code": "seat_length",
    "huge": "huge",
}


def _malformed(kind: str, code: str) -> object:
    payload = codec.split(code).payload
    head = codec._HEAD.size
    variants: dict[object, object] = {
        "lower": code.lower(),
        "pad": code + "=" * (-len(code) % 8 or 8),
        "junk": code + "A",
        "space": code + " ",
        "newline": code + "\n",
        "short": code[:-1],
        "digits": _with_char(code, 5, "1"),
        "bits": _with_char(code, len(code) - 1, _other_char(code[-1])),
        "version": forge(version=2),
        "stretch": forge(from_sequence=5, to_sequence=5),
        "key_zero": sign_raw(bytes([1, 0, 0]) + payload[3:], key_id=1),
        "seat_long": sign_raw(payload[: head - 1] + bytes([9]) + b"123456789" + payload[head + 3 :], key_id=1),
        "seat_utf8": sign_raw(payload[: head] + b"\xff\xfe\xfd" + payload[head + 3 :], key_id=1),
        "seat_length": sign_raw(payload[: head - 1] + bytes([5]) + payload[head:], key_id=1),
        "huge": "A" * 1_000_000,
    }
    return variants.get(MALFORMED[kind], MALFORMED[kind])


@pytest.mark.parametrize("kind", list(MALFORMED))
def test_anything_but_a_canonical_code_of_a_known_version_is_malformed(code, kind):
    text = _malformed(kind, code)

    verdict = api.ticket_code_verify(code=text)

    assert text != code
    assert verdict == api.Verification(ok=False, reason="malformed", claims=None)


def test_the_unused_bits_variant_decodes_to_the_same_bytes_which_is_why_it_is_refused(code):
    variant = _with_char(code, len(code) - 1, _other_char(code[-1]))

    def padded(text):
        return text + "=" * (-len(text) % 8)

    assert base64.b32decode(padded(variant)) == base64.b32decode(padded(code))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"seat_label": ""}, "seat_label"),
        ({"seat_label": "123456789"}, "seat_label"),
        ({"seat_label": "ÜÜÜÜÜ"}, "seat_label"),
        ({"from_sequence": 4, "to_sequence": 4}, "to_sequence"),
        ({"from_sequence": -1}, "to_sequence"),
        ({"to_sequence": 65536}, "to_sequence"),
        ({"valid_until": datetime(2030, 1, 1)}, "valid_until"),
    ],
)
def test_claims_that_do_not_fit_the_format_are_refused_when_signing(claims, change, field):
    with pytest.raises(ValidationFailed) as refused:
        api.ticket_code_sign(**{**claims, **change})

    assert refused.value.code == "invalid_ticket_claims"
    assert list(refused.value.fields) == [field]


def test_a_valid_until_beyond_2106_does_not_fit(claims):
    with pytest.raises(ValidationFailed) as refused:
        api.ticket_code_sign(**{**claims, "valid_until": datetime(2107, 1, 1, tzinfo=UTC)})

    assert refused.value.code == "invalid_ticket_claims"


def test_read_returns_the_claims_without_checking_the_tag_and_tag_returns_the_tag(code, claims):
    parsed = codec.split(code)
    forged_tag = codec.join(parsed.payload, bytes(codec.TAG_BYTES))

    assert api.ticket_code_read(code=forged_tag) == api.ticket_code_read(code=code) == api.TicketClaims(
        version=1, key_id=1, **claims
    )
    assert api.ticket_code_tag(code=code) == codec.encode_text(parsed.tag)
    assert len(api.ticket_code_tag(code=code)) == 26
    assert api.ticket_code_tag(code=forged_tag) == "A" * 26
    assert api.ticket_code_tag(code=forged_tag) != api.ticket_code_tag(code=code)


@pytest.mark.parametrize("function", [api.ticket_code_tag, api.ticket_code_read, api.ticket_code_png,
                                      api.ticket_code_svg])
def test_read_tag_and_images_refuse_a_malformed_code(code, function):
    with pytest.raises(ValidationFailed) as refused:
        function(code=code + "A")

    assert refused.value.code == "malformed_code"


def test_fields_helper_matches_the_documented_layout():
    packed = codec.pack(fields(seat_label="12A"))

    assert len(packed) == 60 + 3
    assert packed[0] == 1
    assert packed[51] == 3 and packed[52:55] == b"12A"
