"""The perks JSON API of shared/api.md for people: perks, claims and shares.

Merchants have theirs in perks/console/apis.py.

Each endpoint parses with an input serializer, calls one service or selector, and answers
with an output serializer; the perks exceptions become the statuses and codes of the contract.
"""

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.urls import reverse
from django.utils import translation
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import DomainError
from core.cache import derived_get_or_compute
from core.parsers import BoundedJSONParser
from core.requests import signed_in_user
from core.throttles import NewAccountClaimThrottle
from scoring.apis import ReasonSerializer

from . import presentation, selectors, services
from .exceptions import (
    NotEligible,
    PerksError,
)
from .models import Claim, Promotion, Share


def _domain_error(exc: PerksError) -> DomainError:
    extra: dict[str, Any] = {"unmet": exc.unmet} if isinstance(exc, NotEligible) else {}
    return DomainError(str(exc.message), code=exc.code, status_code=exc.status_code, **extra)


class PerksApiView(APIView):
    # JSON only; bounded in size (413) and depth (400) as everywhere in the API.
    parser_classes = [BoundedJSONParser]
    # Declared so the schema shows list responses as the pages they are ({count, next, ...}).
    pagination_class = PageNumberPagination

    def paginate(self, items: Any, serializer_class: type[serializers.Serializer]) -> Response:
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(items, self.request, view=self)
        return paginator.get_paginated_response(serializer_class(page, many=True).data)


def not_found() -> Http404:
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
    # Below the threshold: the score's reasons that matter for it, strongest first.
    score_reasons = ReasonSerializer(many=True)


class CounterCheckSerializer(serializers.Serializer):
    merchant = MerchantRefSerializer()
    checked_at = serializers.DateTimeField()
    outcome = serializers.CharField()


class ClaimSerializer(serializers.Serializer):
    """A claim with its state as perks.presentation shows it everywhere."""

    id = serializers.IntegerField()
    code = serializers.CharField()
    status = serializers.CharField()
    # Declared as the brief shape: the merchant's claims (perks.console.apis) show only that.
    promotion: PromotionBriefSerializer = PromotionRefSerializer()
    benefit = serializers.CharField()
    claimed_at = serializers.DateTimeField()
    pickup_deadline = serializers.DateTimeField()
    verified_at = serializers.DateTimeField(allow_null=True)
    due_back = serializers.DateField(allow_null=True)
    closed_at = serializers.DateTimeField(allow_null=True)

    def to_representation(self, instance: Claim) -> dict[str, Any]:
        data = super().to_representation(instance)
        data["status"] = presentation.claim_status(instance).value
        return data


class MyClaimSerializer(ClaimSerializer):
    counter_checks = CounterCheckSerializer(many=True)


class PerksApi(PerksApiView):
    @extend_schema(responses={200: PerkSerializer(many=True)}, summary="Live perks and my eligibility")
    def get(self, request: Request) -> Response:
        inputs = selectors.perks_inputs(person=signed_in_user(request))
        # Cached under a digest of everything the list derives from (the live promotions' version,
        # the person's eligibility facts and held units) and the language its texts are in: any
        # change to one is a new key. The page is cut from the whole list, as before.
        perks: Any = derived_get_or_compute(
            ("perks", inputs.version, translation.get_language()),
            lambda: list(PerkSerializer(selectors.perks_assess(inputs), many=True).data),
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(perks, self.request, view=self)
        return paginator.get_paginated_response(page)


ERROR_BODY = inline_serializer(
    "PerksError",
    fields={"detail": serializers.CharField(), "code": serializers.CharField()},
)


class ClaimCreateApi(PerksApiView):
    # New accounts share a per-address allowance of claims with the claim page.
    throttle_classes = [*PerksApiView.throttle_classes, NewAccountClaimThrottle]

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
            403: OpenApiResponse(
                ERROR_BODY,
                description="identity_required (no verified real name), or not_eligible (with unmet)",
            ),
            404: OpenApiResponse(ERROR_BODY, description="Unknown promotion"),
            409: OpenApiResponse(
                ERROR_BODY,
                description="sold_out, limit_reached (counted per real person, across logins) or not_active",
            ),
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
                person=signed_in_user(request),
                idempotency_key=key,
                fingerprint=services.claim_fingerprint(promotion_id=pk, body=request.body),
            )
        except (PerksError, DjangoValidationError) as exc:
            if selectors.promotion_claimable(pk=pk) is None:
                raise not_found() from exc
            if isinstance(exc, PerksError):
                raise _domain_error(exc) from exc
            raise
        # The service returns the claim with its promotion and merchant: no need to read it again.
        return Response(ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)


class MyClaimsApi(PerksApiView):
    @extend_schema(responses={200: MyClaimSerializer(many=True)}, summary="My claims, newest first")
    def get(self, request: Request) -> Response:
        return self.paginate(selectors.claims_for_person(person=signed_in_user(request)), MyClaimSerializer)


class MyClaimCancelApi(PerksApiView):
    @extend_schema(request=None, responses={200: MyClaimSerializer}, summary="Cancel an unused claim")
    def post(self, request: Request, pk: int) -> Response:
        person = signed_in_user(request)
        claim = selectors.claim_for_person(person=person, pk=pk)
        if claim is None:
            raise not_found()
        services.claim_cancel(claim=claim, person=person)
        return Response(MyClaimSerializer(selectors.claim_for_person(person=person, pk=pk)).data)


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
        shares = selectors.shares_for_person(person=signed_in_user(request))
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
            share = services.share_create(person=signed_in_user(request), **data.validated_data)
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
        share = selectors.share_for_person(person=signed_in_user(request), pk=pk)
        if share is None:
            raise not_found()
        services.share_revoke(share=share, person=signed_in_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


# Anonymous, yet one person's score: no cache may keep it (the share page does the same).
@method_decorator(never_cache, name="dispatch")
class SharePublicApi(PerksApiView):
    authentication_classes: list = []
    permission_classes = [AllowAny]

    @extend_schema(
        responses={200: PublicShareSerializer, 404: OpenApiResponse(description="Revoked or expired")}
    )
    def get(self, request: Request, token: str) -> Response:
        shared = selectors.share_public(token=token)
        if shared is None:
            raise not_found()
        services.share_opened_record(share_id=shared.share_id)
        return Response(PublicShareSerializer(shared).data)
