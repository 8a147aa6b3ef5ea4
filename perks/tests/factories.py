"""factory_boy factories for the perks models (and the merchants and people they need).

They write rows directly, for setting a scene fast; the behaviour under test always goes
through the services.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import ConsumerProfile, Merchant, User
from core.keys import key_hash
from perks.models import BenefitType, Category, Claim, Promotion, Share


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda n: f"Merchant {n}")
    slug = factory.Sequence(lambda n: f"merchant-{n}")
    status = Merchant.Status.APPROVED
    approved_at = factory.LazyFunction(timezone.now)


class PersonFactory(factory.django.DjangoModelFactory):
    """An opted-in consumer whose current score is set directly (``profile__score=720``)."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"someone{n}")
    email = factory.LazyAttribute(lambda person: f"{person.username}@example.com")
    password = "!"  # unusable: these people never log in with a password
    profile = factory.RelatedFactory(
        "perks.tests.factories.ProfileFactory", factory_related_name="user", score=700
    )


class ProfileFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ConsumerProfile

    user = factory.SubFactory(PersonFactory, profile=None)
    is_opted_in = True
    opted_in_at = factory.LazyFunction(timezone.now)
    consent_version = "2026-11"
    score = 700
    score_as_of = factory.LazyFunction(timezone.localdate)


class PromotionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Promotion

    merchant = factory.SubFactory(MerchantFactory)
    title = factory.Sequence(lambda n: f"Promotion {n}")
    category = Category.DEPOSIT_FREE
    benefit_type = BenefitType.DEPOSIT_WAIVER
    amount = Decimal("299.00")
    min_score = 650
    quantity = None
    remaining = factory.LazyAttribute(lambda promotion: promotion.quantity)
    starts_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))
    status = Promotion.Status.ACTIVE


class ClaimFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Claim

    promotion = factory.SubFactory(PromotionFactory)
    person = factory.SubFactory(PersonFactory)
    code = factory.Sequence(lambda n: f"TEST{n:06d}")
    benefit = "Deposit of ¥299.00 waived"
    claimed_at = factory.LazyFunction(timezone.now)
    pickup_deadline = factory.LazyAttribute(lambda claim: claim.claimed_at + datetime.timedelta(days=7))


class ShareFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Share

    person = factory.SubFactory(PersonFactory)
    token = factory.Sequence(lambda n: f"token-{n:037d}")
    show = Share.Show.BAND
    expires_at = factory.LazyFunction(lambda: timezone.now() + datetime.timedelta(days=30))

    @classmethod
    def _create(cls, model_class: type[Share], *args: object, **kwargs: object) -> Share:
        # As share_create does: the hash is stored, the token rides on the object.
        token = str(kwargs.pop("token"))
        share = super()._create(model_class, *args, token_hash=key_hash(token), **kwargs)
        share.token = token
        return share
