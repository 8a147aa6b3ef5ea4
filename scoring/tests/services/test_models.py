"""Tests for scoring/services/models.py: a scoring model's governance, every move and every refusal
(nothing changes when one is refused), and the audit trail of each move."""

import copy

import pytest
from django.core.exceptions import ValidationError

from core.models import AuditEntry
from scoring import services
from scoring.engine import DEFAULT_PARAMETERS, LAUNCH_MODEL_VERSION
from scoring.models import ScoringModel

pytestmark = pytest.mark.django_db


def state(model: ScoringModel) -> tuple:
    model.refresh_from_db()
    return (model.status, model.is_active, model.approved_by_id, model.activated_at, model.retired_at)


def actions(model: ScoringModel) -> list[tuple[str, dict]]:
    return [
        (entry.action, entry.changes)
        for entry in AuditEntry.objects.filter(target_id=str(model.pk), action__startswith="scoring_model.")
        .exclude(target_type="")
        .order_by("id")
    ]


def test_the_launch_model_is_the_active_one_after_migrating():
    launch = ScoringModel.objects.get(version=LAUNCH_MODEL_VERSION)
    assert (launch.status, launch.is_active) == ("active", True)


def test_a_model_goes_from_draft_to_active_and_the_previous_one_retires(
    make_challenger, active_scoring_model
):
    challenger = make_challenger("2027.1")
    reviewer = challenger.approved_by

    services.scoring_model_activate(model=challenger, actor=reviewer)

    assert state(challenger)[:3] == ("active", True, reviewer.pk)
    assert state(active_scoring_model)[:2] == ("retired", False)
    assert list(ScoringModel.objects.filter(is_active=True)) == [challenger]
    assert actions(challenger) == [
        ("scoring_model.create", {"status": [None, "draft"]}),
        ("scoring_model.validate", {"status": ["draft", "validated"]}),
        ("scoring_model.approve", {"status": ["validated", "approved"]}),
        ("scoring_model.shadow", {"status": ["approved", "shadow"]}),
        (
            "scoring_model.activate",
            {"status": ["shadow", "active"], "previously_active": [active_scoring_model.version]},
        ),
    ]
    assert actions(active_scoring_model)[-1] == ("scoring_model.retire", {"status": ["active", "retired"]})


def test_validating_without_a_report_is_refused(make_challenger):
    draft = make_challenger("no-report", stage="draft", report={})
    before = state(draft)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_validate(model=draft, actor=None)

    assert raised.value.messages == ["A model is validated only with its validation report attached."]
    assert state(draft) == before


def test_a_model_cannot_be_approved_by_its_author(make_challenger):
    validated = make_challenger("own", stage="validated")
    before = state(validated)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_approve(model=validated, actor=validated.created_by)

    assert raised.value.messages == [
        "The person who fitted or uploaded a model cannot approve it: another staff member must."
    ]
    assert state(validated) == before


def test_a_model_cannot_be_approved_by_someone_who_is_not_staff(make_challenger, make_consumer):
    validated = make_challenger("by-consumer", stage="validated")
    before = state(validated)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_approve(model=validated, actor=make_consumer("ann", opted_in=False))

    assert raised.value.messages == ["Only platform staff can approve a scoring model."]
    assert state(validated) == before


def test_a_model_without_a_known_author_cannot_be_approved(make_challenger, staff_user):
    validated = make_challenger("anonymous", stage="validated")
    ScoringModel.objects.filter(pk=validated.pk).update(created_by=None)
    before = state(validated)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_approve(model=validated, actor=staff_user("someone"))

    assert raised.value.messages == [
        "Nobody is recorded as this model's author, so nobody can be its second pair of eyes."
    ]
    assert state(validated) == before


def test_a_draft_cannot_be_approved_before_it_is_validated(make_challenger, staff_user):
    draft = make_challenger("early", stage="draft")
    before = state(draft)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_approve(model=draft, actor=staff_user("someone"))

    assert raised.value.messages == ["Only a validated model can be approved; early is draft."]
    assert state(draft) == before


def test_a_second_model_cannot_go_into_shadow_while_one_is_there(make_challenger):
    make_challenger("first", shadow_runs=0)
    second = make_challenger("second", stage="approved")
    before = state(second)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_shadow(model=second, actor=None)

    assert raised.value.messages == ["first is in shadow already: retire it or activate it first."]
    assert state(second) == before


def test_activation_after_two_shadow_runs_is_refused(make_challenger, active_scoring_model):
    challenger = make_challenger("two-nights", shadow_runs=2)
    before, launch_before = state(challenger), state(active_scoring_model)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_activate(model=challenger, actor=None)

    assert raised.value.messages == [
        "A model goes live after 3 nightly shadow runs or more; two-nights has 2."
    ]
    assert (state(challenger), state(active_scoring_model)) == (before, launch_before)


def test_activation_of_an_approved_model_that_skipped_shadow_is_refused(
    make_challenger, active_scoring_model
):
    approved = make_challenger("no-shadow", stage="approved")
    before = state(approved)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_activate(model=approved, actor=None)

    assert raised.value.messages == ["Only a shadow model can be activated; no-shadow is approved."]
    assert state(approved) == before
    assert list(ScoringModel.objects.filter(is_active=True)) == [active_scoring_model]


def test_activation_without_a_report_is_refused(make_challenger, active_scoring_model):
    challenger = make_challenger("report-lost")
    ScoringModel.objects.filter(pk=challenger.pk).update(report=None)
    before = state(challenger)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_activate(model=challenger, actor=None)

    assert raised.value.messages == ["A model without a validation report cannot be activated."]
    assert state(challenger) == before
    assert list(ScoringModel.objects.filter(is_active=True)) == [active_scoring_model]


def test_activation_without_an_approval_is_refused(make_challenger, active_scoring_model):
    challenger = make_challenger("approval-lost")
    ScoringModel.objects.filter(pk=challenger.pk).update(approved_by=None)
    before = state(challenger)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_activate(model=challenger, actor=None)

    assert raised.value.messages == ["A model nobody approved cannot be activated."]
    assert state(challenger) == before


def test_the_active_model_cannot_be_retired_on_its_own(active_scoring_model):
    before = state(active_scoring_model)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_retire(model=active_scoring_model, actor=None)

    assert raised.value.messages == [
        "The active model retires when its successor is activated, never on its own."
    ]
    assert state(active_scoring_model) == before


def test_a_retired_model_cannot_come_back(make_challenger, staff_user):
    draft = make_challenger("gone", stage="draft")
    services.scoring_model_retire(model=draft, actor=None)
    before = state(draft)

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_validate(model=draft, actor=None)

    assert raised.value.messages == ["Only a draft model can be validated; gone is retired."]
    assert state(draft) == before


def test_a_model_with_parameters_the_engine_rejects_cannot_be_created():
    parameters = copy.deepcopy(DEFAULT_PARAMETERS)
    parameters["weights"]["credit_history"] = "0.40"

    with pytest.raises(ValidationError) as raised:
        services.scoring_model_create(version="broken", parameters=parameters, actor=None)

    assert raised.value.messages == ["weights: must add up to exactly 1, got 1.05"]
    assert not ScoringModel.objects.filter(version="broken").exists()
