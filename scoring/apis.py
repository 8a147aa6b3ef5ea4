from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import DomainError
from core.throttles import OptInThrottle

from . import engine, events, selectors, services
from .authentication import PartnerKeyAuthentication
from .models import ScoreSnapshot


def _require_opted_in(request: Request) -> None:
    profile = getattr(request.user, "consumer", None)
    if profile is None or not profile.is_opted_in:
        raise DomainError(
            "Opt in to scoring to see a score.", code="not_opted_in", status_code=status.HTTP_403_FORBIDDEN
        )


class DimensionSerializer(serializers.Serializer):
    key = serializers.CharField()
    weight = serializers.FloatField()
    score = serializers.IntegerField(min_value=0, max_value=100)


class ReasonSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=350, max_value=950)
    band = serializers.CharField()
    as_of = serializers.DateField()
    model_version = serializers.CharField(source="model.version")
    dimensions = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()

    @extend_schema_field(DimensionSerializer(many=True))
    def get_dimensions(self, snapshot: ScoreSnapshot) -> list[dict]:
        weights = snapshot.model.parameters["weights"]
        return [
            {"key": key, "weight": float(weights[key]), "score": getattr(snapshot, key)}
            for key in engine.DIMENSIONS
        ]

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, snapshot: ScoreSnapshot) -> list[dict]:
        return [
            {
                "code": reason["code"],
                "text": engine.reason_text(reason["code"], reason["direction"], reason["params"]),
            }
            for reason in snapshot.reasons
        ]


class HistoryItemSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    score = serializers.IntegerField()
    band = serializers.CharField()


class OptInApi(APIView):
    # The opt-in page's per-address count as well as the API's defaults.
    throttle_classes = [*APIView.throttle_classes, OptInThrottle]

    @extend_schema(request=None, responses={200: ScoreSerializer})
    def post(self, request: Request) -> Response:
        if getattr(request.user, "consumer", None) is None:
            raise DomainError(
                "Only consumers can opt in to scoring.",
                code="not_a_consumer",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        snapshot = services.consumer_opt_in(person=request.user)
        return Response(ScoreSerializer(snapshot).data)


class OptOutApi(APIView):
    @extend_schema(request=None, responses={204: OpenApiResponse(description="Opted out")})
    def post(self, request: Request) -> Response:
        _require_opted_in(request)
        services.consumer_opt_out(person=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScoreApi(APIView):
    @extend_schema(responses={200: ScoreSerializer})
    def get(self, request: Request) -> Response:
        _require_opted_in(request)
        snapshot = selectors.score_current(person=request.user)
        if snapshot is None:
            snapshot = services.score_recompute(person=request.user)
        return Response(ScoreSerializer(snapshot).data)


class ScoreHistoryApi(APIView):
    pagination_class = None

    @extend_schema(responses={200: HistoryItemSerializer(many=True)})
    def get(self, request: Request) -> Response:
        _require_opted_in(request)
        history = selectors.score_history(person=request.user)
        return Response(HistoryItemSerializer(history, many=True).data)


class IngestEventsApi(APIView):
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(
        request=events.BatchSerializer,
        responses={201: events.BatchResultSerializer},
    )
    def post(self, request: Request) -> Response:
        partner = request.auth
        if partner is None:
            # NotAuthenticated, so the 401 names the scheme in WWW-Authenticate as HTTP requires.
            raise exceptions.NotAuthenticated("A partner API key is required.")
        stored = services.events_ingest(partner=partner, batch=request.data)
        return Response({"accepted": len(stored)}, status=status.HTTP_201_CREATED)
