"""The merchant API: promotions, their audience and claims, and the counter (shared/api.md)."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Merchant, Region
from accounts.selectors import merchant_of
from core.api import BoundedDateTimeField
from core.requests import signed_in_user
from core.throttles import SettingsUserRateThrottle

from .. import presentation, selectors, services
from ..apis import ClaimSerializer, PerksApiView, PromotionBriefSerializer, not_found
from ..models import BenefitType, Category, Claim, Promotion


class IsApprovedMerchant(BasePermission):
    message = _("Only staff of an approved merchant can do this.")

    def has_permission(self, request: Request, view: APIView) -> bool:
        return merchant_of(user=request.user) is not None


class MerchantApiView(PerksApiView):
    permission_classes = [IsAuthenticated, IsApprovedMerchant]

    @property
    def merchant(self) -> Merchant:
        merchant = merchant_of(user=self.request.user)
        assert merchant is not None  # guaranteed by IsApprovedMerchant
        return merchant

    def own_promotion(self, pk: int) -> Promotion:
        promotion = selectors.promotion_for_merchant(merchant_id=self.merchant.pk, pk=pk)
        if promotion is None:
            raise not_found()
        return promotion


# The JSON a promotion holds, parsed by the services (with their own messages) but described
# exactly in the schema, so a generated client gets typed values rather than bare objects.
@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": True,
        "description": (
            'A condition tree: {} for none; a group {"all": [node, ...]} or {"any": [node, ...]}; '
            'a leaf {"attr": "membership_tier" | "region", "in": [...]}, '
            '{"attr": "identity_verified", "is": true}, '
            '{"attr": "dimension", "key": "credit_history", "gte": 75} or '
            '{"counter": "ticket_class", "in": ["first"]}.'
        ),
    }
)
class ConditionsField(serializers.JSONField):
    pass


class TierSerializer(serializers.Serializer):
    """A score tier of the benefit: from ``min_score`` (a multiple of 50), this benefit."""

    min_score = serializers.IntegerField(min_value=350, max_value=950)
    benefit = serializers.CharField()
    benefit_zh = serializers.CharField(required=False)


@extend_schema_field(TierSerializer(many=True))
class TiersField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "enum": list(Region.values)},
        "description": "Only people living in these regions; empty: everywhere.",
    }
)
class RegionsField(serializers.JSONField):
    pass


@extend_schema_field(
    {
        "type": "object",
        "additionalProperties": {"type": "string"},
        "description": 'What staff saw at the counter, such as {"ticket_class": "first"}.',
    }
)
class CounterFactsField(serializers.JSONField):
    pass


class PromotionInputSerializer(serializers.Serializer):
    """Parses types only; the rules (ranges, transitions, condition trees) live in the services."""

    title = serializers.CharField(max_length=120)
    title_zh = serializers.CharField(max_length=120, allow_blank=True, required=False)
    description = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    description_zh = serializers.CharField(max_length=5000, allow_blank=True, required=False)
    category = serializers.ChoiceField(choices=Category.choices)
    benefit_type = serializers.ChoiceField(choices=BenefitType.choices)
    trial_days = serializers.IntegerField(allow_null=True, required=False)
    amount = serializers.DecimalField(max_digits=None, decimal_places=None, allow_null=True, required=False)
    min_score = serializers.IntegerField()
    conditions = ConditionsField(required=False)
    tiers = TiersField(required=False)
    regions = RegionsField(required=False)
    quantity = serializers.IntegerField(allow_null=True, required=False)
    per_user_limit = serializers.IntegerField(required=False)
    pickup_days = serializers.IntegerField(required=False)
    min_account_age_days = serializers.IntegerField(required=False)
    starts_at = BoundedDateTimeField()
    ends_at = BoundedDateTimeField(allow_null=True, required=False)
    status = serializers.ChoiceField(choices=Promotion.Status.choices, required=False)


class PromotionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    title_zh = serializers.CharField()
    description = serializers.CharField()
    description_zh = serializers.CharField()
    category = serializers.CharField()
    benefit_type = serializers.CharField()
    trial_days = serializers.IntegerField(allow_null=True)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    min_score = serializers.IntegerField()
    conditions = ConditionsField()
    tiers = TiersField()
    regions = RegionsField()
    quantity = serializers.IntegerField(allow_null=True)
    remaining = serializers.IntegerField(allow_null=True)
    per_user_limit = serializers.IntegerField()
    pickup_days = serializers.IntegerField()
    min_account_age_days = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField(allow_null=True)
    status = serializers.CharField()
    claims_count = serializers.IntegerField()
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()


class PromotionDetailSerializer(PromotionSerializer):
    sellout_forecast = serializers.SerializerMethodField()

    def get_sellout_forecast(self, promotion: Promotion) -> str | None:
        forecast = selectors.sellout_forecast(promotion=promotion)
        return serializers.DateTimeField().to_representation(forecast) if forecast else None


class MerchantPromotionsApi(MerchantApiView):
    @extend_schema(responses={200: PromotionSerializer(many=True)}, summary="My promotions")
    def get(self, request: Request) -> Response:
        return self.paginate(
            selectors.promotions_for_merchant(merchant_id=self.merchant.pk), PromotionSerializer
        )

    @extend_schema(request=PromotionInputSerializer, responses={201: PromotionDetailSerializer})
    def post(self, request: Request) -> Response:
        data = PromotionInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        promotion = services.promotion_create(
            merchant=self.merchant, actor=signed_in_user(request), **data.validated_data
        )
        return Response(
            PromotionDetailSerializer(self.own_promotion(promotion.pk)).data, status=status.HTTP_201_CREATED
        )


class MerchantPromotionApi(MerchantApiView):
    @extend_schema(responses={200: PromotionDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(PromotionDetailSerializer(self.own_promotion(pk)).data)

    @extend_schema(
        request=PromotionInputSerializer(partial=True),
        responses={200: PromotionDetailSerializer},
        description="Change fields; a `status` moves the promotion along draft → active ⇄ paused → ended.",
    )
    def patch(self, request: Request, pk: int) -> Response:
        promotion = self.own_promotion(pk)
        data = PromotionInputSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        services.promotion_update(promotion=promotion, actor=signed_in_user(request), **data.validated_data)
        return Response(PromotionDetailSerializer(self.own_promotion(pk)).data)


class BucketSerializer(serializers.Serializer):
    to = serializers.IntegerField(source="high")
    count = serializers.IntegerField(allow_null=True)

    def get_fields(self) -> dict[str, serializers.Field]:
        # "from" is a Python keyword, so it cannot be declared as an attribute.
        return {"from": serializers.IntegerField(source="low"), **super().get_fields()}


class AudienceSerializer(serializers.Serializer):
    qualifying = serializers.IntegerField(allow_null=True)
    histogram = BucketSerializer(many=True)
    unknown_conditions = serializers.ListField(
        child=serializers.CharField(),
        help_text="Conditions only the counter checks, in words: the counts assume they are met.",
    )


class MerchantAudienceApi(MerchantApiView):
    @extend_schema(
        responses={200: AudienceSerializer},
        description=(
            "People the promotion reaches today: opted in, not blacklisted, at or above the threshold "
            "and meeting every condition known online (account age, region, membership tier, verified "
            "identity, sub-scores). Counts under 10 are null, the rest rounded down to tens. "
            "`unknown_conditions` names the conditions checked at the counter, which the counts "
            "cannot know."
        ),
    )
    def get(self, request: Request, pk: int) -> Response:
        audience = selectors.promotion_audience(promotion=self.own_promotion(pk))
        return Response(AudienceSerializer(audience).data)


class MerchantClaimSerializer(ClaimSerializer):
    """A claim as its merchant sees it (perks.presentation): no person, no score."""

    promotion = PromotionBriefSerializer()

    def to_representation(self, instance: Claim) -> dict[str, Any]:
        return serializers.Serializer.to_representation(self, presentation.merchant_claim(instance))


class ClaimFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Claim.Status.choices, required=False)


class MerchantPromotionClaimsApi(MerchantApiView):
    @extend_schema(
        parameters=[ClaimFilterSerializer],
        responses={200: MerchantClaimSerializer(many=True)},
        summary="Claims on my promotion",
    )
    def get(self, request: Request, pk: int) -> Response:
        promotion = self.own_promotion(pk)
        query = ClaimFilterSerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        claims = selectors.claims_for_promotion(
            promotion=promotion, status=query.validated_data.get("status")
        )
        return self.paginate(claims, MerchantClaimSerializer)


class ClaimMarkSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[
            (Claim.Status.RETURNED, Claim.Status.RETURNED.label),
            (Claim.Status.CONVERTED, Claim.Status.CONVERTED.label),
            (Claim.Status.OVERDUE, Claim.Status.OVERDUE.label),
        ]
    )


class MerchantClaimMarkApi(MerchantApiView):
    @extend_schema(request=ClaimMarkSerializer, responses={200: MerchantClaimSerializer})
    def post(self, request: Request, pk: int) -> Response:
        claim = selectors.claim_for_merchant(merchant_id=self.merchant.pk, pk=pk)
        if claim is None:
            raise not_found()
        data = ClaimMarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.claim_mark(merchant=self.merchant, claim=claim, status=data.validated_data["status"])
        return Response(MerchantClaimSerializer(claim).data)


class VerifyInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, allow_blank=True, trim_whitespace=True)
    counter_facts = CounterFactsField(required=False)


class VerifyResultSerializer(serializers.Serializer):
    """What the counter sees: never a person, never a score."""

    valid = serializers.BooleanField()
    status = serializers.CharField(allow_null=True)
    promotion = PromotionBriefSerializer(allow_null=True)
    benefit = serializers.CharField(allow_null=True)
    due_back = serializers.DateField(allow_null=True)
    reason = serializers.CharField()
    at_counter = serializers.ListField(child=serializers.CharField())


class VerifyThrottle(SettingsUserRateThrottle):
    """Codes are unguessable, and this keeps it so: a counter checks at most this many a minute."""

    scope = "perks_verify"


class HandOverResultSerializer(VerifyResultSerializer):
    """What the counter sees after a hand-over: the check's answer, the claim, and until when it
    can be undone."""

    claim = serializers.IntegerField(source="claim.pk", allow_null=True, default=None)
    undo_until = serializers.DateTimeField(allow_null=True)


class MerchantVerifyApi(MerchantApiView):
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        request=VerifyInputSerializer,
        responses={200: VerifyResultSerializer},
        summary="Check a claim code at the counter",
        description=(
            "Checks a code and changes nothing: a valid code stays active until the hand-over is "
            "confirmed (`POST /api/v1/merchant/hand-over/`). Unknown codes and other merchants' "
            "codes both answer 200 with valid false."
        ),
    )
    def post(self, request: Request) -> Response:
        data = VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.claim_check(
            merchant=self.merchant,
            code=data.validated_data["code"],
            counter_facts=data.validated_data.get("counter_facts"),
        )
        return Response(VerifyResultSerializer(result).data)


class MerchantHandOverApi(MerchantApiView):
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        request=VerifyInputSerializer,
        responses={200: HandOverResultSerializer},
        summary="Confirm the hand-over of a checked code",
        description=(
            "Checks the code again and, if valid, honours it: the claim becomes `in_use` (a trial, "
            "with its `due_back`) or `used`. `undo_until` says until when "
            "`POST /api/v1/merchant/claims/{id}/undo-hand-over/` can take it back. A code that is "
            "not valid answers as the check does (200, valid false) and changes nothing."
        ),
    )
    def post(self, request: Request) -> Response:
        data = VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.claim_hand_over(
            merchant=self.merchant,
            code=data.validated_data["code"],
            counter_facts=data.validated_data.get("counter_facts"),
            actor=request.user,
        )
        return Response(HandOverResultSerializer(result).data)


class MerchantHandOverUndoApi(MerchantApiView):
    @extend_schema(
        request=None,
        responses={200: MerchantClaimSerializer},
        summary="Undo a hand-over",
        description=(
            "Within five minutes of its hand-over, the claim becomes active again (or expired, if "
            "its pickup deadline has passed meanwhile). Later, or for a claim not handed over, 400."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        claim = selectors.claim_for_merchant(merchant_id=self.merchant.pk, pk=pk)
        if claim is None:
            raise not_found()
        claim = services.claim_hand_over_undo(merchant=self.merchant, claim=claim, actor=request.user)
        return Response(MerchantClaimSerializer(claim).data)
