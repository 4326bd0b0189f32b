"""HTTP Digest as Collect speaks it, and the QR settings it scans."""

from server.auth import digest
from server.domain.collect_settings import qr_payload, read_payload, settings


def test_the_rfc_2617_example_verifies():
    # RFC 2617 section 3.5: Mufasa / Circle Of Life, realm testrealm@host.com
    params = {
        "username": "Mufasa",
        "realm": "testrealm@host.com",
        "nonce": "dcd98b7102dd2f0e8b11d0f600bfb0c093",
        "uri": "/dir/index.html",
        "qop": "auth",
        "nc": "00000001",
        "cnonce": "0a4f113b",
        "response": "6629fae49393a05397450978507c4ef1",
    }
    stored = digest.ha1("Mufasa", "Circle Of Life", realm="testrealm@host.com")
    assert digest.expected_response(params, stored, "GET") == params["response"]


def test_a_response_for_another_secret_or_method_fails():
    key = b"k" * 32
    nonce = digest.new_nonce(key)
    params = digest.parse(digest.client_header("w.1", "right", method="GET", uri="/openrosa/formList", nonce=nonce))
    assert digest.verify(params, digest.ha1("w.1", "right"), "GET")
    assert not digest.verify(params, digest.ha1("w.1", "wrong"), "GET")
    assert not digest.verify(params, digest.ha1("w.1", "right"), "POST")


def test_nonces_are_signed_and_go_stale():
    key = b"k" * 32
    nonce = digest.new_nonce(key, now=1000)
    assert digest.nonce_state(key, nonce, now=1010) == "ok"
    assert digest.nonce_state(key, nonce, now=1000 + digest.NONCE_SECONDS + 1) == "stale"
    assert digest.nonce_state(b"x" * 32, nonce, now=1010) == "bad"
    assert digest.nonce_state(key, "1000.forged", now=1010) == "bad"


def test_other_schemes_and_incomplete_headers_are_not_digest():
    assert digest.parse("Bearer abc") is None
    assert digest.parse('Digest username="a", realm="gridwork"') is None


def test_the_qr_payload_is_zlib_base64_json_with_match_exactly():
    value = settings(server_url="https://g.example/openrosa", username="u", password="p", project="Gridwork")
    back = read_payload(qr_payload(value))
    assert back == value and back["general"]["form_update_mode"] == "match_exactly"
