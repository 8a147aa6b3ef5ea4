"""``{% load money %}{{ bill.amount|money }}``: core.money.money_text in templates."""

from decimal import Decimal

from django import template

from core.money import money_text

register = template.Library()


@register.filter
def money(amount: Decimal | int | float | None) -> str:
    return "" if amount is None else money_text(amount)
