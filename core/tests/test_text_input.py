"""core/text_input.py: the one check of request text no database column can hold (NUL, lone surrogates)."""

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from core.text_input import bad_text, text_problem

NUL = "Null characters are not allowed."
SURROGATE = "This text holds an invalid character (a lone surrogate): send valid Unicode."

# Text any column holds: every character except NUL and the surrogate range.
storable = st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"))


@pytest.mark.parametrize("text", ["", "plain", "信用生活 😀", "tab\tnewline\n", "\U0010ffff"])
def test_ordinary_text_has_no_problem(text):
    assert text_problem(text) is None


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("\x00", NUL),
        ("title\x00", NUL),
        ("\ud800", SURROGATE),
        ("a\udfffb", SURROGATE),
        ("\x00\ud800", NUL),  # NUL is named first
    ],
)
def test_nul_and_lone_surrogates_are_named(text, problem):
    assert text_problem(text) == problem


def test_the_reason_is_given_in_chinese_too():
    with translation.override("zh-hans"):
        assert (text_problem("\x00"), text_problem("\ud800")) == (
            "不允许包含空字符（NUL）。",  # noqa: RUF001
            "此文本含有无效字符（孤立的代理项）：请发送有效的 Unicode 文本。",  # noqa: RUF001
        )


@given(storable)
def test_any_storable_text_passes(text):
    assert text_problem(text) is None
    assert bad_text({"field": text, "list": [text]}) is None


@given(storable, storable)
def test_a_nul_anywhere_in_a_text_is_refused(before, after):
    assert text_problem(before + "\x00" + after) == NUL


@pytest.mark.parametrize(
    ("document", "found"),
    [
        ({"title": "ok", "description": "x\x00"}, ("description", NUL)),
        ({"tiers": [{"benefit": "ok"}, {"benefit": "\ud800"}]}, ("tiers[1].benefit", SURROGATE)),
        ({"conditions": {"all": [{"attr": "region", "in": ["x\x00"]}]}}, ("conditions.all[0].in[0]", NUL)),
        ({"tiers": [{"bene\x00fit": "ok"}]}, ("tiers[0]", NUL)),  # a bad key: the object holding it
        ({"\x00": 1}, ("non_field_errors", NUL)),
        ("\x00", ("non_field_errors", NUL)),
        (["ok", "\ud800"], ("[1]", SURROGATE)),
    ],
)
def test_the_first_bad_text_is_named_as_the_api_names_its_field(document, found):
    assert bad_text(document) == found


def test_the_first_bad_text_in_document_order_wins():
    assert bad_text({"a": ["ok", "\ud800"], "b": "\x00"}) == ("a[1]", SURROGATE)


@pytest.mark.parametrize("document", [None, 0, 1.5, True, [], {}, {"n": [1, None, False, {"x": 2.5}]}])
def test_numbers_booleans_and_nulls_are_not_text(document):
    assert bad_text(document) is None


def test_a_path_prefix_names_fields_below_it():
    assert bad_text({"benefit": "\x00"}, path="tiers[2]") == ("tiers[2].benefit", NUL)


def test_a_document_nested_far_deeper_than_the_stack_is_checked_without_recursion():
    document: object = "\x00"
    for _level in range(50_000):
        document = [document]

    assert bad_text(document) == ("[0]" * 50_000, NUL)
