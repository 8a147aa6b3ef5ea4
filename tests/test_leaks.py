"""tests/leaks.py: the leak check finds a score or a name however it is shown, and never
inside a random token."""

import pytest

from tests.leaks import masked, shows


@pytest.mark.parametrize(
    "text",
    [
        "713",
        "<td>713</td>",
        '{"score": 713}',
        '{"value": "713"}',
        "Your score: 713 points",
        "713/950",
        "score=713&band=excellent",
        "713.0",
        b'{"points": 713}',
    ],
)
def test_a_shown_score_is_found(text):
    assert shows(text, 713)


@pytest.mark.parametrize(
    "text",
    [
        '{"id": "d2ca3ecc-b9d9-47dc-a713-e22b0ee80ea4"}',  # an event id
        '<input name="csrfmiddlewaretoken" value="Xq713aB9kLmN0pQrStUvWxYz">',
        'nonce="q+713/wZ=="',
        "code K7Q2M713XZ",
        "2026-11-26T20:24:08.713985+08:00",
        "7130",
        "1713",
        "threshold 650",
    ],
)
def test_a_score_inside_a_token_or_a_longer_number_is_not_found(text):
    assert not shows(text, 713)


@pytest.mark.parametrize("text", ["ann", '"ann"', "/people/ann/", "Dear ann,", "ann@example.com"])
def test_a_shown_name_is_found(text):
    assert shows(text, "ann")


@pytest.mark.parametrize("text", ["Annual fee", "planned", "joanna", "token 9fAnn27Qz1"])
def test_a_name_inside_a_word_or_a_token_is_not_found(text):
    assert not shows(text, "ann")


def test_masking_hides_the_code_and_per_response_tokens_but_nothing_else():
    page = (
        '<input name="csrfmiddlewaretoken" value="Xq713aB9"><script nonce="q+7/w==">'
        '<a href="/console/claims/12/">K7Q2M7Z3XZ</a> event d2ca3ecc-b9d9-47dc-a713-e22b0ee80ea4 '
        "Deposit waived, from 750"
    )

    assert masked(page, {"K7Q2M7Z3XZ": "<code>", "/claims/12/": "/claims/<id>/"}) == (
        '<input name="csrfmiddlewaretoken" value="<csrf>"><script nonce="<nonce>">'
        '<a href="/console/claims/<id>/"><code></a> event <uuid> '
        "Deposit waived, from 750"
    )


def test_masking_keeps_what_tells_two_claims_apart():
    one = masked("Tier: Deposit waived; code AAAA", {"AAAA": "<code>"})
    other = masked("Tier: Deposit waived and a voucher; code BBBB", {"BBBB": "<code>"})

    assert one != other
