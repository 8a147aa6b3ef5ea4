"""Tests for portal/management/commands/seed_demo.py: the demo population of shared/api.md."""

import datetime
import io

import pytest
from django.apps import apps
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.utils import timezone

from accounts.models import ConsumerProfile, MerchantStaff, RealNameIdentity, User
from perks.selectors import perks_for_person
from scoring import selectors
from scoring import services as scoring_services
from scoring.models import Identity, ScoreSnapshot

pytestmark = pytest.mark.django_db

PASSWORD = "demo-pass-950"
MERCHANT_LOGINS = ["ford", "meitu", "hellobike", "huashan", "library"]


def seed(people: int = 30) -> str:
    out = io.StringIO()
    call_command("seed_demo", people=people, stdout=out)
    return out.getvalue()


def row_counts() -> dict[str, int]:
    return {
        f"{model._meta.label}": model.objects.count()
        for label in ("accounts", "scoring", "perks")
        for model in apps.get_app_config(label).get_models()
    }


def scores() -> set[tuple[str, str, int]]:
    return set(ScoreSnapshot.objects.values_list("person__username", "as_of", "score"))


def test_seeding_twice_changes_nothing():
    # given
    seed()
    counts, snapshot_scores = row_counts(), scores()

    # when
    seed()

    # then
    assert row_counts() == counts
    assert scores() == snapshot_scores
    assert {
        label: counts[label] for label in ("accounts.User", "accounts.ConsumerProfile", "accounts.Merchant")
    } == {
        "accounts.User": 5 + 30 + len(MERCHANT_LOGINS) + 1,
        "accounts.ConsumerProfile": 5 + 30,
        "accounts.Merchant": 10,
    }
    assert all(
        counts[f"scoring.{name}"] > 0 for name in ("Bill", "Balance", "Purchase", "Identity", "Contact")
    )


def test_the_named_demo_people_score_as_the_contract_says():
    # when
    seed()

    # then
    current = {
        name: selectors.score_current(person=User.objects.get(username=name))
        for name in ("alice", "bob", "carol", "dave", "erin")
    }
    assert current["alice"].score >= 750
    assert 650 <= current["bob"].score <= 699
    assert (current["carol"].score, current["carol"].band) == (600, "good")
    assert (current["dave"].score < 550, current["dave"].band) == (True, "poor")
    assert current["dave"].reasons[0]["code"] == "blacklist_active"
    assert current["erin"] is None


def test_every_seeded_score_replays_identically_from_its_stored_features():
    # given: a year of monthly scores and today's run for the demo population
    seed()
    snapshots = list(ScoreSnapshot.objects.select_related("model"))

    # when
    replays = [scoring_services.snapshot_replay(snapshot=snapshot) for snapshot in snapshots]

    # then
    assert len(snapshots) > 30 * 12
    assert [replay.differences for replay in replays if not replay.matches] == []


def test_erin_is_not_opted_in_and_has_no_score():
    # when
    seed()

    # then
    erin = ConsumerProfile.objects.get(user__username="erin")
    assert (erin.is_opted_in, erin.score) == (False, None)
    assert ScoreSnapshot.objects.filter(person=erin.user).count() == 0


def test_every_demo_login_takes_the_published_password_and_has_its_role():
    # when
    output = seed(people=3)

    # then
    logins = ["alice", "bob", "carol", "dave", "erin", *MERCHANT_LOGINS, "admin", "person1", "person3"]
    assert [authenticate(username=name, password=PASSWORD) is not None for name in logins] == [True] * len(
        logins
    )
    assert dict(MerchantStaff.objects.values_list("user__username", "merchant__slug")) == {
        name: name for name in MERCHANT_LOGINS
    }
    admin = User.objects.get(username="admin")
    assert (admin.is_staff, admin.is_superuser) == (True, True)
    assert "person1..person3" in output


def test_synthetic_people_are_opted_in_with_months_of_history():
    # when
    seed(people=5)

    # then
    profiles = ConsumerProfile.objects.filter(user__username__startswith="person")
    assert list(profiles.values_list("is_opted_in", flat=True)) == [True] * 5
    assert {
        ScoreSnapshot.objects.filter(person__username=f"person{number}").count() for number in range(1, 6)
    } == {13}
    assert all(350 <= score <= 950 for _, _, score in scores())


def test_nobody_is_scored_for_a_day_before_they_opted_in():
    # when
    seed()

    # then: carol just opted in, so she has today's score and no history before it
    carol = ConsumerProfile.objects.get(user__username="carol")
    assert list(ScoreSnapshot.objects.filter(person=carol.user).values_list("as_of", flat=True)) == [
        carol.score_as_of
    ]
    early = [
        (snapshot.person.username, snapshot.as_of)
        for snapshot in ScoreSnapshot.objects.select_related("person__consumer")
        if snapshot.as_of < timezone.localtime(snapshot.person.consumer.opted_in_at).date()
    ]
    assert early == []


def test_seeding_again_a_day_later_claims_nothing_more():
    # given: the demo's claims are older than an idempotency key lives
    from perks.models import Claim

    seed()
    day_later = timezone.now() - datetime.timedelta(hours=25)
    Claim.objects.update(created_at=day_later)
    claims = Claim.objects.count()

    # when
    seed()

    # then
    assert Claim.objects.count() == claims


def test_the_demo_logins_are_old_enough_for_the_deposit_waivers_their_scores_reach():
    seed()

    wheelchair = {
        name: next(
            perk.unmet
            for perk in perks_for_person(person=User.objects.get(username=name))
            if perk.promotion.title == "Wheelchair without deposit"
        )
        for name in ("alice", "bob", "carol")
    }
    # carol's account is old enough too; what she lacks is the real-name verification she shows
    assert wheelchair == {"alice": [], "bob": [], "carol": ["Verify your real name"]}
    assert (
        not User.objects.filter(date_joined__gt=timezone.now() - datetime.timedelta(days=30))
        .exclude(username="admin")
        .exists()
    )


def test_every_demo_consumer_but_carol_is_real_name_verified_and_it_counts():
    seed()

    consumers = User.objects.filter(consumer__isnull=False)
    verified = set(
        RealNameIdentity.objects.filter(status="verified").values_list("user__username", flat=True)
    )
    assert verified == set(consumers.exclude(username="carol").values_list("username", flat=True))
    assert (
        set(Identity.objects.filter(real_name_verified=True).values_list("person__username", flat=True))
        == verified
    )
    # carol just opted in with no data at all: exactly 600, and the page to verify is hers to use
    carol = ConsumerProfile.objects.get(user__username="carol")
    assert (carol.score, RealNameIdentity.objects.filter(user=carol.user).exists()) == (600, False)
    # every number is its own: one real person, one profile
    assert RealNameIdentity.objects.values("id_hash").distinct().count() == len(verified)


def test_the_demo_seeds_one_finished_nightly_run_for_today():
    from scoring.models import RecomputeRun

    seed()
    seed()

    runs = list(RecomputeRun.objects.values_list("as_of", "status", "people_done", "people_failed"))
    opted_in = ConsumerProfile.objects.filter(is_opted_in=True).count()
    assert runs == [(timezone.localdate(), "done", opted_in, 0)]
    assert ScoreSnapshot.objects.filter(as_of=timezone.localdate()).count() == opted_in
