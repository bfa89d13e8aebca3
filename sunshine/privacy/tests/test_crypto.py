import base64

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import ImproperlyConfigured

from sunshine.privacy import crypto

NEW_KEY = "k2:" + base64.b64encode(b"n" * 32).decode()
OLD_KEY = "k1:" + base64.b64encode(b"o" * 32).decode()


def test_round_trip_hides_the_plaintext(settings):
    settings.SUNSHINE_FIELD_KEYS = NEW_KEY
    stored = crypto.encrypt("430702201805031237", "child.id_number")
    assert "430702" not in stored
    assert stored.startswith("v1.k2.")
    assert crypto.decrypt(stored, "child.id_number") == "430702201805031237"


def test_same_value_encrypts_differently_each_time(settings):
    settings.SUNSHINE_FIELD_KEYS = NEW_KEY
    assert crypto.encrypt("13812345678", "phone") != crypto.encrypt("13812345678", "phone")


def test_a_value_moved_to_another_column_does_not_decrypt(settings):
    settings.SUNSHINE_FIELD_KEYS = NEW_KEY
    stored = crypto.encrypt("13812345678", "guardian.phone")
    with pytest.raises(InvalidTag):
        crypto.decrypt(stored, "child.id_number")


def test_old_values_still_decrypt_after_rotation(settings):
    settings.SUNSHINE_FIELD_KEYS = OLD_KEY
    stored = crypto.encrypt("湖南省常德市武陵区", "address")
    settings.SUNSHINE_FIELD_KEYS = f"{NEW_KEY},{OLD_KEY}"
    assert crypto.decrypt(stored, "address") == "湖南省常德市武陵区"
    assert crypto.key_id_of(crypto.encrypt("x", "address")) == "k2"


def test_a_retired_key_is_named_when_missing(settings):
    settings.SUNSHINE_FIELD_KEYS = OLD_KEY
    stored = crypto.encrypt("x", "address")
    settings.SUNSHINE_FIELD_KEYS = NEW_KEY
    with pytest.raises(ImproperlyConfigured, match="k1"):
        crypto.decrypt(stored, "address")


def test_bad_key_configuration_is_refused():
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_key_ring("k1:" + base64.b64encode(b"short").decode())
    with pytest.raises(ImproperlyConfigured):
        crypto.parse_key_ring("")


def test_blind_index_is_stable_and_depends_on_purpose():
    first = crypto.blind_index("430702201805031237", "id_number")
    assert first == crypto.blind_index("430702201805031237", "id_number")
    assert first != crypto.blind_index("430702201805031237", "phone")
    assert first != crypto.blind_index("430702201805031238", "id_number")
