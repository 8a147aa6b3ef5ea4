"""The words of each notification kind, rendered from its params in the active language.

A notification stores its kind and params, never its text: the inbox shows it in the reader's
language of the moment, the email in the language the person chose for email.
"""

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.bands import Band

from ..models import NotificationKind


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    link: str  # a path on this site where the person acts on it ("" when none)


def _day(value: Any) -> str:
    try:
        day = datetime.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return formats.date_format(day, "DATE_FORMAT")


def _band(value: Any) -> str:
    try:
        return str(Band(value).label)
    except ValueError:
        return str(value)


def _sentences(*parts: str) -> str:
    """Sentences run on with a space in English, without one after Chinese full stops."""
    return ("" if translation.get_language() == "zh-hans" else " ").join(part for part in parts if part)


def _perk_title(params: dict[str, Any]) -> str:
    """The perk's Chinese title in Chinese when the merchant gave one (as perks' localised filter)."""
    if translation.get_language() == "zh-hans" and params.get("title_zh"):
        return str(params["title_zh"])
    return str(params.get("title", ""))


def _score_moved(p: dict[str, Any]) -> tuple[str, str]:
    points = int(p.get("points", 0))
    if points >= 0:
        title = ngettext("Your score rose %(points)d point", "Your score rose %(points)d points", points) % {
            "points": points
        }
    else:
        title = ngettext("Your score fell %(points)d point", "Your score fell %(points)d points", -points) % {
            "points": -points
        }
    body = _("Your score is now %(score)s (%(band)s), from %(previous)s on %(since)s.") % {
        "score": p.get("score"),
        "band": _band(p.get("band")),
        "previous": p.get("previous"),
        "since": _day(p.get("since")),
    }
    if p.get("band") != p.get("previous_band"):
        title = _("You moved from the %(previous)s band to %(band)s") % {
            "previous": _band(p.get("previous_band")),
            "band": _band(p.get("band")),
        }
    if points < 0:
        body = _sentences(body, _("Your dashboard shows what lowers it and what you can do."))
    return title, body


def _perk_reachable(p: dict[str, Any]) -> tuple[str, str]:
    return (
        _("New perk within reach: %(title)s") % {"title": _perk_title(p)},
        _("With your new score you can claim %(title)s from %(merchant)s.")
        % {"title": _perk_title(p), "merchant": p.get("merchant", "")},
    )


def _negative_record(p: dict[str, Any]) -> tuple[str, str]:
    if p.get("record") == "court_listing":
        title = _("A court listing was reported about you")
        what = _("A court listing by %(court)s dated %(day)s was reported to us.") % {
            "court": p.get("label", ""),
            "day": _day(p.get("day")),
        }
    else:
        title = _("A late bill was reported about you")
        what = _("A %(bill)s bill due on %(day)s was reported unpaid after its due date.") % {
            "bill": p.get("label", ""),
            "day": _day(p.get("day")),
        }
    how = _(
        "If it is wrong, dispute it from your dashboard: say what is wrong and we answer within "
        "20 days; while we check, nothing else changes. If it is right, paying or settling it "
        "stops it weighing more."
    )
    return title, _sentences(what, how)


def _claim(p: dict[str, Any]) -> dict[str, str]:
    return {"title": _perk_title(p), "merchant": str(p.get("merchant", "")), "day": _day(p.get("due_back"))}


def _due_back(p: dict[str, Any]) -> tuple[str, str]:
    return (
        _("%(title)s is due back tomorrow") % _claim(p),
        _("Please return %(title)s to %(merchant)s by %(day)s: a late return is reported as a late bill.")
        % _claim(p),
    )


def _overdue(p: dict[str, Any]) -> tuple[str, str]:
    return (
        _("%(title)s is overdue") % _claim(p),
        _("%(title)s was due back at %(merchant)s on %(day)s. Return it as soon as you can.") % _claim(p),
    )


def _dispute_answered(p: dict[str, Any]) -> tuple[str, str]:
    if p.get("accepted"):
        title = _("Your dispute was upheld")
        body = _("We checked and agree with you: the record is corrected and your score recomputed.")
    else:
        title = _("Your dispute was turned down")
        body = _("We checked and the record stays as it is.")
    if p.get("response"):
        body = _sentences(body, _("Our answer: %(response)s") % {"response": p["response"]})
    return title, body


def _code_checked(p: dict[str, Any]) -> tuple[str, str]:
    return (
        _("%(merchant)s checked your code") % {"merchant": p.get("merchant", "")},
        _(
            "%(merchant)s checked the code of your claim %(title)s. If that was not you at their "
            "counter, tell us."
        )
        % {"merchant": p.get("merchant", ""), "title": _perk_title(p)},
    )


def _share_opened(p: dict[str, Any]) -> tuple[str, str]:
    return (
        _("Your share link was opened"),
        _("Someone opened the share link you made on %(day)s. You can revoke it at any time.")
        % {"day": _day(p.get("created_on"))},
    )


def _model_changed(p: dict[str, Any]) -> tuple[str, str]:
    return (
        _("We changed how scores are computed"),
        _(
            "Scoring model %(version)s is now in use. Your score is computed with it from the next "
            "recompute; your dashboard explains what counts."
        )
        % {"version": p.get("version", "")},
    )


def _goal_reached(p: dict[str, Any]) -> tuple[str, str]:
    return (
        _("Goal reached: %(title)s") % {"title": _perk_title(p)},
        _("Your score now meets %(title)s from %(merchant)s. Claim it while it lasts.")
        % {"title": _perk_title(p), "merchant": p.get("merchant", "")},
    )


_RENDERERS = {
    NotificationKind.SCORE_MOVED: _score_moved,
    NotificationKind.PERK_REACHABLE: _perk_reachable,
    NotificationKind.NEGATIVE_RECORD: _negative_record,
    NotificationKind.DUE_BACK: _due_back,
    NotificationKind.OVERDUE: _overdue,
    NotificationKind.DISPUTE_ANSWERED: _dispute_answered,
    NotificationKind.CODE_CHECKED: _code_checked,
    NotificationKind.SHARE_OPENED: _share_opened,
    NotificationKind.MODEL_CHANGED: _model_changed,
    NotificationKind.GOAL_REACHED: _goal_reached,
}


def render(*, kind: str, params: dict[str, Any]) -> Text:
    """The title, body and link of a notification, in the active language."""
    title, body = _RENDERERS[NotificationKind(kind)](params)
    return Text(title=title, body=body, link=str(params.get("link", "")))
