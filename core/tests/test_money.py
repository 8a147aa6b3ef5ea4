from decimal import Decimal

import pytest
from django.utils import translation

from core.money import money_text


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (Decimal("100107"), "¥100,107"),
        (Decimal("100107.00"), "¥100,107"),
        (Decimal("1280.5"), "¥1,280.50"),
        (Decimal("0.01"), "¥0.01"),
        (6714, "¥6,714"),
        (Decimal("-250"), "\u2212¥250"),
    ],
)
def test_money_reads_as_yuan_with_comma_groups(amount, text):
    assert money_text(amount) == text


def test_money_reads_the_same_in_chinese():
    with translation.override("zh-hans"):
        assert money_text(Decimal("100107")) == "¥100,107"
