from django.contrib.auth.models import AnonymousUser

from .models import ConsumerProfile, Merchant, RealNameIdentity, User


def role_of(*, user: User | AnonymousUser) -> str:
    """The word the UI keys its navigation on: anonymous, consumer, merchant, pending_merchant or staff."""
    if not user.is_authenticated:
        return "anonymous"
    membership = user.merchant_membership
    if membership is not None:
        return "merchant" if membership.merchant.is_approved else "pending_merchant"
    if user.is_staff:
        return "staff"
    return "consumer"


def merchant_of(*, user: User | AnonymousUser) -> Merchant | None:
    """The approved merchant this login works for, if any."""
    if not user.is_authenticated:
        return None
    membership = user.merchant_membership
    if membership is None or not membership.merchant.is_approved:
        return None
    return membership.merchant


def consumer_profile(*, user: User) -> ConsumerProfile | None:
    return getattr(user, "consumer", None)


def identity_of(*, user: User) -> RealNameIdentity | None:
    """The person's real-name identity request, if they ever made one."""
    return RealNameIdentity.objects.filter(user_id=user.pk).first()


def identity_is_verified(*, user: User) -> bool:
    return RealNameIdentity.objects.filter(user_id=user.pk, status=RealNameIdentity.Status.VERIFIED).exists()


def identity_requests_pending(*, limit: int = 100) -> list[RealNameIdentity]:
    """The oldest pending identity requests, with their logins, for a verifier to work through."""
    pending = RealNameIdentity.objects.filter(status=RealNameIdentity.Status.PENDING).select_related("user")
    return list(pending.order_by("submitted_at", "id")[:limit])
