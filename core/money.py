"""Money as people read it, in English and Chinese alike: ¥100,107 (yuan, comma-grouped), with
fen only when there are any (¥1,280.50)."""

from decimal import Decimal


def money_text(amount: Decimal | int | float) -> str:
    value = Decimal(str(amount)).quantize(Decimal("0.01"))
    sign, value = ("\u2212", -value) if value < 0 else ("", value)  # a minus sign, not a hyphen
    if value == value.to_integral_value():
        return f"{sign}¥{int(value):,}"
    return f"{sign}¥{value:,.2f}"
