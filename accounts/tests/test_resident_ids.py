"""Tests for accounts/resident_ids.py: the 18-character PRC resident ID number and its keyed hash."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from accounts.resident_ids import (
    BIRTH_DATE_ERROR,
    CHECKSUM_ERROR,
    FORMAT_ERROR,
    resident_id_check_character,
    resident_id_hash,
    resident_id_make,
    resident_id_validate,
)

# Widely published examples of valid numbers (the standard's textbook example and test numbers).
KNOWN_VALID = ["11010519491231002X", "11010119900307803X", "110101199003074477"]


def error_of(value: object) -> tuple[str, str]:
    with pytest.raises(ValidationError) as caught:
        resident_id_validate(value)
    return caught.value.code, caught.value.messages[0]


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_known_valid_numbers_pass_unchanged(number):
    assert resident_id_validate(number) == number


def test_a_lowercase_x_and_spaces_are_normalised():
    assert resident_id_validate(" 110105 19491231 002x ") == "11010519491231002X"


@pytest.mark.parametrize(
    "value",
    [
        "",
        "11010519491231002",  # 17 characters
        "11010519491231002XX",  # 19
        "01010519491231002X",  # a region cannot start with 0
        "1101051949123100X2",  # X only at the end
        "11010519491231002Y",
        "".join(chr(0xFF10 + int(digit)) for digit in "11010519491231002") + "\uff38",  # full-width
        None,
        11010519491231002,
    ],
)
def test_a_malformed_number_is_refused_for_its_format(value):
    assert error_of(value) == ("format", str(FORMAT_ERROR))


@pytest.mark.parametrize(
    "first17",
    [
        "11010519490230002",  # 30 February
        "11010519491301002",  # month 13
        "11010518991231002",  # born before 1900
        "11010520991231002",  # born in the future
        "44052418800101001",  # a published example, checksum right, but born in 1880
    ],
)
def test_an_impossible_birth_date_is_refused(first17):
    # Each with its right check character: only the date is wrong.
    number = first17 + resident_id_check_character(first17)

    assert error_of(number) == ("birth_date", str(BIRTH_DATE_ERROR))


@pytest.mark.parametrize("number", ["110105194912310021", "110101199003078030", "11010519491231003X"])
def test_a_wrong_check_character_is_refused(number):
    assert error_of(number) == ("checksum", str(CHECKSUM_ERROR))


def test_a_refusal_never_repeats_the_number():
    number = "110105194912310021"

    assert number not in error_of(number)[1]


@given(
    birth=st.dates(min_value=datetime.date(1900, 1, 1), max_value=datetime.date(2024, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
)
def test_every_made_number_is_valid(birth, sequence):
    number = resident_id_make(birth=birth, sequence=sequence)

    assert resident_id_validate(number) == number


@given(
    birth=st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2000, 12, 31)),
    sequence=st.integers(min_value=0, max_value=999),
    position=st.sampled_from([0, 1, 2, 3, 4, 5, 14, 15, 16]),  # region and sequence digits
    shift=st.integers(min_value=1, max_value=9),
)
def test_mod_11_2_catches_every_single_digit_typo(birth, sequence, position, shift):
    number = resident_id_make(birth=birth, sequence=sequence)
    typo = number[:position] + str((int(number[position]) + shift) % 10) + number[position + 1 :]

    with pytest.raises(ValidationError):
        resident_id_validate(typo)


def test_the_hash_is_keyed_and_does_not_contain_the_number(settings):
    number = KNOWN_VALID[0]
    settings.IDENTITY_HASH_KEY = "one-key"
    first = resident_id_hash(number)
    settings.IDENTITY_HASH_KEY = "another-key"

    assert resident_id_hash(number) != first
    assert len(first) == 64
    assert number not in first and number[-4:] not in first
