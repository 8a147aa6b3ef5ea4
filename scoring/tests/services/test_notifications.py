"""scoring/services/notifications.py: what scoring tells people, each told once from the service
where it happens, and emailed through the outbox with the words the person reads."""

import datetime

import pytest

from core.bands import Band
from core.models import Notification
from core.notifications import services as notification_services
from scoring import services, tasks
from scoring.models import Dispute, ScoreSnapshot, ScoringModel

pytestmark = pytest.mark.django_db

COURT = "Beijing Chaoyang District People's Court"


def day(days_ago: int) -> datetime.date:
    return services.today() - datetime.timedelta(days=days_ago)


def snapshot(person, as_of: datetime.date, score: int) -> None:
    ScoreSnapshot.objects.update_or_create(
        person=person,
        as_of=as_of,
        defaults={
            "score": score,
            "band": Band.for_score(score),
            "model": ScoringModel.objects.get(is_active=True),
            "credit_history": 50,
            "fulfilment_capacity": 50,
            "behaviour": 50,
            "identity": 50,
            "connections": 50,
        },
    )


def kinds(person) -> list[str]:
    return list(Notification.objects.filter(person=person).values_list("kind", flat=True))


# --- score moved ----------------------------------------------------------------------------------


def test_a_recompute_that_moves_the_score_ten_points_tells_once_by_email(
    make_consumer, deliver_notification_emails, unsent_tasks
):
    # given: yesterday 620; today's recompute scores a fresh person 600
    ann = make_consumer("ann")
    snapshot(ann, day(1), 620)

    # when
    services.score_recompute(person=ann)
    services.score_recompute(person=ann)  # the same day again: already told

    # then
    assert kinds(ann) == ["score_moved"]
    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: Your score fell 20 points"
    assert "Your score is now 600 (Good), from 620 on " in email.body
    assert "Your dashboard shows what lowers it and what you can do." in email.body
    assert deliver_notification_emails() == []
    assert not [task for task in unsent_tasks() if task[0] == "perks.score_rose"]


def test_a_rise_into_a_new_band_is_told_and_handed_to_perks(
    make_consumer, deliver_notification_emails, unsent_tasks
):
    ann = make_consumer("ann")
    snapshot(ann, day(1), 580)

    services.score_recompute(person=ann)

    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: You moved from the Fair band to Good"
    assert "Your score is now 600 (Good), from 580 on " in email.body
    assert ("perks.score_rose", (services.today().isoformat(), [ann.pk])) in unsent_tasks()


def test_a_nine_point_move_within_a_band_tells_nothing(make_consumer, unsent_tasks):
    ann = make_consumer("ann")
    snapshot(ann, day(1), 609)

    services.score_recompute(person=ann)

    assert kinds(ann) == []


def test_a_band_change_is_told_even_for_a_small_move(make_consumer, deliver_notification_emails):
    ann = make_consumer("ann")
    snapshot(ann, day(1), 595)  # fair; today's 600 is good

    services.score_recompute(person=ann)

    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: You moved from the Fair band to Good"
    assert "from 595 on " in email.body


def test_rescoring_a_past_date_tells_nothing(make_consumer):
    ann = make_consumer("ann")
    snapshot(ann, day(3), 500)

    services.score_recompute(person=ann, as_of=day(2))

    assert kinds(ann) == []


def test_the_nightly_run_tells_each_person_whose_score_moved(make_consumer, deliver_notification_emails):
    # given: ann was at 560, bob at 600 (no move); the run scores both 600 today
    ann, bob = make_consumer("ann"), make_consumer("bob")
    ScoreSnapshot.objects.filter(as_of=services.today()).delete()
    snapshot(ann, day(1), 560)
    snapshot(bob, day(1), 600)

    # when
    services.recompute_run_sync(as_of=services.today())

    # then
    assert (kinds(ann), kinds(bob)) == (["score_moved"], [])
    assert [email.to for email in deliver_notification_emails()] == [["ann@example.com"]]


# --- negative records -------------------------------------------------------------------------------


def test_a_late_bill_reported_is_told_with_how_to_dispute_it(
    make_consumer, partner, deliver_notification_emails
):
    ann = make_consumer("ann")
    overdue = {
        "id": "o1",
        "type": "bill_overdue",
        "person": "ann",
        "data": {
            "kind": "utility",
            "amount": "88.00",
            "issuer": "City Water",
            "reference": "W-7",
            "due_on": day(40).isoformat(),
        },
    }

    services.events_ingest(partner=partner, batch=[overdue])

    assert kinds(ann) == ["negative_record"]
    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: A late bill was reported about you"
    assert "was reported unpaid after its due date." in email.body
    assert "If it is wrong, dispute it from your dashboard" in email.body
    assert "/dashboard/#disputes" in email.body


def test_a_court_listing_is_told_even_when_muted(make_consumer, partner, deliver_notification_emails):
    # given: settings stored muting it (the form refuses that; stored data must not silence it)
    ann = make_consumer("ann")
    notification_services.notification_settings_update(
        person=ann, muted_kinds=["share_opened"], delivery="digest", language="en"
    )
    listed = {
        "id": "l1",
        "type": "blacklist_listed",
        "person": "ann",
        "data": {"court": COURT, "case_number": "(2026) Jing 0105 Zhi 1", "listed_on": day(2).isoformat()},
    }

    services.events_ingest(partner=partner, batch=[listed])

    [email] = deliver_notification_emails()  # at once, though ann takes the digest
    assert email.subject == "Credit Life: A court listing was reported about you"
    assert f"A court listing by {COURT} dated" in email.body


# --- disputes ---------------------------------------------------------------------------------------


def test_a_dispute_answered_is_told_with_the_answer(make_consumer, staff_user, deliver_notification_emails):
    ann = make_consumer("ann")
    dispute = services.dispute_create(person=ann, reason="Not my bill", signal="City Water W-7")

    services.dispute_reject(dispute=dispute, response="The bank confirmed the bill.", actor=staff_user("sam"))

    assert Dispute.objects.get().status == "rejected"
    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: Your dispute was turned down"
    assert "Our answer: The bank confirmed the bill." in email.body


def test_an_upheld_dispute_is_told(make_consumer, staff_user, deliver_notification_emails):
    ann = make_consumer("ann")
    dispute = services.dispute_create(person=ann, reason="Not my bill", signal="City Water W-7")

    services.dispute_accept(dispute=dispute, actor=staff_user("sam"))

    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: Your dispute was upheld"


# --- the scoring model ------------------------------------------------------------------------------


def test_a_new_model_is_told_to_every_opted_in_person_once(
    make_consumer, make_challenger, unsent_tasks, deliver_notification_emails
):
    ann, bob = make_consumer("ann"), make_consumer("bob")
    make_consumer("erin", opted_in=False)
    challenger = make_challenger("v2")

    services.scoring_model_activate(model=challenger)
    assert ("scoring.notify_model_changed", (challenger.pk,)) in unsent_tasks()
    tasks.notify_model_changed(challenger.pk)
    tasks.notify_model_changed(challenger.pk)  # delivered twice

    assert (kinds(ann), kinds(bob)) == (["model_changed"], ["model_changed"])
    emails = deliver_notification_emails()
    assert sorted(email.to[0] for email in emails) == ["ann@example.com", "bob@example.com"]
    assert "Scoring model v2 is now in use." in emails[0].body
