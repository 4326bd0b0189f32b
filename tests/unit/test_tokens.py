import base64

from server.auth import tokens


def test_tokens_carry_256_random_bits_and_only_their_digest_is_kept():
    token, digest = tokens.new_token()
    raw = base64.urlsafe_b64decode(token[len(tokens.PREFIX) :] + "=")
    assert len(raw) * 8 == 256
    assert len(digest) == 32 and token.encode() not in digest
    assert tokens.new_token()[0] != token


def test_only_bearer_authorization_headers_are_read():
    assert tokens.from_header("Bearer abc") == "abc"
    assert tokens.from_header("bearer   abc ") == "abc"
    assert tokens.from_header("Basic dXNlcjpwdw==") is None
    assert tokens.from_header("Bearer ") is None
    assert tokens.from_header(None) is None
