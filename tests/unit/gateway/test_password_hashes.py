"""Password hashes: argon2id at the configured cost, and a hash made at one cost still
verifies after the setting changed (the hash carries its own parameters)."""
import pytest

from services.gateway.auth import DEFAULT_MEMORY_KIB, DEFAULT_TIME_COST, hasher_of, off_the_loop


def test_the_default_cost_is_rfc_9106s_and_the_setting_changes_it():
    default = off_the_loop(hasher_of({}).hash, "pass-word-1")
    assert default.startswith(f"$argon2id$v=19$m={DEFAULT_MEMORY_KIB},t={DEFAULT_TIME_COST},")
    cheap = hasher_of({"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 64})
    assert cheap.hash("pass-word-1").startswith("$argon2id$v=19$m=64,t=1,")


def test_a_hash_made_at_another_cost_still_verifies():
    stored = hasher_of({}).hash("pass-word-1")
    cheap = hasher_of({"PASSWORD_HASH_TIME_COST": 1, "PASSWORD_HASH_MEMORY_KIB": 64})
    assert off_the_loop(cheap.verify, stored, "pass-word-1") is True
    with pytest.raises(Exception) as refused:
        cheap.verify(stored, "wrong-word-1")
    assert type(refused.value).__name__ == "VerifyMismatchError"
