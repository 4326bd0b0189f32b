from argon2 import extract_parameters

from server.auth.passwords import hash_password, verify_password


def test_passwords_are_hashed_with_argon2id_at_the_agreed_cost():
    h = hash_password("correct horse battery")
    p = extract_parameters(h)
    assert h.startswith("$argon2id$")
    assert (p.time_cost, p.memory_cost, p.parallelism) == (2, 19 * 1024, 1)
    assert verify_password(h, "correct horse battery")
    assert not verify_password(h, "correct horse batterY")


def test_unknown_user_never_verifies():
    assert not verify_password(None, "gridwork-timing-equaliser")
