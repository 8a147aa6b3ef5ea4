"""scoring/admin.py: a new partner key is shown once, on a page no cache keeps, never in a cookie."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from scoring.models import Partner

pytestmark = pytest.mark.django_db


def test_a_new_partner_key_is_shown_once_on_a_no_store_page_and_never_put_in_a_cookie(admin_client):
    # given
    partner = Partner.objects.create(name="China UnionPay", slug="unionpay")
    changelist = reverse("admin:scoring_partner_changelist")

    # when
    response = admin_client.post(changelist, {"action": "issue_key", "_selected_action": [partner.pk]})
    partner.refresh_from_db()

    # then: the page shows the key, no cache keeps it, and no cookie carries it
    assert response.status_code == 200
    key = response.context["issued"][0][1]
    after = admin_client.get(changelist)
    assert key.startswith(partner.key_prefix)
    assert key.encode() in response.content
    assert "no-store" in response["Cache-Control"]
    assert "private" in response["Cache-Control"]
    assert all(key not in morsel.value for morsel in response.cookies.values())
    assert all(key not in morsel.value for morsel in admin_client.cookies.values())
    assert key.encode() not in after.content
    # and the key shown is the one that works
    partner_client = APIClient()
    partner_client.credentials(HTTP_AUTHORIZATION=f"Api-Key {key}")
    answer = partner_client.post("/api/v1/ingest/events/", {"events": []}, format="json")
    assert answer.status_code == 400
    assert "events" in answer.json()


# --- Scoring models: the validation report and the governance actions ---------------------------


@pytest.fixture
def fitted_model(staff_user):
    """A draft fitted on a generated portal world, its report as the fit command stores it."""
    import numpy as np

    from scoring import services
    from scoring.engine import DEFAULT_PARAMETERS
    from scoring.fitting import fit_scorecard
    from scoring.fitting import scores as fitted_scores
    from scoring.fitting.portal import features_table, model_parameters, portal_characteristics, with_data
    from scoring.services.models import _chart_data
    from scoring.tests.engine.test_totals import portal_world

    people, outcomes, split = portal_world(1500, 5)
    table = features_table(people)
    offered, _ = with_data(portal_characteristics(), table, np.flatnonzero(split == "dev"))
    fit = fit_scorecard(
        features=table,
        outcomes=outcomes,
        characteristics=offered,
        split=split,
        weights=DEFAULT_PARAMETERS["weights"],
        oracle=np.zeros(len(outcomes)),
    )
    scored = fitted_scores(fit.parameters, table)
    report = {
        **fit.report,
        "charts": {
            s: _chart_data(outcomes[split == s], scored[split == s]) for s in ("dev", "holdout", "oot")
        },
    }
    return services.scoring_model_create(
        version="fit-admin",
        parameters=model_parameters(fit.parameters),
        actor=staff_user("fitter"),
        report=report,
    )


def test_a_fitted_models_page_shows_its_report_with_server_rendered_charts(admin_client, fitted_model):
    response = admin_client.get(reverse("admin:scoring_scoringmodel_change", args=[fitted_model.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    oot = fitted_model.report["samples"]["oot"]
    assert f"<td>{oot['auc']:.3f}</td>" in html
    assert html.count('aria-label="ROC curve') == 3
    assert html.count('aria-label="Bad rate by band"') == 3
    assert html.count('aria-label="Score distribution (50-point buckets)"') == 3
    assert "Calibration by decile" in html
    assert "The published weights and what they cost" in html
    assert "on_time_bills_24m (credit_history) · IV" in html


def test_approving_ones_own_model_in_the_admin_is_refused_and_nothing_changes(client, fitted_model):
    from scoring import services

    services.scoring_model_validate(model=fitted_model, actor=fitted_model.created_by)
    fitted_model.created_by.is_superuser = True
    fitted_model.created_by.save()
    client.force_login(fitted_model.created_by)

    response = client.post(
        reverse("admin:scoring_scoringmodel_changelist"),
        {"action": "approve", "_selected_action": [fitted_model.pk]},
        follow=True,
    )

    assert [str(m) for m in response.context["messages"]] == [
        "fit-admin: The person who fitted or uploaded a model cannot approve it: another staff member must."
    ]
    fitted_model.refresh_from_db()
    assert (fitted_model.status, fitted_model.approved_by) == ("validated", None)


def test_a_second_staff_member_approves_in_the_admin(admin_client, fitted_model):
    from scoring import services

    services.scoring_model_validate(model=fitted_model, actor=fitted_model.created_by)

    admin_client.post(
        reverse("admin:scoring_scoringmodel_changelist"),
        {"action": "approve", "_selected_action": [fitted_model.pk]},
    )

    fitted_model.refresh_from_db()
    assert (fitted_model.status, fitted_model.approved_by.username) == ("approved", "admin")
