"""Tests for ``manage.py score_replay`` and services.snapshot_replay: a stored score recomputed
from the features stored with it and the model that made it."""

import datetime
import io
import random

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from accounts.models import ConsumerProfile
from scoring import services
from scoring.demo import signals_for, synthetic_profile
from scoring.models import ScoreSnapshot

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 20)
DATES = (datetime.date(2026, 9, 20), datetime.date(2026, 10, 20), AS_OF)


@pytest.fixture
def population(make_consumer):
    """Thirty opted-in people with seeded synthetic histories, scored on three dates by the nightly run."""
    rng = random.Random(5)
    people = [make_consumer(f"r{index}") for index in range(30)]
    for person in people:
        signals_for(
            person=person, profile=synthetic_profile(rng), today=AS_OF, rng=rng, contact_pool=people
        ).save()
    ConsumerProfile.objects.update(opted_in_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
    for as_of in DATES:
        services.recompute_run_sync(as_of=as_of, chunk_size=7)
    return people


def replay(username: str, as_of: datetime.date) -> str:
    out = io.StringIO()
    call_command("score_replay", person=username, date=as_of.isoformat(), stdout=out)
    return out.getvalue()


def test_every_snapshot_of_the_population_replays_identically(population):
    snapshots = list(ScoreSnapshot.objects.select_related("model"))

    replays = [services.snapshot_replay(snapshot=snapshot) for snapshot in snapshots]

    assert len(snapshots) == 30 * len(DATES) + 30  # and each one's opt-in day (make_consumer)
    assert [replay.differences for replay in replays if not replay.matches] == []
    assert len({snapshot.score for snapshot in snapshots}) > 10  # the features really vary


def test_the_command_says_a_score_replays_exactly(population):
    snapshot = ScoreSnapshot.objects.get(person=population[3], as_of=DATES[1])

    out = replay("r3", DATES[1])

    assert f"r3 on {DATES[1]}: {snapshot.score} ({snapshot.band}), model 2026.1" in out
    assert "the replay matches exactly" in out


def test_the_command_names_what_differs_when_a_stored_score_was_altered(population):
    # given: a score changed behind the engine's back
    snapshot = ScoreSnapshot.objects.get(person=population[4], as_of=AS_OF)
    ScoreSnapshot.objects.filter(pk=snapshot.pk).update(score=snapshot.score + 1)

    # when / then
    with pytest.raises(CommandError, match=r"does NOT match \(score\)"):
        replay("r4", AS_OF)


def test_a_replay_with_altered_features_does_not_match(population):
    # given: ten more late bills in the stored features than the score was computed from
    snapshot = ScoreSnapshot.objects.get(person=population[5], as_of=AS_OF)
    snapshot.features[2] += 10

    # when
    result = services.snapshot_replay(snapshot=snapshot)

    # then: at least the reason naming the late bills differs (their count is in it)
    assert not result.matches
    assert "reasons" in result.differences


def test_a_score_stored_without_features_cannot_be_replayed(population):
    snapshot = ScoreSnapshot.objects.get(person=population[6], as_of=AS_OF)
    ScoreSnapshot.objects.filter(pk=snapshot.pk).update(features=None)

    with pytest.raises(CommandError, match="stored before its features were kept"):
        replay("r6", AS_OF)
    with pytest.raises(ValidationError):
        services.snapshot_replay(snapshot=ScoreSnapshot.objects.get(pk=snapshot.pk))


def test_a_person_without_a_score_on_the_date_is_an_error(population):
    with pytest.raises(CommandError, match="There is no score of 'r1' on 2026-11-19"):
        replay("r1", AS_OF - datetime.timedelta(days=1))
