"""Demo logins and merchants for seed_demo: the people and businesses of shared/api.md."""

from django.contrib.auth.hashers import make_password
from django.utils import timezone

from .models import ConsumerProfile, MembershipTier, Merchant, MerchantStaff, Region, User

DEMO_PASSWORD = "demo-pass-950"  # noqa: S105 - published demo password (shared/api.md)

# username, region, tier: the named consumers whose situations the demo shows.
NAMED_CONSUMERS = {
    "alice": (Region.SHANGHAI, MembershipTier.PLATINUM, True),
    "bob": (Region.ZHEJIANG, MembershipTier.GOLD, True),
    "carol": (Region.BEIJING, MembershipTier.STANDARD, True),
    "dave": (Region.GUANGDONG, MembershipTier.STANDARD, True),
    "erin": (Region.SHANGHAI, MembershipTier.STANDARD, False),
}

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


def demo_password_hash() -> str:
    # Hashing once and reusing the hash keeps seeding thousands of logins fast.
    return make_password(DEMO_PASSWORD)


def users_ensure(
    *, usernames: list[str], password_hash: str, email_domain: str = "demo.example"
) -> dict[str, User]:
    """The given logins, created if missing (existing ones are left exactly as they are)."""
    existing = {user.username: user for user in User.objects.filter(username__in=usernames)}
    missing = [
        User(username=name, email=f"{name}@{email_domain}", password=password_hash)
        for name in usernames
        if name not in existing
    ]
    User.objects.bulk_create(missing, batch_size=1000)
    return {user.username: user for user in User.objects.filter(username__in=usernames)}


def consumers_ensure(
    *, users: list[User], regions: dict[str, str], tiers: dict[str, str], opted_in: dict[str, bool]
) -> None:
    have = set(ConsumerProfile.objects.filter(user__in=users).values_list("user_id", flat=True))
    now = timezone.now()
    ConsumerProfile.objects.bulk_create(
        [
            ConsumerProfile(
                user=user,
                region=regions[user.username],
                membership_tier=tiers[user.username],
                is_opted_in=opted_in[user.username],
                opted_in_at=now if opted_in[user.username] else None,
                consent_version="2026-11" if opted_in[user.username] else "",
            )
            for user in users
            if user.pk not in have
        ],
        batch_size=1000,
    )


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
