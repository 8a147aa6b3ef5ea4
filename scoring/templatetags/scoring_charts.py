"""The dashboard's chart of each dimension's sub-score over the year, as a tag its include calls:
the dashboard view stays unaware of it."""

import datetime

from django import template
from django.utils import timezone

from scoring import charts, selectors
from scoring.dimensions import DIMENSION_NAMES
from scoring.engine import DIMENSIONS

register = template.Library()

HISTORY_DAYS = 365


@register.simple_tag(takes_context=True)
def dimension_history(context: template.Context) -> dict[str, object] | None:
    """``{% dimension_history as dims %}``: the chart and a legend row per dimension, or None."""
    request = context.get("request")
    if request is None or not request.user.is_authenticated:
        return None
    today = timezone.localdate()
    series = selectors.sub_score_history(
        person=request.user, since=today - datetime.timedelta(days=HISTORY_DAYS)
    )
    if not series:
        return None
    chart = charts.dimension_chart(
        series, keys=DIMENSIONS, start=today - datetime.timedelta(days=HISTORY_DAYS), end=today
    )
    return {
        "chart": chart,
        "legend": [{"line": line, "name": DIMENSION_NAMES[line.key]} for line in chart.lines],
        "total_first": series[0][1]["score"],
        "total_latest": series[-1][1]["score"],
    }
