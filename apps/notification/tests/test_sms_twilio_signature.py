"""Twilio's request signature as the platform verifies it, against Twilio's own published test vectors
(twilio-python's request validator tests: auth token "12345")."""

from __future__ import annotations

from apps.notification.sms.twilio_signature import twilio_signature, twilio_signature_ok, url_variants

TOKEN = "12345"
URL = "https://mycompany.com/myapp.php?foo=1&bar=2"
PARAMS = {"CallSid": ["CA1234567890ABCDE"], "Caller": ["+14158675309"], "Digits": ["1234"],
          "From": ["+14158675309"], "To": ["+18005551212"]}
EXPECTED = "RSOYDt4T1cUTdK1PDd93/VVr8B8="


def test_the_signature_is_twilios_for_its_example():
    assert twilio_signature(auth_token=TOKEN, url=URL, params=PARAMS) == EXPECTED


def test_a_repeated_parameter_signs_each_value_sorted():
    params = {"Sid": ["CA123"], "SidAccount": ["AC123"], "Digits": ["5678", "1234"]}

    assert twilio_signature(auth_token=TOKEN, url=URL, params=params) == "IK+Dwps556ElfBT0I3Rgjkr1wJU="


def test_a_signature_over_the_url_with_the_default_port_is_accepted():
    assert twilio_signature_ok(auth_tokens=[TOKEN], urls=[URL], params=PARAMS, signature="kvajT1Ptam85bY51eRf/AJRuM3w=")


def test_a_signature_without_the_port_the_request_names_is_accepted():
    with_port = URL.replace(".com", ".com:1234")

    assert twilio_signature_ok(auth_tokens=[TOKEN], urls=[with_port], params=PARAMS, signature=EXPECTED)


def test_url_variants_are_as_given_without_the_port_and_with_the_default_one():
    assert url_variants("http://127.0.0.1:8000/r?a=1") == ["http://127.0.0.1:8000/r?a=1", "http://127.0.0.1/r?a=1"]
    assert url_variants("https://x.example/r") == ["https://x.example/r", "https://x.example:443/r"]


def test_any_of_several_tokens_or_urls_may_have_signed():
    assert twilio_signature_ok(auth_tokens=["other", TOKEN], urls=["https://elsewhere.example/x", URL],
                               params=PARAMS, signature=EXPECTED)


def test_a_changed_parameter_another_token_or_url_or_no_signature_is_refused():
    changed = {**PARAMS, "Digits": ["1235"]}

    assert not twilio_signature_ok(auth_tokens=[TOKEN], urls=[URL], params=changed, signature=EXPECTED)
    assert not twilio_signature_ok(auth_tokens=["54321"], urls=[URL], params=PARAMS, signature=EXPECTED)
    assert not twilio_signature_ok(auth_tokens=[TOKEN], urls=[URL + "&baz=3"], params=PARAMS, signature=EXPECTED)
    assert not twilio_signature_ok(auth_tokens=[TOKEN], urls=[URL], params=PARAMS, signature="")
    assert not twilio_signature_ok(auth_tokens=[""], urls=[URL], params=PARAMS,
                                   signature=twilio_signature(auth_token="", url=URL, params=PARAMS))
