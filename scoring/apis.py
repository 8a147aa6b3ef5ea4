from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors as account_selectors
from accounts.exceptions import IdentityTaken
from accounts.models import RealNameIdentity
from core.api import DomainError
from core.cache import derived_get_or_compute
from core.requests import signed_in_user
from core.throttles import IdentitySubmitThrottle, OptInThrottle

from . import engine, events, selectors, services
from .authentication import PartnerKeyAuthentication
from .models import Dispute, Partner, PartnerNotice, ScoreSnapshot


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
    points_without_listing = serializers.IntegerField(
        min_value=0,
        allow_null=True,
        default=None,
        help_text="While a court listing caps the score it masks the other factors: what this reason "
        "would be worth without the listing (null when no listing caps the score)",
    )
    under_dispute = serializers.BooleanField(
        default=False, help_text="A record behind this reason is under a dispute not yet answered"
    )


def reasons_json(reasons: list[dict], *, disputed: frozenset[str] = frozenset()) -> list[dict]:
    """Stored or computed reasons as the API shows them, in the person's language; ``disputed``
    holds the codes whose records are under an open dispute."""
    return [
        {
            "code": reason["code"],
            "text": engine.reason_text(reason["code"], reason["direction"], reason.get("params", {})),
            "direction": reason["direction"],
            "points": reason["points"],
            "points_without_listing": reason.get("points_without_listing"),
            "under_dispute": reason["code"] in disputed,
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

    @extend_schema_field(DimensionSerializer(many=True))
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
        snapshot = services.consumer_opt_in(person=signed_in_user(request))
        return Response(ScoreSerializer(snapshot).data)


class OptOutApi(APIView):
    @extend_schema(request=None, responses={204: OpenApiResponse(description="Opted out")})
    def post(self, request: Request) -> Response:
        _require_opted_in(request)
        services.consumer_opt_out(person=signed_in_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ScoreApi(APIView):
    @extend_schema(responses={200: ScoreSerializer})
    def get(self, request: Request) -> Response:
        _require_opted_in(request)
        person = signed_in_user(request)
        version, disputing = selectors.score_current_version_and_dispute(person=person)
        if version is None:
            return Response(ScoreSerializer(services.score_recompute(person=person)).data)
        snapshot_id, written_at = version
        # Keyed by the snapshot and its write time: a new snapshot is a new key. The reasons'
        # texts are in the request's language; the weights and version come with the snapshot's
        # model, which never changes once made (so does the "model changed" notice, which
        # compares the snapshot with the person's earlier ones).
        payload = derived_get_or_compute(
            ("score", snapshot_id, written_at, translation.get_language()),
            lambda: dict(ScoreSerializer(selectors.score_snapshot(snapshot_id=snapshot_id)).data),
        )
        # Disputes open and close between snapshots: marked on the cached reasons, never cached
        # (and looked up only for a person with a dispute open).
        if disputing:
            disputed = selectors.reason_codes_under_dispute(person=person, as_of=services.today())
            reasons = [
                {**reason, "under_dispute": reason["code"] in disputed} for reason in payload["reasons"]
            ]
            payload = {**payload, "reasons": reasons}
        return Response(payload)


class DisputeRecordSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("bill", "bill"), ("listing", "listing"), ("other", "other")])
    id = serializers.IntegerField(
        allow_null=True, help_text="The bill's or listing's id; null for other data"
    )
    text = serializers.CharField(help_text="The record in words")


class DisputeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    record = serializers.SerializerMethodField()
    reason = serializers.CharField()
    status = serializers.ChoiceField(choices=["open", "accepted", "rejected"])
    due_by = serializers.DateField()
    is_past_due = serializers.BooleanField(help_text="Open after the day it had to be answered by")
    response = serializers.CharField()
    created_at = serializers.DateTimeField()
    resolved_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(DisputeRecordSerializer)
    def get_record(self, dispute: Dispute) -> dict:
        if dispute.bill is not None:
            return {"type": "bill", "id": dispute.bill_id, "text": str(dispute.bill)}
        if dispute.blacklist_entry is not None:
            return {"type": "listing", "id": dispute.blacklist_entry_id, "text": str(dispute.blacklist_entry)}
        return {"type": "other", "id": None, "text": dispute.signal}


class MyDisputesApi(APIView):
    pagination_class = None

    @extend_schema(
        responses={200: DisputeSerializer(many=True)},
        summary="The person's disputes, newest first, with the record each is about",
    )
    def get(self, request: Request) -> Response:
        disputes = selectors.disputes_of(person=signed_in_user(request))
        return Response(DisputeSerializer(disputes, many=True).data)


class ScoreHistoryApi(APIView):
    pagination_class = None

    @extend_schema(responses={200: HistoryItemSerializer(many=True)})
    def get(self, request: Request) -> Response:
        _require_opted_in(request)
        history = selectors.score_history(person=signed_in_user(request))
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
        person = signed_in_user(request)
        features = selectors.features_for_person(person=person, as_of=services.today())
        current = features.credit_utilisation_pct
        if levers.utilisation_pct is not None and (current is None or levers.utilisation_pct >= current):
            raise exceptions.ValidationError(
                {"utilisation_pct": [_("Choose a use lower than today's credit line use.")]}
            )
        now = selectors.score_simulate(person=person, levers=engine.Levers(), features=features)
        result = selectors.score_simulate(person=person, levers=levers, features=features)
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
                    {
                        "code": r.code,
                        "direction": r.direction,
                        "points": r.points,
                        "params": r.params,
                        "points_without_listing": r.points_without_listing,
                    }
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
        if not isinstance(partner, Partner):
            # NotAuthenticated, so the 401 names the scheme in WWW-Authenticate as HTTP requires.
            raise exceptions.NotAuthenticated("A partner API key is required.")
        stored = services.events_ingest(partner=partner, batch=request.data)
        return Response({"accepted": len(stored)}, status=status.HTTP_201_CREATED)


# --- Real-name identity ------------------------------------------------------------------------


class IdentityInSerializer(serializers.Serializer):
    legal_name = serializers.CharField(max_length=100, help_text="As on the resident ID card.")
    id_number = serializers.CharField(
        max_length=40,
        help_text="The 18-character PRC resident ID number. Kept only as a keyed hash and its last four "
        "characters; never returned.",
    )


class IdentityOutSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=RealNameIdentity.Status.choices)
    last4 = serializers.CharField(allow_null=True, help_text="The number's last four characters.")


def _identity_body(identity: RealNameIdentity | None) -> dict[str, object]:
    if identity is None:
        return {"status": RealNameIdentity.Status.UNVERIFIED, "last4": None}
    return {"status": identity.status, "last4": identity.id_last4}


class IdentityApi(APIView):
    """The person's real-name identity (shared/api.md): one real person, one profile."""

    def get_throttles(self) -> list:
        # Submissions share the page's per-address allowance; reading the status does not count.
        extra = [IdentitySubmitThrottle()] if self.request.method == "POST" else []
        return [*super().get_throttles(), *extra]

    @extend_schema(responses={200: IdentityOutSerializer}, summary="My real-name identity")
    def get(self, request: Request) -> Response:
        return Response(_identity_body(account_selectors.identity_of(user=signed_in_user(request))))

    @extend_schema(
        request=IdentityInSerializer,
        responses={
            201: OpenApiResponse(IdentityOutSerializer, description="Verified at once (the demo verifier)"),
            202: OpenApiResponse(IdentityOutSerializer, description="Pending: an identity partner decides"),
            400: OpenApiResponse(description="A bad legal_name or id_number (format, birth date, checksum)"),
            403: OpenApiResponse(description="not_a_consumer"),
            409: OpenApiResponse(description="identity_taken: the number is verified for another profile"),
        },
        summary="Submit my legal name and resident ID number for verification",
    )
    def post(self, request: Request) -> Response:
        if getattr(request.user, "consumer", None) is None:
            raise DomainError(
                "Only consumers verify a real name.",
                code="not_a_consumer",
                status_code=status.HTTP_403_FORBIDDEN,
            )
        data = IdentityInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            identity = services.real_name_submit(user=signed_in_user(request), **data.validated_data)
        except IdentityTaken as exc:
            raise DomainError(str(exc.message), code=exc.code, status_code=exc.status_code) from exc
        done = identity.status != RealNameIdentity.Status.PENDING
        return Response(
            _identity_body(identity), status=status.HTTP_201_CREATED if done else status.HTTP_202_ACCEPTED
        )


# --- The identity partners' side -------------------------------------------------------------------

PENDING_PAGE = 100


def _identity_partner(request: Request) -> Partner:
    partner = request.auth
    if not isinstance(partner, Partner):
        raise exceptions.NotAuthenticated("A partner API key is required.")
    if not partner.verifies_identity:
        raise DomainError(
            "This partner key has no identity scope.",
            code="scope_required",
            status_code=status.HTTP_403_FORBIDDEN,
        )
    return partner


class IdentityRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    person = serializers.CharField(source="user.username")
    legal_name = serializers.CharField()
    last4 = serializers.CharField(source="id_last4")
    submitted_at = serializers.DateTimeField()


class IdentityVerdictSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=[("verified", "verified"), ("rejected", "rejected")])
    id_number = serializers.CharField(
        max_length=40,
        required=False,
        help_text="Required with verified: the number you checked; it must be the one the person gave.",
    )
    note = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)


class IdentityDecisionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()


class PartnerIdentityRequestsApi(APIView):
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [AllowAny]
    pagination_class = None

    @extend_schema(
        responses={
            200: IdentityRequestSerializer(many=True),
            403: OpenApiResponse(description="scope_required: the key has no identity scope"),
        },
        summary="Pending real-name requests, oldest first (at most 100)",
        description=(
            "For identity partners. We keep only a keyed hash of each number, so a request carries the "
            "legal name and the number's last four characters: check the person's ID with them, then "
            "post the verdict with the number you checked."
        ),
    )
    def get(self, request: Request) -> Response:
        _identity_partner(request)
        pending = account_selectors.identity_requests_pending(limit=PENDING_PAGE)
        return Response(IdentityRequestSerializer(pending, many=True).data)


class PartnerIdentityDecisionApi(APIView):
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [AllowAny]

    @extend_schema(
        request=IdentityVerdictSerializer,
        responses={
            200: IdentityDecisionSerializer,
            400: OpenApiResponse(
                description="A bad status, or an id_number missing or not the one submitted"
            ),
            403: OpenApiResponse(description="scope_required: the key has no identity scope"),
            404: OpenApiResponse(description="No such request"),
            409: OpenApiResponse(description="already_decided"),
        },
        summary="Post the verdict on a real-name request",
        description=(
            "A verified number already held by another profile is recorded as rejected (status "
            "rejected in the answer): one real person, one profile."
        ),
    )
    def post(self, request: Request, pk: int) -> Response:
        partner = _identity_partner(request)
        identity = RealNameIdentity.objects.filter(pk=pk).select_related("user").first()
        if identity is None:
            raise exceptions.NotFound()
        verdict = IdentityVerdictSerializer(data=request.data)
        verdict.is_valid(raise_exception=True)
        try:
            decided = services.real_name_decide_by_partner(
                partner=partner,
                identity=identity,
                verified=verdict.validated_data["status"] == "verified",
                id_number=verdict.validated_data.get("id_number"),
                note=verdict.validated_data["note"],
            )
        except DjangoValidationError as exc:
            if getattr(exc, "code", None) == "already_decided":
                raise DomainError(
                    exc.messages[0], code="already_decided", status_code=status.HTTP_409_CONFLICT
                ) from exc
            raise
        return Response({"id": decided.pk, "status": decided.status})


# --- Every partner's notices: corrections of what it sent ---------------------------------------

NOTICES_PAGE = 100


class NoticeRecordSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=[("bill", "bill")])
    kind = serializers.CharField()
    issuer = serializers.CharField()
    reference = serializers.CharField()
    amount = serializers.DecimalField(max_digits=14, decimal_places=2, coerce_to_string=True)
    due_on = serializers.DateField()


class CorrectionSerializer(serializers.Serializer):
    field = serializers.ChoiceField(choices=[("paid_on", "paid_on")], help_text="The field we corrected")
    reported = serializers.DateField(allow_null=True, help_text="What you reported; null: unpaid")
    corrected = serializers.DateField(help_text="What it is now")


class AfterSerializer(serializers.Serializer):
    after = serializers.IntegerField(min_value=0, default=0)


AfterIdParameter = OpenApiParameter(
    "after", int, description="Only notices with a larger id (the last one you read)", required=False
)


class PartnerNoticeSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.ChoiceField(choices=PartnerNotice.Kind.choices)
    created_at = serializers.DateTimeField()
    dispute = serializers.IntegerField(source="payload.dispute")
    person = serializers.CharField(source="payload.person", help_text="The username you report events about")
    record = NoticeRecordSerializer(source="payload.record")
    correction = CorrectionSerializer(source="payload.correction")
    corrected_on = serializers.DateField(source="payload.corrected_on")


class PartnerNoticesApi(APIView):
    authentication_classes = [PartnerKeyAuthentication]
    permission_classes = [AllowAny]
    pagination_class = None

    @extend_schema(
        parameters=[AfterIdParameter],
        responses={200: PartnerNoticeSerializer(many=True)},
        summary="Records of yours we corrected, oldest first (at most 100 after `after`)",
        description=(
            "A person disputed a record you sent and our staff upheld the dispute: we corrected it "
            "(a bill now counts as paid on time) and recomputed the score. Correct it on your side too, "
            "so that you do not send it again. Pass the last id you read as `after`."
        ),
    )
    def get(self, request: Request) -> Response:
        partner = request.auth
        if not isinstance(partner, Partner):
            raise exceptions.NotAuthenticated("A partner API key is required.")
        after = AfterSerializer(data=request.query_params)
        after.is_valid(raise_exception=True)
        notices = selectors.partner_notices(
            partner=partner, after=after.validated_data["after"], limit=NOTICES_PAGE
        )
        return Response(PartnerNoticeSerializer(notices, many=True).data)
