"""scoring/dimensions.py: the five dimensions' names and summaries, one place for every page."""

from django.utils import translation

from scoring.dimensions import DIMENSION_CHOICES, DIMENSION_NAMES, DIMENSION_SUMMARIES
from scoring.engine import DIMENSIONS


def test_names_and_summaries_cover_exactly_the_engines_dimensions():
    assert set(DIMENSION_NAMES) == set(DIMENSION_SUMMARIES) == set(DIMENSIONS)


def test_choices_follow_the_engines_order_with_their_names():
    with translation.override("en"):
        assert [(key, str(name)) for key, name in DIMENSION_CHOICES] == [
            ("credit_history", "Credit history"),
            ("fulfilment_capacity", "Fulfilment capacity"),
            ("behaviour", "Behaviour and preferences"),
            ("identity", "Identity and characteristics"),
            ("connections", "Connections"),
        ]
    assert [key for key, _name in DIMENSION_CHOICES] == list(DIMENSIONS)


def test_every_name_and_summary_reads_in_chinese_too():
    with translation.override("en"):
        english = [str(text) for text in [*DIMENSION_NAMES.values(), *DIMENSION_SUMMARIES.values()]]
    with translation.override("zh-hans"):
        chinese = [str(text) for text in [*DIMENSION_NAMES.values(), *DIMENSION_SUMMARIES.values()]]
        first_name = str(DIMENSION_NAMES["credit_history"])

    assert first_name == "信用历史"
    assert len(set(chinese)) == 10
    assert set(chinese).isdisjoint(english)


def test_the_words_follow_the_language_active_when_they_are_read():
    # Lazy texts: a module-level constant must not freeze the language of whoever imported it.
    with translation.override("zh-hans"):
        chinese = str(DIMENSION_NAMES["connections"])
    with translation.override("en"):
        english = str(DIMENSION_NAMES["connections"])

    assert (english, chinese) == ("Connections", "人脉关系")
