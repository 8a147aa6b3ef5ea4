from django.utils.translation import gettext as _
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
    code = serializers.ChoiceField(choices=engine.REASON_CODES)
    text = serializers.CharField()
    direction = serializers.ChoiceField(choices=(engine.LOWERS, engine.RAISES))
    points = serializers.IntegerField(min_value=0, help_text="The reason's one-factor effect on the score")


def reasons_json(reasons: list[dict]) -> list[dict]:
    """Stored or computed reasons as the API shows them, in the person's language."""
    return [
        {
            "code": reason["code"],
            "text": engine.reason_text(reason["code"], reason["direction"], reason.get("params", {})),
            "direction": reason["direction"],
            "points": reason["points"],
        }
        for reason in reasons
    ]


class ModelNoticeSerializer(serializers.Serializer):
    code = serializers.CharField()
    text = serializers.CharField()
    previous_model_version = serializers.CharField()


class ScoreSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=350, max_value=950)
    band = serializers.CharField()
    as_of = serializers.DateField()
    model_version = serializers.CharField(source="model.version")
    dimensions = serializers.SerializerMethodField()
    reasons = serializers.SerializerMethodField()
    notice = serializers.SerializerMethodField()

    def get_dimensions(self, snapshot: ScoreSnapshot) -> list[dict]:
        weights = snapshot.model.parameters["weights"]
        return [
            {"key": key, "weight": float(weights[key]), "score": getattr(snapshot, key)}
            for key in engine.DIMENSIONS
        ]

    @extend_schema_field(ReasonSerializer(many=True))
    def get_reasons(self, snapshot: ScoreSnapshot) -> list[dict]:
        return reasons_json(snapshot.reasons)

    @extend_schema_field(ModelNoticeSerializer(allow_null=True))
    def get_notice(self, snapshot: ScoreSnapshot) -> dict | None:
        """Beside the score, not among its reasons: the scoring model changed lately."""
        previous = selectors.score_model_change(snapshot=snapshot)
        if previous is None:
            return None
        return {
            "code": "model_changed",
            "text": _(
                "The scoring model changed: your score is now computed by model %(new)s (before: %(old)s)."
            )
            % {"new": snapshot.model.version, "old": previous.version},
            "previous_model_version": previous.version,
        }


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


class SimulateSerializer(serializers.Serializer):
    """The actions to try (engine.levers); at least one."""

    pay_overdue = serializers.BooleanField(
        default=False, help_text="Pay the bills past due now: they count as paid late, no longer as unpaid."
    )
    utilisation_pct = serializers.IntegerField(
        min_value=0,
        max_value=100,
        required=False,
        allow_null=True,
        help_text="Pay the credit line down to this share of its limit (lower than today's).",
    )
    on_time_months = serializers.IntegerField(
        min_value=0,
        max_value=engine.MAX_ON_TIME_MONTHS,
        default=0,
        help_text="Keep paying every bill on time for this many more months.",
    )
    verify_identity = serializers.BooleanField(
        default=False, help_text="Verify the real name, phone number and email address."
    )
    confirm_contacts = serializers.IntegerField(
        min_value=0,
        max_value=engine.MAX_NEW_CONTACTS,
        default=0,
        help_text="Confirm this many more contacts.",
    )

    def validate(self, attrs: dict) -> dict:
        if not engine.Levers(**attrs).any:
            raise serializers.ValidationError(_("Choose at least one action to simulate."), code="no_action")
        return attrs


class SimulationSerializer(serializers.Serializer):
    score = serializers.IntegerField(min_value=350, max_value=950, help_text="The simulated score")
    band = serializers.CharField()
    current_score = serializers.IntegerField(
        min_value=350, max_value=950, help_text="Today's score by the same path, the baseline"
    )
    change = serializers.IntegerField()
    dimensions = DimensionSerializer(many=True)
    reasons = ReasonSerializer(many=True)


class ScoreSimulateApi(APIView):
    @extend_schema(
        request=SimulateSerializer,
        responses={200: SimulationSerializer},
        summary="The score after some actions, by the same engine; nothing is stored",
    )
    def post(self, request: Request) -> Response:
        _require_opted_in(request)
        form = SimulateSerializer(data=request.data)
        form.is_valid(raise_exception=True)
        levers = engine.Levers(**form.validated_data)
        features = selectors.features_for_person(person=request.user, as_of=services.today())
        current = features.credit_utilisation_pct
        if levers.utilisation_pct is not None and (current is None or levers.utilisation_pct >= current):
            raise exceptions.ValidationError(
                {"utilisation_pct": [_("Choose a use lower than today's credit line use.")]}
            )
        now = selectors.score_simulate(person=request.user, levers=engine.Levers(), features=features)
        result = selectors.score_simulate(person=request.user, levers=levers, features=features)
        body = {
            "score": result.score,
            "band": str(result.band),
            "current_score": now.score,
            "change": result.score - now.score,
            "dimensions": [
                {"key": d.key, "weight": float(d.weight), "score": d.score} for d in result.dimensions
            ],
            "reasons": reasons_json(
                [
                    {"code": r.code, "direction": r.direction, "points": r.points, "params": r.params}
                    for r in result.reasons
                ]
            ),
        }
        return Response(SimulationSerializer(body).data)


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
