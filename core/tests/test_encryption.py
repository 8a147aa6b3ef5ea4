"""core/encryption.py: secrets read back from the database, kept encrypted at rest."""

import logging

import pytest
from cryptography.fernet import InvalidToken
from hypothesis import given
from hypothesis import strategies as st

from core.encryption import EncryptedTextField, decrypt, encrypt

SECRET = "whsec_信用生活-😀-0123456789"
# Text UTF-8 can carry: no lone surrogates.
texts = st.text(alphabet=st.characters(blacklist_categories=("Cs",)))


@pytest.fixture
def field() -> EncryptedTextField:
    field = EncryptedTextField()
    field.set_attributes_from_name("secret")
    return field


@given(texts)
def test_what_is_encrypted_decrypts_to_the_same_text(text):
    assert decrypt(encrypt(text)) == text


def test_equal_secrets_do_not_look_equal_and_the_token_does_not_show_the_secret():
    first, second = encrypt(SECRET), encrypt(SECRET)

    assert first != second
    assert "whsec_" not in first
    assert first.isascii()


def test_an_altered_token_is_refused():
    token = encrypt(SECRET)
    altered = token[:-5] + ("A" if token[-5] != "A" else "B") + token[-4:]

    with pytest.raises(InvalidToken):
        decrypt(altered)


def test_a_token_made_with_another_key_is_refused(settings):
    settings.FIELD_ENCRYPTION_KEY = "the first key"
    token = encrypt(SECRET)
    settings.FIELD_ENCRYPTION_KEY = "another key"

    with pytest.raises(InvalidToken):
        decrypt(token)


def test_with_its_own_key_rotating_the_secret_key_keeps_secrets_readable(settings):
    settings.FIELD_ENCRYPTION_KEY = "the field key"
    token = encrypt(SECRET)
    settings.SECRET_KEY = "a rotated secret key " * 3

    assert decrypt(token) == SECRET


def test_without_its_own_key_the_secret_key_is_the_key_and_rotating_it_loses_the_secrets(settings):
    settings.FIELD_ENCRYPTION_KEY = ""
    settings.SECRET_KEY = "the first secret key " * 3
    token = encrypt(SECRET)
    settings.SECRET_KEY = "a rotated secret key " * 3

    with pytest.raises(InvalidToken):
        decrypt(token)


def test_the_field_stores_a_token_and_reads_back_the_secret(field):
    stored = field.get_prep_value(SECRET)

    assert stored != SECRET
    assert decrypt(stored) == SECRET
    assert field.from_db_value(stored, None, None) == SECRET


@pytest.mark.parametrize("value", [None, ""])
def test_the_field_keeps_nothing_as_nothing(field, value):
    assert field.get_prep_value(value) == value
    assert field.from_db_value(value, None, None) == value


@pytest.mark.parametrize("stored", ["not a token", "gAAAAABnot-really", "ü-not-ascii"])
def test_a_value_that_no_longer_decrypts_reads_as_empty_and_is_logged_without_it(field, stored, caplog):
    with caplog.at_level(logging.ERROR, logger="core.encryption"):
        assert field.from_db_value(stored, None, None) == ""

    assert [record.getMessage() for record in caplog.records] == ["encrypted field unreadable field=secret"]
