"""Scoring models and their governance: nobody switches the score alone.

draft -> validated (report attached) -> approved (by a staff user other than its author) ->
shadow (scored every night beside the active model, kept apart) -> active -> retired. Each move
is one service here; each refusal is a ValidationError saying why, and nothing changes; every
move is in the audit trail.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from core.audit import audit_record

from .. import selectors
from ..models import RecomputeRun, ScoringModel

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
