"""A claim's due-back date as an iCalendar file (RFC 5545), for the person's own calendar."""

import datetime

from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Claim

# RFC 5545: content lines end in CRLF and fold at 75 octets.
CRLF = "\r\n"
LINE_OCTETS = 75


def _escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def _fold(line: str) -> str:
    """Split a content line into pieces of at most 75 octets, never inside a UTF-8 character."""
    pieces: list[str] = []
    current, size = "", 0
    for character in line:
        octets = len(character.encode())
        limit = LINE_OCTETS if not pieces else LINE_OCTETS - 1  # continuation lines start with a space
        if size + octets > limit:
            pieces.append(current)
            current, size = "", 0
        current += character
        size += octets
    pieces.append(current)
    return (CRLF + " ").join(pieces)


def due_back_calendar(*, claim: Claim, domain: str, claim_url: str) -> str:
    """An all-day event on the day a trial is due back, where it goes back and when it is open.

    The claim's code stays out: a calendar file syncs to other services, and the code is redeemable;
    the event links to the claim's page instead (``claim_url``, absolute).
    """
    assert claim.due_back is not None
    promotion, merchant = claim.promotion, claim.promotion.merchant
    day: datetime.date = claim.due_back
    description = _("Your claim: %(url)s") % {"url": claim_url}
    summary = _("Bring back: %(title)s (%(merchant)s)") % {
        "title": promotion.title,
        "merchant": merchant.name,
    }
    if merchant.opening_hours:
        description += " " + _("Opening hours: %(hours)s.") % {"hours": merchant.opening_hours}
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Credit Life//Claims//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:claim-{claim.pk}-due-back@{domain}",
        "DTSTAMP:" + timezone.now().astimezone(datetime.UTC).strftime("%Y%m%dT%H%M%SZ"),
        "DTSTART;VALUE=DATE:" + day.strftime("%Y%m%d"),
        "DTEND;VALUE=DATE:" + (day + datetime.timedelta(days=1)).strftime("%Y%m%d"),
        "SUMMARY:" + _escape(summary),
        "DESCRIPTION:" + _escape(description),
        *(["LOCATION:" + _escape(merchant.address)] if merchant.address else []),
        "TRANSP:TRANSPARENT",
        "BEGIN:VALARM",
        "ACTION:DISPLAY",
        "TRIGGER:-P1D",
        "DESCRIPTION:" + _escape(_("Due back tomorrow: %(title)s") % {"title": promotion.title}),
        "END:VALARM",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    return CRLF.join(_fold(line) for line in lines) + CRLF
