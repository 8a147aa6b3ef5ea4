"""perks/services/notifications.py and goals.py: trials due back and overdue, a code checked, a share
opened, perks within reach and goals reached; each told once, emailed through the outbox."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from accounts.models import ConsumerProfile
from core.bands import Band
from core.models import Notification
from perks import services, tasks
from perks.models import BenefitType, Claim, Goal
from scoring.models import ScoreSnapshot, ScoringModel

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _own_cache(settings):
    # The share-opened memory lives in the cache, which outlives a test's database.
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": str(uuid.uuid4())}
    }


def kinds(person) -> list[str]:
    return list(Notification.objects.filter(person=person).values_list("kind", flat=True))


def trial(make_promotion, ann, *, due_back: datetime.date, status=Claim.Status.IN_USE) -> Claim:
    promotion = make_promotion(
        title="Bike trial", title_zh="单车试用", benefit_type=BenefitType.TRIAL, trial_days=7, min_score=650
    )
    claim = services.claim_create(promotion=promotion, person=ann)
    Claim.objects.filter(pk=claim.pk).update(status=status, due_back=due_back)
    return claim


def test_a_trial_due_back_tomorrow_is_told_once(make_promotion, ann, deliver_notification_emails):
    today = timezone.localdate()
    claim = trial(make_promotion, ann, due_back=today + datetime.timedelta(days=1))

    tasks.notify_due_back()
    tasks.notify_due_back()  # delivered twice

    assert kinds(ann) == ["due_back"]
    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: Bike trial is due back tomorrow"
    assert "Please return Bike trial to Ford by " in email.body
    assert reverse("perks:claim_detail", args=[claim.pk]) in email.body


def test_a_line_break_in_a_merchants_title_does_not_stop_the_email(
    make_promotion, ann, deliver_notification_emails
):
    claim = trial(make_promotion, ann, due_back=timezone.localdate() + datetime.timedelta(days=1))
    claim.promotion.__class__.objects.filter(pk=claim.promotion_id).update(
        title="Bike\r\nBcc: x@example.com trial"
    )

    tasks.notify_due_back()

    # A header takes no line break: the email goes, with the title on one line.
    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: Bike Bcc: x@example.com trial is due back tomorrow"
    assert email.bcc == []


def test_an_overdue_trial_is_told_once(make_promotion, ann, deliver_notification_emails):
    today = timezone.localdate()
    trial(make_promotion, ann, due_back=today - datetime.timedelta(days=2), status=Claim.Status.OVERDUE)

    assert services.claims_due_back_notify(today=today) == 1
    assert services.claims_due_back_notify(today=today) == 0

    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: Bike trial is overdue"
    assert "Return it as soon as you can." in email.body


def test_a_trial_returned_is_not_told(make_promotion, ann):
    today = timezone.localdate()
    trial(make_promotion, ann, due_back=today - datetime.timedelta(days=2), status=Claim.Status.RETURNED)

    assert services.claims_due_back_notify(today=today) == 0


def test_a_merchant_checking_a_code_is_told_in_the_persons_language(
    make_promotion, ann, merchant, deliver_notification_emails
):
    from core.notifications.services import notification_settings_update

    notification_settings_update(person=ann, muted_kinds=[], delivery="each", language="zh-hans")
    promotion = make_promotion(title="Bike trial", title_zh="单车试用")
    claim = services.claim_create(promotion=promotion, person=ann)

    assert services.claim_check(merchant=merchant, code=claim.code).valid is True

    [email] = deliver_notification_emails()
    assert email.subject == "信用生活：Ford 核验了您的券码"  # noqa: RUF001
    assert "Ford 核验了您领取的 单车试用 的券码" in email.body


def test_a_refused_code_tells_nobody(make_promotion, ann, merchant):
    services.claim_check(merchant=merchant, code="NOSUCHCODE")

    assert kinds(ann) == []


def test_a_share_opened_is_told_once_a_day(client, ann, deliver_notification_emails, unsent_tasks):
    share = services.share_create(person=ann, show="band", expires_in_days=30)
    url = reverse("perks:share_public", kwargs={"token": share.token})

    assert client.get(url).status_code == 200
    assert client.get(url).status_code == 200
    assert client.get(reverse("api:share-public", kwargs={"token": share.token})).status_code == 200

    queued = [task for task in unsent_tasks() if task[0] == "perks.notify_share_opened"]
    assert queued == [("perks.notify_share_opened", (share.pk, timezone.localdate().isoformat()))]
    tasks.notify_share_opened(*queued[0][1])
    tasks.notify_share_opened(*queued[0][1])
    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: Your share link was opened"


def test_a_revoked_share_tells_nothing(client, ann, unsent_tasks):
    share = services.share_create(person=ann, show="band", expires_in_days=30)
    services.share_revoke(share=share, person=ann)

    assert client.get(reverse("perks:share_public", kwargs={"token": share.token})).status_code == 404
    assert not [task for task in unsent_tasks() if task[0] == "perks.notify_share_opened"]


# --- perks within reach and goals ---------------------------------------------------------------


def rise(person, *, before: int, now: int) -> datetime.date:
    """Yesterday's snapshot at ``before``, today's at ``now`` (the profile's score too)."""
    today = timezone.localdate()
    for as_of, score in ((today - datetime.timedelta(days=1), before), (today, now)):
        ScoreSnapshot.objects.update_or_create(
            person=person,
            as_of=as_of,
            defaults={
                "score": score,
                "band": Band.for_score(score),
                "model": ScoringModel.objects.get(is_active=True),
                **dict.fromkeys(
                    ("credit_history", "fulfilment_capacity", "behaviour", "identity", "connections"), 50
                ),
            },
        )
    ConsumerProfile.objects.filter(user=person).update(score=now, score_as_of=today)
    return today


def test_a_perk_the_new_score_reaches_is_told(make_promotion, make_consumer, deliver_notification_emails):
    make_promotion(title="Umbrella", min_score=700)  # reachable before and now
    bike = make_promotion(title="Hello Bike", min_score=750)  # newly reachable
    make_promotion(title="Apartment", min_score=800)  # still out of reach
    bo = make_consumer("bo")
    today = rise(bo, before=745, now=752)

    tasks.score_rose(today.isoformat(), [bo.pk])
    tasks.score_rose(today.isoformat(), [bo.pk])

    assert kinds(bo) == ["perk_reachable"]
    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: New perk within reach: Hello Bike"
    assert "With your new score you can claim Hello Bike from Ford." in email.body
    assert reverse("perks:claim_confirm", args=[bike.pk]) in email.body


def test_a_goal_reached_is_told_once_instead_of_the_perk(
    make_promotion, make_consumer, deliver_notification_emails
):
    ford = make_promotion(title="Ford test drive", min_score=750)
    bo = make_consumer("bo")
    goal = services.goal_set(person=bo, promotion_id=ford.pk)
    today = rise(bo, before=700, now=760)

    services.score_rose_notify(as_of=today, person_ids=[bo.pk])
    services.score_rose_notify(as_of=today, person_ids=[bo.pk])

    assert kinds(bo) == ["goal_reached"]
    goal.refresh_from_db()
    assert goal.reached_at is not None
    [email] = deliver_notification_emails()
    assert email.subject == "Credit Life: Goal reached: Ford test drive"
    assert "Your score now meets Ford test drive from Ford." in email.body


def test_a_goal_still_out_of_reach_is_not_told(make_promotion, make_consumer):
    ford = make_promotion(title="Ford test drive", min_score=800)
    bo = make_consumer("bo")
    services.goal_set(person=bo, promotion_id=ford.pk)
    today = rise(bo, before=700, now=760)

    services.score_rose_notify(as_of=today, person_ids=[bo.pk])

    assert kinds(bo) == []
    assert Goal.objects.get().reached_at is None


def test_a_goal_must_be_a_live_perk(make_promotion, make_consumer):
    draft = make_promotion(status="draft")
    bo = make_consumer("bo")

    for bad in (draft.pk, 999_999, "7"):
        with pytest.raises(ValidationError) as refusal:
            services.goal_set(person=bo, promotion_id=bad)
        assert list(refusal.value.message_dict) == ["promotion"]
    assert not Goal.objects.exists()


def test_a_new_goal_replaces_the_old_one(make_promotion, make_consumer):
    first, second = make_promotion(title="One", min_score=700), make_promotion(title="Two", min_score=750)
    bo = make_consumer("bo")

    services.goal_set(person=bo, promotion_id=first.pk)
    services.goal_set(person=bo, promotion_id=second.pk)

    assert list(Goal.objects.values_list("promotion_id", flat=True)) == [second.pk]
