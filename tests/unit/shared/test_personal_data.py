import pytest
from cryptography.exceptions import InvalidTag

from shared.personal_data import (Cipher, id_number_is_valid, mask_id_number, mask_phone,
                                  new_key)


def test_sealed_values_open_only_with_their_key():
    cipher = Cipher(new_key())
    sealed = cipher.seal("13812345678")
    assert "13812345678" not in sealed and cipher.open(sealed) == "13812345678"
    assert cipher.seal("13812345678") != sealed  # a fresh nonce every time
    with pytest.raises(InvalidTag):
        Cipher(new_key()).open(sealed)


def test_protect_keeps_sealed_masked_and_a_fingerprint_for_lookups():
    cipher = Cipher(new_key())
    kept = cipher.protect(" 138 1234 5678 ", mask_phone)
    assert kept["masked"] == "138****5678"
    assert kept["fingerprint"] == cipher.fingerprint("13812345678")
    assert cipher.protect(None, mask_phone) is None


def test_masks_and_id_number_check():
    assert mask_phone("13812345678") == "138****5678"
    assert mask_id_number("34118119900307123X") == "341***********123X"
    assert id_number_is_valid("11010519491231002X")
    assert not id_number_is_valid("110105194912310021")
