"""Tests for portal/management/commands/demo_model_rollout.py: the demo's model fitted and taken
through every governance step to live, on a generated world with three years of behaviour."""

import io

import pytest
from django.core.management import call_command

from accounts import demo as accounts_demo
from accounts.models import ConsumerProfile
from core.models import AuditEntry
from scoring import services
from scoring.models import RecomputeRun, ScoreSnapshot, ScoringModel
from scoring.tests.management.commands.test_scoring_fit import OPTED_IN_AT, PEOPLE, generated_world

pytestmark = pytest.mark.django_db


def test_the_rollout_fits_governs_shadows_and_activates_the_demo_model(active_scoring_model):
    generated_world()
    accounts_demo.admin_ensure(password_hash=accounts_demo.demo_password_hash())
    out = io.StringIO()

    call_command("demo_model_rollout", "--through", "2026-06-30", "--months", "6", stdout=out)

    model = ScoringModel.objects.get(version="fit-2026-06-30")
    assert (model.status, model.is_active) == ("active", True)
    assert (model.created_by.username, model.approved_by.username) == ("admin", "reviewer")
    assert RecomputeRun.objects.filter(shadow_model=model, status="done").count() == 3
    active_scoring_model.refresh_from_db()
    assert active_scoring_model.status == "retired"
    assert list(
        AuditEntry.objects.filter(target_id=str(model.pk), action__startswith="scoring_model.")
        .order_by("id")
        .values_list("action", "actor_label")
    ) == [
        ("scoring_model.create", "admin"),
        ("scoring_model.validate", "admin"),
        ("scoring_model.approve", "reviewer"),
        ("scoring_model.shadow", "admin"),
        ("scoring_model.activate", "reviewer"),
    ]
    today = ScoreSnapshot.objects.filter(as_of=services.today())
    assert (today.count(), set(today.values_list("model_id", flat=True))) == (PEOPLE, {model.pk})
    assert out.getvalue().startswith("Scoring model fit-2026-06-30 is active: dev AUC ")


def test_running_the_rollout_again_changes_nothing(active_scoring_model):
    generated_world()
    accounts_demo.admin_ensure(password_hash=accounts_demo.demo_password_hash())
    call_command("demo_model_rollout", "--through", "2026-06-30", "--months", "6", stdout=io.StringIO())
    before = (AuditEntry.objects.count(), RecomputeRun.objects.count(), ScoringModel.objects.count())

    call_command("demo_model_rollout", "--through", "2026-06-30", "--months", "6", stdout=io.StringIO())

    assert (AuditEntry.objects.count(), RecomputeRun.objects.count(), ScoringModel.objects.count()) == before


def test_on_a_world_with_nothing_to_learn_the_launch_model_stays(active_scoring_model, make_consumer):
    make_consumer("ann")
    accounts_demo.admin_ensure(password_hash=accounts_demo.demo_password_hash())
    out = io.StringIO()

    call_command("demo_model_rollout", "--through", "2026-06-30", stdout=out)

    assert out.getvalue() == (
        "No fitted model: Nobody (or everybody) went bad in the performance windows: "
        "there is nothing to learn. The launch model stays active.\n"
    )
    assert list(ScoringModel.objects.values_list("version", "status")) == [
        (active_scoring_model.version, "active")
    ]


def test_a_model_that_would_move_a_demo_login_out_of_its_place_stays_in_shadow(
    active_scoring_model, make_consumer
):
    # given: alice (750 or more by the contract) with no data yet, so 600 under any model
    generated_world()
    alice = make_consumer("alice")
    ConsumerProfile.objects.filter(user=alice).update(opted_in_at=OPTED_IN_AT)
    accounts_demo.admin_ensure(password_hash=accounts_demo.demo_password_hash())
    out = io.StringIO()

    # when
    call_command("demo_model_rollout", "--through", "2026-06-30", "--months", "6", stdout=out)

    # then: the launch model stays live and the output says why
    model = ScoringModel.objects.get(version="fit-2026-06-30")
    assert (model.status, model.is_active) == ("shadow", False)
    active_scoring_model.refresh_from_db()
    assert (active_scoring_model.status, active_scoring_model.is_active) == ("active", True)
    assert "out of their places (alice 600)" in out.getvalue()
