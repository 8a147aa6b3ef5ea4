"""Scoring models and their governance: nobody switches the score alone.

draft -> validated (report attached) -> approved (by a staff user other than its author) ->
shadow (scored every night beside the active model, kept apart) -> active -> retired. Each move
is one service here; each refusal is a ValidationError saying why, and nothing changes; every
move is in the audit trail.
"""

import datetime
import logging

import numpy as np
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from sklearn.metrics import roc_curve
from sklearn.model_selection import train_test_split

from accounts.models import ConsumerProfile, User
from core import outbox
from core.audit import audit_record

from .. import engine, selectors
from ..fitting import DEV, HOLDOUT, OOT, FitError, fit_scorecard, portal, psi
from ..fitting import scores as fitting_scores
from ..fitting.monitoring import SCORE_BUCKET_EDGES
from ..models import RecomputeRun, ScoreSnapshot, ScoringModel
from .notifications import MODEL_CHANGED_TASK

logger = logging.getLogger(__name__)

# Activation needs this many finished nightly runs that scored the challenger in shadow.
SHADOW_RUNS_REQUIRED = 3

Status = ScoringModel.Status


def _locked(model: ScoringModel) -> ScoringModel:
    return ScoringModel.objects.select_for_update().get(pk=model.pk)


def _move(
    model: ScoringModel,
    *,
    to: str,
    action: str,
    actor: User | None,
    fields: dict | None = None,
    changes: dict | None = None,
) -> ScoringModel:
    before = model.status
    model.status = to
    for name, value in (fields or {}).items():
        setattr(model, name, value)
    model.save(update_fields=["status", *(fields or {}), "updated_at"])
    audit_record(
        actor=actor,
        action=f"scoring_model.{action}",
        target=model,
        changes={"status": [before, to], **(changes or {})},
    )
    logger.info("scoring model moved version=%s from=%s to=%s", model.version, before, to)
    return model


def _require(model: ScoringModel, *allowed: str, action: str) -> None:
    if model.status not in allowed:
        raise ValidationError(
            _("Only a %(allowed)s model can be %(action)s; %(version)s is %(status)s.")
            % {
                "allowed": " or ".join(str(Status(a).label).lower() for a in allowed),
                "action": action,
                "version": model.version,
                "status": str(Status(model.status).label).lower(),
            },
            code="wrong_status",
        )


@transaction.atomic
def scoring_model_create(
    *,
    version: str,
    parameters: dict,
    actor: User | None,
    description: str = "",
    report: dict | None = None,
) -> ScoringModel:
    """Store a new draft version; its parameters must be ones the engine can score with."""
    selectors.validate_parameters(parameters)
    if ScoringModel.objects.filter(version=version).exists():
        raise ValidationError({"version": _("A model with this version exists already.")}, code="unique")
    model = ScoringModel.objects.create(
        version=version,
        description=description,
        parameters=parameters,
        report=report,
        created_by=actor,
        status=Status.DRAFT,
    )
    audit_record(
        actor=actor, action="scoring_model.create", target=model, changes={"status": [None, "draft"]}
    )
    return model


@transaction.atomic
def scoring_model_validate(
    *, model: ScoringModel, actor: User | None, report: dict | None = None
) -> ScoringModel:
    """Mark a draft validated: its validation report attached, its parameters checked again."""
    model = _locked(model)
    _require(model, Status.DRAFT, action=_("validated"))
    report = report if report is not None else model.report
    if not report:
        raise ValidationError(
            _("A model is validated only with its validation report attached."), code="no_report"
        )
    selectors.validate_parameters(model.parameters)
    return _move(model, to=Status.VALIDATED, action="validate", actor=actor, fields={"report": report})


@transaction.atomic
def scoring_model_approve(*, model: ScoringModel, actor: User) -> ScoringModel:
    """A second pair of eyes: a staff user other than the model's author approves it."""
    model = _locked(model)
    _require(model, Status.VALIDATED, action=_("approved"))
    if not getattr(actor, "is_staff", False):
        raise ValidationError(_("Only platform staff can approve a scoring model."), code="not_staff")
    if model.created_by_id is None:
        raise ValidationError(
            _("Nobody is recorded as this model's author, so nobody can be its second pair of eyes."),
            code="no_author",
        )
    if model.created_by_id == actor.pk:
        raise ValidationError(
            _("The person who fitted or uploaded a model cannot approve it: another staff member must."),
            code="own_model",
        )
    return _move(
        model,
        to=Status.APPROVED,
        action="approve",
        actor=actor,
        fields={"approved_by": actor, "approved_at": timezone.now()},
    )


@transaction.atomic
def scoring_model_shadow(*, model: ScoringModel, actor: User | None) -> ScoringModel:
    """Score an approved model every night beside the active one, kept apart, to see what it would do."""
    model = _locked(model)
    _require(model, Status.APPROVED, action=_("put in shadow"))
    other = ScoringModel.objects.filter(status=Status.SHADOW).exclude(pk=model.pk).first()
    if other is not None:
        raise ValidationError(
            _("%(version)s is in shadow already: retire it or activate it first.")
            % {"version": other.version},
            code="shadow_taken",
        )
    return _move(model, to=Status.SHADOW, action="shadow", actor=actor)


def shadow_runs_done(*, model: ScoringModel) -> int:
    """How many finished nightly runs scored the model in shadow."""
    return RecomputeRun.objects.filter(shadow_model=model, status=RecomputeRun.Status.DONE).count()


@transaction.atomic
def scoring_model_activate(*, model: ScoringModel, actor: User | None = None) -> ScoringModel:
    """Make a model that went through shadow the one that scores from now on; the previous one retires."""
    model = _locked(model)
    if model.status == Status.ACTIVE:
        return model
    selectors.scorecard_of(model=model)  # refuse tables the engine cannot use
    if not model.report:
        raise ValidationError(_("A model without a validation report cannot be activated."), code="no_report")
    if model.approved_by_id is None:
        raise ValidationError(_("A model nobody approved cannot be activated."), code="not_approved")
    _require(model, Status.SHADOW, action=_("activated"))
    runs = shadow_runs_done(model=model)
    if runs < SHADOW_RUNS_REQUIRED:
        raise ValidationError(
            _("A model goes live after %(required)d nightly shadow runs or more; %(version)s has %(runs)d.")
            % {"required": SHADOW_RUNS_REQUIRED, "version": model.version, "runs": runs},
            code="too_few_shadow_runs",
        )
    now = timezone.now()
    previous = list(ScoringModel.objects.select_for_update().filter(is_active=True).exclude(pk=model.pk))
    for old in previous:
        _move(
            old,
            to=Status.RETIRED,
            action="retire",
            actor=actor,
            fields={"is_active": False, "retired_at": now},
        )
    _move(
        model,
        to=Status.ACTIVE,
        action="activate",
        actor=actor,
        fields={"is_active": True, "activated_at": now},
        changes={"previously_active": [old.version for old in previous]},
    )
    logger.info("scoring model activated version=%s", model.version)
    outbox.enqueue(MODEL_CHANGED_TASK, model.pk)
    return model


@transaction.atomic
def scoring_model_retire(*, model: ScoringModel, actor: User | None) -> ScoringModel:
    """Set a version aside for good; the active model retires only when a successor is activated."""
    model = _locked(model)
    if model.status == Status.ACTIVE:
        raise ValidationError(
            _("The active model retires when its successor is activated, never on its own."), code="active"
        )
    _require(model, Status.DRAFT, Status.VALIDATED, Status.APPROVED, Status.SHADOW, action=_("retired"))
    return _move(
        model, to=Status.RETIRED, action="retire", actor=actor, fields={"retired_at": timezone.now()}
    )


# --- The fit ----------------------------------------------------------------------------------

OUT_OF_TIME_MONTHS = 3
HOLDOUT_SHARE = 0.3
ROC_POINTS = 60


def observation_dates(*, through: datetime.date, months: int, window_months: int) -> list[datetime.date]:
    """Monthly observation dates, oldest first, the last one a whole performance window before ``through``."""
    last = selectors.months_before(through, window_months)
    return [selectors.months_before(last, back) for back in range(months - 1, -1, -1)]


def scoring_model_fit(
    *,
    through: datetime.date,
    actor: User | None,
    version: str | None = None,
    months: int = 12,
    window_months: int = 12,
    seed: int = 14,
) -> ScoringModel:
    """Fit a scorecard to what opted-in people did after each observation date: a new draft model
    with its validation report attached (see scoring.fitting for the method)."""
    if months < OUT_OF_TIME_MONTHS + 1:
        raise ValidationError(
            {"months": _("At least %(n)d observation months are needed.") % {"n": OUT_OF_TIME_MONTHS + 1}}
        )
    dates = observation_dates(through=through, months=months, window_months=window_months)
    person_ids = list(
        ConsumerProfile.objects.filter(is_opted_in=True).order_by("user_id").values_list("user_id", flat=True)
    )
    columns: dict[str, list] = {name: [] for name in engine.SCORED_FEATURES}
    bad: list[int] = []
    observed_on: list[datetime.date] = []
    for as_of in dates:
        table = selectors.features_table(person_ids=person_ids, as_of=as_of)
        outcome = selectors.outcomes(person_ids=person_ids, as_of=as_of, window_months=window_months)
        for name in engine.SCORED_FEATURES:
            columns[name].extend(engine.feature_number(value) for value in table[name])
        bad.extend(outcome[person_id] for person_id in table["person_id"])
        observed_on.extend([as_of] * len(table["person_id"]))
    y = np.array(bad, dtype=int)
    if len(np.unique(y)) < 2:
        raise ValidationError(
            {
                "through": _(
                    "Nobody (or everybody) went bad in the performance windows: there is nothing to learn."
                )
            },
            code="no_outcomes",
        )
    split = _split(observed_on=observed_on, y=y, oot_from=dates[-OUT_OF_TIME_MONTHS], seed=seed)
    offered, without_data = portal.with_data(
        portal.portal_characteristics(), columns, np.flatnonzero(split == DEV)
    )
    try:
        fit = fit_scorecard(
            features=columns,
            outcomes=y,
            characteristics=offered,
            split=split,
            weights=portal.PUBLISHED_WEIGHTS,
        )
    except FitError as error:
        raise ValidationError({"fit": str(error)}, code="fit") from error
    parameters = portal.model_parameters(fit.parameters)
    scores = fitting_scores(fit.parameters, columns)
    report = {
        **fit.report,
        "through": through.isoformat(),
        "observation_dates": [d.isoformat() for d in dates],
        "window_months": window_months,
        "people": len(person_ids),
        "rows": len(y),
        "without_data": without_data,
        "never_used": ["age", "sex", "ethnicity", "marital status", "religion", "contacts' scores"],
        "charts": {
            sample: _chart_data(y[split == sample], scores[split == sample]) for sample in (DEV, HOLDOUT, OOT)
        },
        "psi_against_active": _psi_against_active(scores[split == OOT]),
    }
    model = scoring_model_create(
        version=version or f"fit-{through.isoformat()}",
        parameters=parameters,
        actor=actor,
        description=_("Fitted to outcomes through %(through)s.") % {"through": through.isoformat()},
        report=report,
    )
    logger.info(
        "scoring model fitted version=%s rows=%d bad_rate=%.4f oot_auc=%s",
        model.version,
        len(y),
        float(y.mean()) if len(y) else 0.0,
        (fit.report["samples"].get(OOT) or {}).get("auc"),
    )
    return model


def _split(
    *, observed_on: list[datetime.date], y: np.ndarray, oot_from: datetime.date, seed: int
) -> np.ndarray:
    """The last months out of time; the earlier rows split into development and holdout, stratified."""
    split = np.array([OOT if day >= oot_from else DEV for day in observed_on], dtype=object)
    earlier = np.flatnonzero(split == DEV)
    if len(earlier) and len(np.unique(y[earlier])) == 2 and np.bincount(y[earlier]).min() >= 2:
        _dev, holdout = train_test_split(
            earlier, test_size=HOLDOUT_SHARE, stratify=y[earlier], random_state=seed
        )
        split[holdout] = HOLDOUT
    return split


def _chart_data(y: np.ndarray, scores: np.ndarray) -> dict:
    """What the admin's charts draw: the ROC curve (at most ROC_POINTS points) and the score histogram."""
    roc = None
    if len(np.unique(y)) == 2:
        fpr, tpr, _thresholds = roc_curve(y, -scores)
        keep = np.unique(np.linspace(0, len(fpr) - 1, min(len(fpr), ROC_POINTS)).round().astype(int))
        roc = [[round(float(fpr[i]), 4), round(float(tpr[i]), 4)] for i in keep]
    buckets = np.bincount(
        np.searchsorted(SCORE_BUCKET_EDGES, scores, side="right"), minlength=len(SCORE_BUCKET_EDGES) + 1
    )
    return {"roc": roc, "score_buckets": buckets.tolist()}


def _psi_against_active(scores: np.ndarray) -> float | None:
    """PSI of the new model's latest scores against the active model's latest night."""
    latest = ScoreSnapshot.objects.filter(model__is_active=True).aggregate(latest=Max("as_of"))["latest"]
    if latest is None or not len(scores):
        return None
    live = list(
        ScoreSnapshot.objects.filter(model__is_active=True, as_of=latest).values_list("score", flat=True)
    )
    return psi(live, scores) if live else None
