"""The perks JSON API of shared/api.md: perks and claims, shares, and the merchant console.

Each endpoint parses with an input serializer, calls one service or selector, and answers
with an output serializer; the perks exceptions become the statuses and codes of the contract.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Merchant
from accounts.selectors import merchant_of
from portal.api import BoundedDateTimeField, DomainError
from portal.parsers import BoundedJSONParser
from portal.throttles import SettingsUserRateThrottle

from . import selectors, services
from .exceptions import (
    IdempotencyMismatch,
    LimitReached,
    NotActive,
    NotEligible,
    NotOptedIn,
    PerksError,
    SoldOut,
)
from .models import BenefitType, Category, Claim, Promotion, Share

ERROR_STATUS = {
    NotActive: status.HTTP_409_CONFLICT,
    SoldOut: status.HTTP_409_CONFLICT,
    LimitReached: status.HTTP_409_CONFLICT,
    NotEligible: status.HTTP_403_FORBIDDEN,
    NotOptedIn: status.HTTP_403_FORBIDDEN,
    IdempotencyMismatch: status.HTTP_422_UNPROCESSABLE_ENTITY,
}


def _domain_error(exc: PerksError) -> DomainError:
    extra: dict[str, Any] = {"unmet": exc.unmet} if isinstance(exc, NotEligible) else {}
    return DomainError(str(exc.message), code=exc.code, status_code=ERROR_STATUS.get(type(exc), 400), **extra)


class PerksApiView(APIView):
    # JSON only; bounded in size (413) and depth (400) as everywhere in the API.
    parser_classes = [BoundedJSONParser]
    # Declared so the schema shows list responses as the pages they are ({count, next, ...}).
    pagination_class = PageNumberPagination

    def paginate(self, items: Any, serializer_class: type[serializers.Serializer]) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(items, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


def _not_found() -> Http404:
    return Http404(_("Not found."))


# Shared output shapes ----------------------------------------------------------------------


class MerchantRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class PromotionBriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class PromotionRefSerializer(PromotionBriefSerializer):
    merchant = MerchantRefSerializer()


# Consumers: perks and claims ---------------------------------------------------------------


class PerkSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="promotion.id")
    title = serializers.CharField(source="promotion.title")
    title_zh = serializers.CharField(source="promotion.title_zh")
    description = serializers.CharField(source="promotion.description")
    description_zh = serializers.CharField(source="promotion.description_zh")
    merchant = MerchantRefSerializer(source="promotion.merchant")
    category = serializers.CharField(source="promotion.category")
    benefit_type = serializers.CharField(source="promotion.benefit_type")
    benefit = serializers.CharField()
    min_score = serializers.IntegerField(source="promotion.min_score")
    quantity = serializers.IntegerField(source="promotion.quantity", allow_null=True)
    remaining = serializers.IntegerField(allow_null=True)
    ends_at = serializers.DateTimeField(source="promotion.ends_at", allow_null=True)
    eligible = serializers.BooleanField()
    points_away = serializers.IntegerField(allow_null=True)
    unmet = serializers.ListField(child=serializers.CharField())
    at_counter = serializers.ListField(child=serializers.CharField())
    claims_left = serializers.IntegerField()


class CounterCheckSerializer(serializers.Serializer):
    merchant = MerchantRefSerializer()
    checked_at = serializers.DateTimeField()
    outcome = serializers.CharField()


class ClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.CharField()
    promotion = PromotionRefSerializer()
    benefit = serializers.CharField()
    claimed_at = serializers.DateTimeField()
    pickup_deadline = serializers.DateTimeField()
    verified_at = serializers.DateTimeField(allow_null=True)
    due_back = serializers.DateField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)


class MyClaimSerializer(ClaimSerializer):
    counter_checks = CounterCheckSerializer(many=True)


class PerksApi(PerksApiView):
    @extend_schema(responses={200: PerkSerializer(many=True)}, summary="Live perks and my eligibility")
    def get(self, request: Request) -> Response:
        perks = selectors.perks_for_person(person=request.user)
        return self.paginate(perks, PerkSerializer)


ERROR_BODY = inline_serializer(
    "PerksError",
    fields={"detail": serializers.CharField(), "code": serializers.CharField()},
)


class ClaimCreateApi(PerksApiView):
    @extend_schema(
        request=None,
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                location=OpenApiParameter.HEADER,
                required=False,
                description=(
                    "Retrying with the same key (at most 100 visible ASCII characters) within 24 hours "
                    "returns the first claim (201, the same body) and claims nothing more; the same key "
                    "with another request is 422 idempotency_mismatch. A refusal is not remembered, and "
                    "after 24 hours the key is evaluated afresh."
                ),
            )
        ],
        responses={
            201: ClaimSerializer,
            403: OpenApiResponse(ERROR_BODY, description="not_eligible (with unmet)"),
            404: OpenApiResponse(ERROR_BODY, description="Unknown promotion"),
            409: OpenApiResponse(ERROR_BODY, description="sold_out, limit_reached or not_active"),
            422: OpenApiResponse(ERROR_BODY, description="idempotency_mismatch"),
        },
        summary="Claim a perk",
    )
    def post(self, request: Request, pk: int) -> Response:
        key = request.headers.get("Idempotency-Key") or None
        try:
            # The service reads the promotion itself (only a live one can be claimed, or a claim
            # replayed), so whether the id is known is asked only when the claim is refused.
            claim = services.claim_create(
                promotion=Promotion(pk=pk),
                person=request.user,
                idempotency_key=key,
                fingerprint=services.claim_fingerprint(promotion_id=pk, body=request.body),
            )
        except (PerksError, DjangoValidationError) as exc:
            if selectors.promotion_claimable(pk=pk) is None:
                raise _not_found() from exc
            if isinstance(exc, PerksError):
                raise _domain_error(exc) from exc
            raise
        # The service returns the claim with its promotion and merchant: no need to read it again.
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class MyClaimsApi(PerksApiView):
    @extend_schema(responses={200: MyClaimSerializer(many=True)}, summary="My claims, newest first")
    def get(self, request: Request) -> Response:
        return self.paginate(selectors.claims_for_person(person=request.user), MyClaimSerializer)


class MyClaimCancelApi(PerksApiView):
    @extend_schema(request=None, responses={200: MyClaimSerializer}, summary="Cancel an unused claim")
    def post(self, request: Request, pk: int) -> Response:
        claim = selectors.claim_for_person(person=request.user, pk=pk)
        if claim is None:
            raise _not_found()
        services.claim_cancel(claim=claim, person=request.user)
        return Response(MyClaimSerializer(selectors.claim_for_person(person=request.user, pk=pk)).data)


# Consumers: shares -------------------------------------------------------------------------


class ShareInputSerializer(serializers.Serializer):
    show = serializers.ChoiceField(choices=Share.Show.choices)
    expires_in_days = serializers.IntegerField()


class ShareSerializer(serializers.Serializer):
    """A share as listed: its token is not kept (only its hash), so no link either."""

    id = serializers.IntegerField()
    show = serializers.CharField()
    expires_at = serializers.DateTimeField()
    revoked_at = serializers.DateTimeField(allow_null=True)


class NewShareSerializer(ShareSerializer):
    """A share just made: its token and link, shown this once."""

    token = serializers.CharField()
    url = serializers.SerializerMethodField()

    def get_url(self, share: Share) -> str:
        path = reverse("api:share-public", kwargs={"token": share.token})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request is not None else path


class PublicShareSerializer(serializers.Serializer):
    band = serializers.CharField()
    as_of = serializers.DateField(allow_null=True)
    score = serializers.IntegerField(required=False)

    def to_representation(self, instance: selectors.PublicShare) -> dict[str, Any]:
        data = super().to_representation(instance)
        if instance.score is None:
            data.pop("score", None)
        return data


class MySharesApi(PerksApiView):
    @extend_schema(responses={200: ShareSerializer(many=True)}, summary="My shares")
    def get(self, request: Request) -> Response:
        shares = selectors.shares_for_person(person=request.user)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(shares, request, view=self)
        return paginator.get_paginated_response(
            ShareSerializer(page, many=True, context={"request": request}).data
        )

    @extend_schema(
        request=ShareInputSerializer,
        responses={201: NewShareSerializer, 403: OpenApiResponse(ERROR_BODY, description="not_opted_in")},
        summary="Share my band or score",
    )
    def post(self, request: Request) -> Response:
        data = ShareInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            share = services.share_create(person=request.user, **data.validated_data)
        except PerksError as exc:
            raise _domain_error(exc) from exc
        response = Response(
            NewShareSerializer(share, context={"request": request}).data, status=status.HTTP_201_CREATED
        )
        response["Cache-Control"] = "private, no-store"  # the token is shown this once
        return response


class MyShareApi(PerksApiView):
    @extend_schema(responses={204: OpenApiResponse(description="Revoked")}, summary="Revoke a share")
    def delete(self, request: Request, pk: int) -> Response:
        share = selectors.share_for_person(person=request.user, pk=pk)
        if share is None:
            raise _not_found()
        services.share_revoke(share=share, person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class SharePublicApi(PerksApiView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: PublicShareSerializer, 404: OpenApiResponse(description="Revoked or expired")}
    )
    def get(self, request: Request, token: str) -> Response:
        shared = selectors.share_public(token=token)
        if shared is None:
            raise _not_found()
        return Response(PublicShareSerializer(shared).data)


# Merchants ---------------------------------------------------------------------------------


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
            raise _not_found()
        return promotion


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
    conditions = serializers.JSONField(required=False)
    tiers = serializers.JSONField(required=False)
    regions = serializers.JSONField(required=False)
    quantity = serializers.IntegerField(allow_null=True, required=False)
    per_user_limit = serializers.IntegerField(required=False)
    pickup_days = serializers.IntegerField(required=False)
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
    conditions = serializers.JSONField()
    tiers = serializers.JSONField()
    regions = serializers.JSONField()
    quantity = serializers.IntegerField(allow_null=True)
    remaining = serializers.IntegerField(allow_null=True)
    per_user_limit = serializers.IntegerField()
    pickup_days = serializers.IntegerField()
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
            merchant=self.merchant, actor=request.user, **data.validated_data
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
        services.promotion_update(promotion=promotion, actor=request.user, **data.validated_data)
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


class MerchantAudienceApi(MerchantApiView):
    @extend_schema(
        responses={200: AudienceSerializer},
        description="People a threshold reaches: counts under 10 are null, the rest rounded down to tens.",
    )
    def get(self, request: Request, pk: int) -> Response:
        audience = selectors.promotion_audience(promotion=self.own_promotion(pk))
        return Response(AudienceSerializer(audience).data)


class MerchantClaimSerializer(ClaimSerializer):
    """A claim as its merchant sees it: no person, no score, and the promotion in brief."""

    promotion = PromotionBriefSerializer()


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
            raise _not_found()
        data = ClaimMarkSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.claim_mark(merchant=self.merchant, claim=claim, status=data.validated_data["status"])
        return Response(MerchantClaimSerializer(claim).data)


class VerifyInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=40, allow_blank=True, trim_whitespace=True)
    counter_facts = serializers.JSONField(required=False)


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


class MerchantVerifyApi(MerchantApiView):
    throttle_classes = [VerifyThrottle]

    @extend_schema(
        request=VerifyInputSerializer,
        responses={200: VerifyResultSerializer},
        description="Unknown codes and other merchants' codes both answer 200 with valid false.",
    )
    def post(self, request: Request) -> Response:
        data = VerifyInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.claim_verify(
            merchant=self.merchant,
            code=data.validated_data["code"],
            counter_facts=data.validated_data.get("counter_facts"),
        )
        return Response(VerifyResultSerializer(result).data)
