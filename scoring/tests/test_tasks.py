"""scoring/tasks.py, called directly: each task reads its ids and dates and calls its service."""

import datetime

import pytest
from celery import current_app
from django.conf import settings
from django.utils import timezone

from accounts.models import ConsumerProfile
from scoring import services, tasks
from scoring.models import RecomputeChunk, RecomputeRun, ScoreSnapshot

pytestmark = pytest.mark.django_db

AS_OF = datetime.date(2026, 11, 20)
OPTED_IN_AT = datetime.datetime(2026, 10, 1, tzinfo=datetime.UTC)  # before AS_OF: scored for it


@pytest.fixture
def people(make_consumer) -> list:
    made = [make_consumer(name) for name in ("ann", "ben", "cid")]
    ConsumerProfile.objects.update(opted_in_at=OPTED_IN_AT)
    return made


def snapshots_on(day: datetime.date) -> list[int]:
    return sorted(ScoreSnapshot.objects.filter(as_of=day).values_list("person_id", flat=True))


def test_the_tasks_services_queue_by_name_are_registered_under_those_names():
    assert {
        "scoring.recompute_person": tasks.recompute_person,
        "scoring.recompute_chunk": tasks.recompute_chunk,
        "scoring.recompute_nightly": tasks.recompute_nightly,
        "scoring.recompute_sweep": tasks.recompute_sweep,
        "scoring.notify_model_changed": tasks.notify_model_changed,
    } == {name: current_app.tasks[name] for name in current_app.tasks if name.startswith("scoring.")}


# recompute_person -----------------------------------------------------------------------------


def test_recompute_person_scores_the_person_for_the_date_it_was_given(people):
    ann = people[0]

    tasks.recompute_person(ann.pk, AS_OF.isoformat())

    assert snapshots_on(AS_OF) == [ann.pk]


def test_recompute_person_for_someone_who_opted_out_since_writes_nothing(people):
    ann = people[0]
    services.consumer_opt_out(person=ann)
    before = ScoreSnapshot.objects.count()

    tasks.recompute_person(ann.pk, AS_OF.isoformat())

    assert (ScoreSnapshot.objects.count(), snapshots_on(AS_OF)) == (before, [])


def test_recompute_person_for_a_deleted_person_does_nothing(people):
    before = ScoreSnapshot.objects.count()

    tasks.recompute_person(max(person.pk for person in people) + 1, AS_OF.isoformat())

    assert ScoreSnapshot.objects.count() == before


# recompute_nightly, recompute_chunk ------------------------------------------------------------


def test_recompute_nightly_plans_the_run_for_its_date_and_queues_its_chunks(people, unsent_tasks, settings):
    settings.SCORING_CHUNK_SIZE = 2

    tasks.recompute_nightly(AS_OF.isoformat())

    run = RecomputeRun.objects.get()
    chunks = list(run.chunks.order_by("first_person_id").values_list("pk", "people"))
    assert (run.as_of, run.status, run.people_total) == (AS_OF, RecomputeRun.Status.RUNNING, 3)
    assert [people for _pk, people in chunks] == [2, 1]
    assert [task for task in unsent_tasks() if task[0] == "scoring.recompute_chunk"] == [
        ("scoring.recompute_chunk", (pk,)) for pk, _people in chunks
    ]


def test_recompute_nightly_without_a_date_runs_for_today(people):
    tasks.recompute_nightly()

    assert list(RecomputeRun.objects.values_list("as_of", flat=True)) == [services.today()]


def test_recompute_chunk_scores_its_people_and_a_second_delivery_changes_nothing(people):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=2, dispatch=False)
    first, second = run.chunks.order_by("first_person_id")

    tasks.recompute_chunk(first.pk)
    tasks.recompute_chunk(first.pk)
    tasks.recompute_chunk(second.pk)

    run.refresh_from_db()
    assert snapshots_on(AS_OF) == sorted(person.pk for person in people)
    assert (run.status, run.people_done) == (RecomputeRun.Status.DONE, 3)
    assert list(run.chunks.values_list("attempts", flat=True)) == [1, 1]


# recompute_sweep ------------------------------------------------------------------------------


def test_recompute_sweep_requeues_a_chunk_whose_task_was_lost(people, unsent_tasks):
    run, _created = services.recompute_run_start(as_of=AS_OF, chunk_size=3, dispatch=False)
    chunk = run.chunks.get()
    lost_at = timezone.now() - datetime.timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT * 3)
    RecomputeChunk.objects.filter(pk=chunk.pk).update(dispatched_at=lost_at)

    tasks.recompute_sweep()

    assert unsent_tasks() == [("scoring.recompute_chunk", (chunk.pk,))]
    chunk.refresh_from_db()
    assert chunk.dispatched_at > lost_at
