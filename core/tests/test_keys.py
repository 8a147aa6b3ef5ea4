"""Tests for core/keys.py: the one place that makes, hashes and checks partner keys and API tokens."""

import hashlib
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from core import keys


@pytest.mark.parametrize(("prefix_bytes", "prefix_length"), [(4, 8), (8, 16)])
def test_a_new_key_is_a_hex_prefix_a_dot_and_a_long_url_safe_secret(prefix_bytes, prefix_length):
    # when
    new = keys.key_generate(prefix_bytes=prefix_bytes)

    # then
    prefix, secret = new.key.split(".")
    assert re.fullmatch(rf"[0-9a-f]{{{prefix_length}}}", prefix)
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    assert new.prefix == prefix
    assert new.hash == hashlib.sha256(new.key.encode()).hexdigest()


def test_what_is_kept_of_a_new_key_does_not_contain_its_secret():
    # when
    new = keys.key_generate(prefix_bytes=8)

    # then
    secret = new.key.split(".")[1]
    assert secret not in new.prefix
    assert secret not in new.hash
    assert new.key not in new.hash


def test_two_new_keys_differ_in_prefix_and_secret():
    # when
    first, second = keys.key_generate(prefix_bytes=8), keys.key_generate(prefix_bytes=8)

    # then
    assert first.prefix != second.prefix
    assert first.key.split(".")[1] != second.key.split(".")[1]


def test_a_key_matches_its_own_hash_only():
    # given
    new = keys.key_generate(prefix_bytes=8)
    other = keys.key_generate(prefix_bytes=8)

    # then
    assert keys.key_matches(new.key, new.hash) is True
    assert keys.key_matches(other.key, new.hash) is False
    assert keys.key_matches(new.key + "x", new.hash) is False
    assert keys.key_matches(new.key[:-1], new.hash) is False


def test_a_tampered_secret_behind_a_good_prefix_does_not_match():
    # given
    new = keys.key_generate(prefix_bytes=8)
    last = new.key[-1]
    tampered = new.key[:-1] + ("A" if last != "A" else "B")

    # then
    assert keys.key_prefix(tampered) == new.prefix
    assert keys.key_matches(tampered, new.hash) is False


@pytest.mark.parametrize(
    ("key", "prefix"),
    [
        ("abcd1234.secret", "abcd1234"),
        ("0123456789abcdef.A-_z9", "0123456789abcdef"),
        ("", None),
        ("no-dot-in-it", None),
        ("abcd1234.", None),
        (".secret", None),
        ("ABCD1234.secret", None),
        ("abcd 1234.secret", None),
        ("abcd1234.sec.ret", None),
        ("abcd1234.secret\x00", None),
        ("ab\x00cd.secret", None),
        ("abcd1234.sécret", None),
        ("0123456789abcdef0123456789abcdef0.secret", None),
    ],
)
def test_only_a_well_formed_key_yields_a_prefix_to_look_up(key, prefix):
    assert keys.key_prefix(key) == prefix


@given(st.integers(min_value=1, max_value=16))
def test_every_generated_key_is_well_formed_and_matches_its_hash(prefix_bytes):
    new = keys.key_generate(prefix_bytes=prefix_bytes)

    assert keys.key_prefix(new.key) == new.prefix
    assert keys.key_matches(new.key, new.hash)


@given(st.text(max_size=200))
def test_no_text_crashes_the_checks(text):
    keys.key_prefix(text)
    assert keys.key_matches(text, keys.key_hash("abcd1234.secret")) is (text == "abcd1234.secret")
