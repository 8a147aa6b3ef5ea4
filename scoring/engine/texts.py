"""The words of a reason: the sentence stating its fact and the advice for its direction, in
the person's language."""

import datetime
from collections.abc import Callable, Mapping
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from core.money import money_text

from .features import BLACKLIST_ACTIVE, BLACKLIST_RECENT, LOWERS, RAISES, THIN_FILE

# Texts state the fact, so one text serves both directions; advice differs by direction.
# Every string is a literal inside gettext/ngettext so makemessages finds it, and they are
# translated at render time, in the person's language.

_Render = Callable[[Mapping[str, Any]], str]


def _day(iso: str) -> str:
    """A stored ISO date as the reader's language writes dates."""
    return date_format(datetime.date.fromisoformat(iso), "DATE_FORMAT")


def reason_text(code: str, direction: str, params: Mapping[str, Any]) -> str:
    """A plain sentence stating the fact behind a reason; never raises."""
    if not params and code in _NO_DATA_TEXTS:
        return _NO_DATA_TEXTS[code]()
    render = _TEXTS.get(code)
    if render is not None:
        try:
            return render(params)
        except (KeyError, TypeError, ValueError):
            pass  # params from another engine version: the generic text is better than an error page
    if direction == RAISES:
        return gettext("Something in your data raises your score")
    return gettext("Something in your data lowers your score")


def reason_advice(code: str, direction: str) -> str:
    """What the person can do about a reason; never raises."""
    advice = _ADVICE.get((code, direction))
    if advice is not None:
        return advice()
    return gettext("See the breakdown of your score for what feeds it.")


def _late_bills_text(params: Mapping[str, Any]) -> str:
    count = params["count"]
    kinds = ", ".join(
        _kind_label(kind.strip()) for kind in str(params.get("kinds", "")).split(",") if kind.strip()
    )
    if kinds:
        return ngettext(
            "%(count)d bill paid late in the last 12 months (%(kinds)s)",
            "%(count)d bills paid late in the last 12 months (%(kinds)s)",
            count,
        ) % {"count": count, "kinds": kinds}
    return ngettext(
        "%(count)d bill paid late in the last 12 months",
        "%(count)d bills paid late in the last 12 months",
        count,
    ) % {"count": count}


def _kind_label(kind: str) -> str:
    labels = {
        "credit_card": gettext("credit card"),
        "credit_line": gettext("credit line"),
        "utility": gettext("utility"),
        "traffic_fine": gettext("traffic fine"),
        "loan": gettext("loan"),
    }
    return labels.get(kind, kind.replace("_", " "))


def _education_text(params: Mapping[str, Any]) -> str:
    labels = {
        "secondary": gettext("secondary school"),
        "bachelor": gettext("bachelor's degree"),
        "master": gettext("master's degree"),
        "doctorate": gettext("doctorate"),
    }
    level = str(params["level"])
    if not level:
        return gettext("No education on record")
    return gettext("Education on record: %(level)s") % {"level": labels.get(level, level)}


def _blacklist_recent_text(params: Mapping[str, Any]) -> str:
    return (
        ngettext(
            "Listing as a dishonest judgment debtor by %(court)s, case %(case_number)s, "
            "lifted %(months_since_lifted)d month ago",
            "Listing as a dishonest judgment debtor by %(court)s, case %(case_number)s, "
            "lifted %(months_since_lifted)d months ago",
            params["months_since_lifted"],
        )
        % params
    )


def _thin_file_text(params: Mapping[str, Any]) -> str:
    months = params["months"]
    if not params.get("bills", months):
        return gettext("Little credit history yet: no bills on record")
    if not months:
        return gettext("Little credit history yet: less than a month of bills")
    return ngettext(
        "Little credit history yet: %(months)d month of bills",
        "Little credit history yet: %(months)d months of bills",
        months,
    ) % {"months": months}


# A characteristic with no data at all (its params are empty): the fact is the absence.
_NO_DATA_TEXTS: Mapping[str, Callable[[], str]] = {
    "credit_utilisation_pct": lambda: gettext("No credit line on record"),
    "avg_balance_3m": lambda: gettext("No account balance on record"),
    "credit_limit": lambda: gettext("No credit line limit on record"),
    "address_years": lambda: gettext("No address on record"),
}

_TEXTS: Mapping[str, _Render] = {
    THIN_FILE: _thin_file_text,
    BLACKLIST_ACTIVE: lambda p: (
        gettext(
            "Listed as a dishonest judgment debtor by %(court)s, case %(case_number)s, since %(listed_on)s"
        )
        % {**p, "listed_on": _day(p["listed_on"])}
    ),
    BLACKLIST_RECENT: _blacklist_recent_text,
    "on_time_bills_24m": lambda p: (
        ngettext(
            "%(count)d bill paid on time in the last 24 months",
            "%(count)d bills paid on time in the last 24 months",
            p["count"],
        )
        % p
    ),
    "late_bills_12m": _late_bills_text,
    "late_bills_older": lambda p: (
        ngettext(
            "%(count)d bill paid late between 1 and 5 years ago",
            "%(count)d bills paid late between 1 and 5 years ago",
            p["count"],
        )
        % p
    ),
    "overdue_unpaid": lambda p: (
        ngettext(
            "%(count)d bill past due and still unpaid",
            "%(count)d bills past due and still unpaid",
            p["count"],
        )
        % p
    ),
    "history_months": lambda p: (
        ngettext("%(months)d month of bill history", "%(months)d months of bill history", p["months"]) % p
    ),
    "credit_utilisation_pct": lambda p: gettext("Credit line %(percent)d%% used") % p,
    "avg_balance_3m": lambda p: (
        gettext("Average balance of %(amount)s over the last 3 months") % {"amount": money_text(p["amount"])}
    ),
    "rent_on_time_12m": lambda p: (
        ngettext(
            "%(count)d rent payment on time in the last 12 months",
            "%(count)d rent payments on time in the last 12 months",
            p["count"],
        )
        % p
    ),
    "rent_late_12m": lambda p: (
        ngettext(
            "%(count)d rent payment late in the last 12 months",
            "%(count)d rent payments late in the last 12 months",
            p["count"],
        )
        % p
    ),
    "credit_limit": lambda p: (
        gettext("Credit line limit of %(amount)s") % {"amount": money_text(p["amount"])}
    ),
    "purchases_12m": lambda p: (
        ngettext(
            "%(count)d purchase in the last 12 months",
            "%(count)d purchases in the last 12 months",
            p["count"],
        )
        % p
    ),
    "active_days_90d": lambda p: (
        ngettext(
            "Active on %(days)d day in the last 90 days",
            "Active on %(days)d days in the last 90 days",
            p["days"],
        )
        % p
    ),
    "real_name_verified": lambda p: (
        gettext("Real name verified") if p["verified"] else gettext("Real name not verified")
    ),
    "education": _education_text,
    "address_years": lambda p: (
        ngettext(
            "At the same address for %(years)d year", "At the same address for %(years)d years", p["years"]
        )
        % p
    ),
    "phone_verified": lambda p: (
        gettext("Phone number verified") if p["verified"] else gettext("Phone number not verified")
    ),
    "email_verified": lambda p: (
        gettext("Email address verified") if p["verified"] else gettext("Email address not verified")
    ),
    "confirmed_contacts": lambda p: (
        ngettext("%(count)d confirmed contact", "%(count)d confirmed contacts", p["count"]) % p
    ),
    "interactions_90d": lambda p: (
        ngettext(
            "%(count)d interaction with contacts in the last 90 days",
            "%(count)d interactions with contacts in the last 90 days",
            p["count"],
        )
        % p
    ),
}

_ADVICE: Mapping[tuple[str, str], Callable[[], str]] = {
    (BLACKLIST_ACTIVE, LOWERS): lambda: gettext(
        "If this listing is wrong, dispute it: disputes are answered within 20 days. "
        "If it is right, complying with the judgment gets it lifted."
    ),
    (BLACKLIST_ACTIVE, RAISES): lambda: gettext(
        "If this listing is wrong, dispute it: disputes are answered within 20 days."
    ),
    (BLACKLIST_RECENT, LOWERS): lambda: gettext(
        "The effect of a lifted listing fades month by month until it ends. If the listing was wrong, "
        "dispute it to have it removed entirely: disputes are answered within 20 days."
    ),
    (BLACKLIST_RECENT, RAISES): lambda: gettext(
        "The effect of a lifted listing fades month by month until it ends."
    ),
    (THIN_FILE, LOWERS): lambda: gettext(
        "A credit history takes time: every month of bills paid by their due date adds to it."
    ),
    (THIN_FILE, RAISES): lambda: gettext("Keep paying your bills by their due date."),
    ("on_time_bills_24m", LOWERS): lambda: gettext("Pay your bills by their due date."),
    ("on_time_bills_24m", RAISES): lambda: gettext("Keep paying your bills by their due date."),
    ("late_bills_12m", LOWERS): lambda: gettext(
        "Pay bills by their due date; late payments weigh less after 12 months "
        "and stop counting after 5 years."
    ),
    ("late_bills_12m", RAISES): lambda: gettext("Keep paying your bills by their due date."),
    ("late_bills_older", LOWERS): lambda: gettext(
        "Keep paying on time; late payments stop counting after 5 years."
    ),
    ("late_bills_older", RAISES): lambda: gettext("Keep paying your bills by their due date."),
    ("overdue_unpaid", LOWERS): lambda: gettext(
        "Pay the overdue bills; late payments stop counting after 5 years."
    ),
    ("overdue_unpaid", RAISES): lambda: gettext("Keep paying your bills by their due date."),
    ("history_months", LOWERS): lambda: gettext("Keep your accounts open and paid; a longer history helps."),
    ("history_months", RAISES): lambda: gettext("Keep your accounts open and paid; a longer history helps."),
    ("credit_utilisation_pct", LOWERS): lambda: gettext(
        "Pay down your credit line: the less of the limit you use, the better."
    ),
    ("credit_utilisation_pct", RAISES): lambda: gettext("Keep your credit line use low."),
    ("avg_balance_3m", LOWERS): lambda: gettext("Keep more money available on your accounts."),
    ("avg_balance_3m", RAISES): lambda: gettext("Keep a healthy balance available on your accounts."),
    ("rent_on_time_12m", LOWERS): lambda: gettext("Pay your rent by its due date."),
    ("rent_on_time_12m", RAISES): lambda: gettext("Keep paying your rent by its due date."),
    ("rent_late_12m", LOWERS): lambda: gettext(
        "Pay your rent by its due date; late rent stops counting after 12 months."
    ),
    ("rent_late_12m", RAISES): lambda: gettext("Keep paying your rent by its due date."),
    ("credit_limit", LOWERS): lambda: gettext("A credit line you keep in good standing helps over time."),
    ("credit_limit", RAISES): lambda: gettext("Keep your credit line in good standing."),
    ("purchases_12m", LOWERS): lambda: gettext("Use your account for everyday purchases."),
    ("purchases_12m", RAISES): lambda: gettext("Keep using your account for everyday purchases."),
    ("active_days_90d", LOWERS): lambda: gettext("Use your account regularly."),
    ("active_days_90d", RAISES): lambda: gettext("Keep using your account regularly."),
    ("real_name_verified", LOWERS): lambda: gettext("Check the real-name verification in your profile."),
    ("real_name_verified", RAISES): lambda: gettext("Keep your verified real name up to date."),
    ("education", LOWERS): lambda: gettext("Check the education in your profile."),
    ("education", RAISES): lambda: gettext("Keep your education up to date in your profile."),
    ("address_years", LOWERS): lambda: gettext("Keep your address up to date in your profile."),
    ("address_years", RAISES): lambda: gettext("Keep your address up to date in your profile."),
    ("phone_verified", LOWERS): lambda: gettext("Check the phone verification in your profile."),
    ("phone_verified", RAISES): lambda: gettext("Keep your verified phone number up to date."),
    ("email_verified", LOWERS): lambda: gettext("Check the email verification in your profile."),
    ("email_verified", RAISES): lambda: gettext("Keep your verified email address up to date."),
    ("confirmed_contacts", LOWERS): lambda: gettext("Confirm the people you know as contacts."),
    ("confirmed_contacts", RAISES): lambda: gettext("Keep your contacts confirmed."),
    ("interactions_90d", LOWERS): lambda: gettext("Stay in touch with your contacts."),
    ("interactions_90d", RAISES): lambda: gettext("Keep in touch with your contacts."),
}
