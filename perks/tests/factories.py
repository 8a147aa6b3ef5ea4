"""factory_boy factories for the perks models (and the merchants and people they need).

They write rows directly, for setting a scene fast; the behaviour under test always goes
through the services.
"""

import datetime
from decimal import Decimal

import factory
from django.utils import timezone

from accounts.models import ConsumerProfile, Merchant, RealNameIdentity, User
from accounts.resident_ids import resident_id_hash, resident_id_make
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
    # Real-name verified, as every claimant must be (one real person, one profile).
    real_name = factory.RelatedFactory(
        "perks.tests.factories.RealNameIdentityFactory", factory_related_name="user"
    )


class RealNameIdentityFactory(factory.django.DjangoModelFactory):
    """A verified identity with a resident ID number of its own (only its hash is stored)."""

    class Meta:
        model = RealNameIdentity

    user = factory.SubFactory(PersonFactory, real_name=None)
    legal_name = factory.LazyAttribute(lambda identity: identity.user.username.title())
    id_hash = factory.LazyAttribute(lambda identity: resident_id_hash(identity.number))
    id_last4 = factory.LazyAttribute(lambda identity: identity.number[-4:])
    status = RealNameIdentity.Status.VERIFIED
    submitted_at = factory.LazyFunction(timezone.now)
    decided_at = factory.LazyFunction(timezone.now)

    class Params:
        number = factory.Sequence(
            lambda n: resident_id_make(
                birth=datetime.date(1970, 1, 1) + datetime.timedelta(days=n), sequence=n
            )
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
