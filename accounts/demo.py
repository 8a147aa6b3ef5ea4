"""Demo logins and merchants for seed_demo: the people and businesses of shared/api.md."""

import datetime
from typing import overload

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from . import resident_ids
from .models import (
    CONSENT_VERSION,
    ConsumerProfile,
    MembershipTier,
    Merchant,
    MerchantStaff,
    RealNameIdentity,
    Region,
    User,
)

DEMO_PASSWORD = "demo-pass-950"  # noqa: S105 - published demo password (shared/api.md)

# username: region, tier and how many months ago they opted in (None: never), the named
# consumers whose situations the demo shows.
NAMED_CONSUMERS = {
    "alice": (Region.SHANGHAI, MembershipTier.PLATINUM, 13),
    "bob": (Region.ZHEJIANG, MembershipTier.GOLD, 13),
    "carol": (Region.BEIJING, MembershipTier.STANDARD, 0),
    "dave": (Region.GUANGDONG, MembershipTier.STANDARD, 13),
    "erin": (Region.SHANGHAI, MembershipTier.STANDARD, None),
}
# Synthetic people opted in long enough ago for a year of monthly scores.
SYNTHETIC_OPTED_IN_MONTHS = 13
# Every demo login was made this long ago (carol too: she opted in just now, on an old
# account), so perks that ask for an established account (deposit waivers) are open to them.
JOINED_MONTHS_AGO = 14


@overload
def opted_in_months_ago(months: int) -> datetime.datetime: ...
@overload
def opted_in_months_ago(months: None) -> None: ...
def opted_in_months_ago(months: int | None) -> datetime.datetime | None:
    """When someone who opted in that many months ago did so (at the start of that day)."""
    if months is None:
        return None
    now = timezone.localtime()
    if months == 0:
        return now
    return (now - datetime.timedelta(days=round(months * 30.44))).replace(
        hour=9, minute=0, second=0, microsecond=0
    )


# slug: (name, description, staff login or None)
MERCHANTS = {
    "ford": ("Ford", "New cars to test-drive for free.", "ford"),
    "meitu": ("Meitu", "Phones to try for 30 days.", "meitu"),
    "hellobike": ("Hello Bike", "Shared bikes without a deposit.", "hellobike"),
    "ofo": ("Ofo", "Shared bikes without a deposit.", None),
    "huashan": ("Huashan Hospital", "Credit medical treatment in Shanghai.", "huashan"),
    "library": ("Zhejiang Library", "Library cards across Zhejiang province.", "library"),
    "tmall": ("Tmall", "Try first, pay later.", None),
    "huabei": ("Huabei", "A consumer credit line.", None),
    "railway": ("China Railway", "Station lounges at busy seasons.", None),
    "sharing": ("Everyday Sharing", "Umbrellas, power banks and apartments without deposit.", None),
}

# Where and when each demo merchant's counter is open.
MERCHANT_PLACES = {
    "ford": ("Ford Lujiazui Showroom, 88 Century Avenue, Pudong, Shanghai", "Mon-Sun 09:00-20:00"),
    "meitu": ("Meitu Store, 1 Nanjing Road East, Huangpu, Shanghai", "Mon-Sun 10:00-22:00"),
    "hellobike": ("Any Hello Bike dock (unlock in the app)", "Every day, around the clock"),
    "huashan": ("Huashan Hospital, 12 Middle Urumqi Road, Jing'an, Shanghai", "Mon-Fri 08:00-17:00"),
    "library": ("Zhejiang Library, 38 Shuguang Road, Xihu, Hangzhou", "Tue-Sun 09:00-20:30"),
}


def demo_password_hash() -> str:
    # Hashing once and reusing the hash keeps seeding thousands of logins fast.
    return make_password(DEMO_PASSWORD)


def users_ensure(
    *, usernames: list[str], password_hash: str, email_domain: str = "demo.example"
) -> dict[str, User]:
    """The given logins, created if missing (existing ones are left exactly as they are)."""
    existing = {user.username: user for user in User.objects.filter(username__in=usernames)}
    joined = opted_in_months_ago(JOINED_MONTHS_AGO)
    missing = [
        User(username=name, email=f"{name}@{email_domain}", password=password_hash, date_joined=joined)
        for name in usernames
        if name not in existing
    ]
    User.objects.bulk_create(missing, batch_size=1000)
    return {user.username: user for user in User.objects.filter(username__in=usernames)}


def consumers_ensure(
    *,
    users: list[User],
    regions: dict[str, str],
    tiers: dict[str, str],
    opted_in_at: dict[str, datetime.datetime | None],
) -> None:
    have = set(ConsumerProfile.objects.filter(user__in=users).values_list("user_id", flat=True))
    ConsumerProfile.objects.bulk_create(
        [
            ConsumerProfile(
                user=user,
                region=regions[user.username],
                membership_tier=tiers[user.username],
                is_opted_in=opted_in_at[user.username] is not None,
                opted_in_at=opted_in_at[user.username],
                consent_version=CONSENT_VERSION if opted_in_at[user.username] else "",
            )
            for user in users
            if user.pk not in have
        ],
        batch_size=1000,
    )


def demo_resident_id(user_id: int) -> str:
    """A checksum-valid resident ID number of its own for each demo login (by its id)."""
    birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=user_id % 20000)
    return resident_ids.resident_id_make(birth=birth, sequence=user_id // 20000)


def identities_ensure(*, users: list[User]) -> int:
    """A verified real-name identity for each login without one (existing ones are left as they are)."""
    have = set(RealNameIdentity.objects.filter(user__in=users).values_list("user_id", flat=True))
    now = timezone.now()
    made = RealNameIdentity.objects.bulk_create(
        [
            RealNameIdentity(
                user=user,
                legal_name=f"{user.username.title()} Demo",
                id_hash=resident_ids.resident_id_hash(number := demo_resident_id(user.pk)),
                id_last4=number[-4:],
                status=RealNameIdentity.Status.VERIFIED,
                decided_by="demo data",
                submitted_at=now,
                decided_at=now,
            )
            for user in users
            if user.pk not in have
        ],
        batch_size=1000,
    )
    return len(made)


def merchants_ensure(*, password_hash: str) -> dict[str, Merchant]:
    merchants: dict[str, Merchant] = {}
    for slug, (name, description, login) in MERCHANTS.items():
        merchant, _ = Merchant.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "description": description,
                "contact_email": f"{slug}@merchants.demo.example",
                "status": Merchant.Status.APPROVED,
                "approved_at": timezone.now(),
            },
        )
        if slug in MERCHANT_PLACES and not merchant.address:
            merchant.address, merchant.opening_hours = MERCHANT_PLACES[slug]
            merchant.save(update_fields=["address", "opening_hours", "updated_at"])
        merchants[slug] = merchant
        if login:
            user = users_ensure(
                usernames=[login], password_hash=password_hash, email_domain="merchants.demo.example"
            )[login]
            MerchantStaff.objects.get_or_create(user=user, defaults={"merchant": merchant, "role": "owner"})
    return merchants


def admin_ensure(*, password_hash: str) -> User:
    admin, _created = User.objects.get_or_create(
        username="admin",
        defaults={
            "email": "admin@demo.example",
            "password": password_hash,
            "is_staff": True,
            "is_superuser": True,
        },
    )
    return admin


def reviewer_ensure(*, password_hash: str) -> User:
    """A second platform staff member: scoring models need someone other than their author to approve."""
    reviewer, _created = User.objects.get_or_create(
        username="reviewer",
        defaults={
            "email": "reviewer@demo.example",
            "password": password_hash,
            "is_staff": True,
            "is_superuser": True,
        },
    )
    return reviewer
