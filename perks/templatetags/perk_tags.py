"""Template helpers of the consumer's perks pages: a promotion's words in the reader's language,
and the dashboard's goal panel (the dashboard view belongs to scoring; this keeps it unaware)."""

from django import template
from django.utils import translation

from perks import selectors
from perks.models import Promotion

register = template.Library()

TRANSLATED_FIELDS = ("title", "description")


@register.filter
def localised(promotion: Promotion, field: str) -> str:
    """``{{ promotion|localised:"title" }}``: the Chinese text in Chinese when the merchant gave one."""
    if field not in TRANSLATED_FIELDS:
        raise template.TemplateSyntaxError(f"localised knows only {', '.join(TRANSLATED_FIELDS)}")
    if translation.get_language() == "zh-hans":
        chinese = getattr(promotion, f"{field}_zh", "")
        if chinese:
            return chinese
    return getattr(promotion, field)


@register.simple_tag(takes_context=True)
def goal_panel(context: template.Context) -> selectors.GoalPanel | None:
    """``{% goal_panel as panel %}``: the person's goal, its gap and the quickest path to it."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    return selectors.goal_panel_for(person=request.user)


@register.simple_tag
def perks_unlocked_between(low: int, high: int) -> list[Promotion]:
    """``{% perks_unlocked_between 640 700 as unlocked %}``: the perks a simulated score would open."""
    return selectors.promotions_unlocked_between(low=low, high=high)
