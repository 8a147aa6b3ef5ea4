"""core/notifications: told once, in the inbox and by one email through the outbox, in the person's
language, muted kinds not told (the legally required ones always), and the daily digest."""

import datetime

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from core import tasks
from core.models import Notification, NotificationKind, NotificationSettings
from core.notifications import services
from core.notifications.services import Tell

pytestmark = pytest.mark.django_db

EMAIL = "core.notification_email"
DIGEST = "core.notification_digest_send"


@pytest.fixture
def ann(make_consumer):
    return make_consumer("ann", opted_in=False)


@pytest.fixture
def bob(make_consumer):
    return make_consumer("bob", opted_in=False)


def share_opened(person, key="share:1:2026-12-07"):
    return services.notify(
        person_id=person.pk, kind=NotificationKind.SHARE_OPENED, key=key, params={"created_on": "2026-12-01"}
    )


def test_a_notification_is_stored_and_its_email_queued_through_the_outbox(ann, unsent_tasks):
    notification = share_opened(ann)

    assert Notification.objects.get().kind == "share_opened"
    assert unsent_tasks() == [(EMAIL, (notification.pk,))]


def test_the_email_goes_once_however_often_the_task_runs(ann, mailoutbox):
    notification = share_opened(ann)

    tasks.notification_email(notification.pk)
    tasks.notification_email(notification.pk)  # the broker may deliver it twice

    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["ann@example.com"]
    assert mailoutbox[0].subject == "Credit Life: Your share link was opened"
    assert "Someone opened the share link you made on Dec. 1, 2026." in mailoutbox[0].body
    assert "http://127.0.0.1:8000/accounts/profile/#notifications" in mailoutbox[0].body
    notification.refresh_from_db()
    assert notification.emailed_at is not None


def test_the_same_event_is_told_once(ann, unsent_tasks):
    first = share_opened(ann)
    again = share_opened(ann)

    assert first is not None
    assert again is None
    assert Notification.objects.count() == 1
    assert len(unsent_tasks()) == 1


def test_the_email_is_in_the_language_the_person_chose(ann, mailoutbox):
    services.notification_settings_update(person=ann, muted_kinds=[], delivery="each", language="zh-hans")

    tasks.notification_email(share_opened(ann).pk)

    assert mailoutbox[0].subject == "信用生活：您的分享链接被打开了"  # noqa: RUF001
    assert "您可以随时撤销" in mailoutbox[0].body


def test_a_link_in_the_params_becomes_an_absolute_link_in_the_email(ann, mailoutbox):
    notification = services.notify(
        person_id=ann.pk,
        kind=NotificationKind.MODEL_CHANGED,
        key="model:v2",
        params={"version": "v2", "link": "/dashboard/"},
    )

    tasks.notification_email(notification.pk)

    assert f"{settings.PUBLIC_URL}/dashboard/" in mailoutbox[0].body
    assert "Scoring model v2 is now in use." in mailoutbox[0].body


def test_a_person_without_an_email_address_is_told_in_the_inbox_only(ann, mailoutbox):
    type(ann).objects.filter(pk=ann.pk).update(email="")

    tasks.notification_email(share_opened(ann).pk)

    assert mailoutbox == []
    assert Notification.objects.get().emailed_at is None


def test_a_muted_kind_is_not_told(ann, unsent_tasks):
    services.notification_settings_update(
        person=ann, muted_kinds=["share_opened"], delivery="each", language="en"
    )

    assert share_opened(ann) is None
    assert Notification.objects.count() == 0
    assert unsent_tasks() == []


def test_the_legally_required_kinds_cannot_be_muted(ann):
    services.notification_settings_update(
        person=ann, muted_kinds=["share_opened"], delivery="each", language="en"
    )

    with pytest.raises(ValidationError) as refusal:
        services.notification_settings_update(
            person=ann, muted_kinds=["negative_record", "share_opened"], delivery="digest", language="en"
        )

    assert list(refusal.value.message_dict) == ["muted_kinds"]
    assert "cannot be switched off" in refusal.value.message_dict["muted_kinds"][0]
    chosen = NotificationSettings.objects.get(person=ann)
    assert (chosen.muted_kinds, chosen.delivery) == (["share_opened"], "each")


def test_settings_name_each_bad_field(ann):
    with pytest.raises(ValidationError) as refusal:
        services.notification_settings_update(
            person=ann, muted_kinds=["nonsense"], delivery="hourly", language="fr"
        )

    assert sorted(refusal.value.message_dict) == ["delivery", "language", "muted_kinds"]
    assert not NotificationSettings.objects.exists()


def test_a_required_kind_is_told_even_if_stored_settings_muted_it(ann, unsent_tasks):
    # Settings written before a kind became required (or by hand) do not silence it.
    NotificationSettings.objects.create(person=ann, muted_kinds=["dispute_answered"])

    notification = services.notify(
        person_id=ann.pk, kind=NotificationKind.DISPUTE_ANSWERED, key="dispute:1", params={"accepted": True}
    )

    assert notification is not None
    assert unsent_tasks() == [(EMAIL, (notification.pk,))]


def test_notify_many_tells_a_crowd_with_a_fixed_number_of_queries(
    ann, bob, make_consumer, django_assert_num_queries
):
    carol = make_consumer("carol", opted_in=False)
    NotificationSettings.objects.create(person=carol, muted_kinds=["model_changed"])
    tells = [
        Tell(person_id=person.pk, key="model:v2", params={"version": "v2"}) for person in (ann, bob, carol)
    ]

    # savepoint, settings, already told, insert, read back, the outbox's rows, release
    with django_assert_num_queries(7):
        made = services.notify_many(kind=NotificationKind.MODEL_CHANGED, tells=tells)

    assert sorted(n.person_id for n in made) == [ann.pk, bob.pk]


def test_the_digest_gathers_a_days_notifications_into_one_email(ann, mailoutbox, unsent_tasks):
    services.notification_settings_update(person=ann, muted_kinds=[], delivery="digest", language="en")
    share_opened(ann, key="share:1:a")
    services.notify(
        person_id=ann.pk, kind=NotificationKind.MODEL_CHANGED, key="model:v2", params={"version": "v2"}
    )
    assert unsent_tasks() == []  # no email each

    queued = services.notification_digests_queue(before=timezone.now() + datetime.timedelta(seconds=1))
    assert (queued, unsent_tasks()) == (1, [(DIGEST, (ann.pk,))])
    tasks.notification_digest_send(ann.pk)
    tasks.notification_digest_send(ann.pk)  # delivered twice: nothing more to send

    assert len(mailoutbox) == 1
    assert mailoutbox[0].subject == "Credit Life: your daily digest (2)"
    assert "* Your share link was opened" in mailoutbox[0].body
    assert "* We changed how scores are computed" in mailoutbox[0].body
    assert Notification.objects.filter(emailed_at__isnull=True).count() == 0


def test_the_digest_skips_people_who_take_an_email_each(ann, unsent_tasks):
    share_opened(ann)

    assert services.notification_digests_queue(before=timezone.now() + datetime.timedelta(seconds=1)) == 0


def test_a_required_kind_is_emailed_at_once_even_on_the_digest(ann, unsent_tasks):
    services.notification_settings_update(person=ann, muted_kinds=[], delivery="digest", language="en")

    notification = services.notify(
        person_id=ann.pk,
        kind=NotificationKind.NEGATIVE_RECORD,
        key="bill:9",
        params={"record": "late_bill", "label": "Utilities", "day": "2026-11-30"},
    )

    assert unsent_tasks() == [(EMAIL, (notification.pk,))]


def test_the_digest_runs_each_morning():
    entry = next(e for e in settings.CELERY_BEAT_SCHEDULE.values() if e["task"] == "core.notification_digest")

    assert (entry["schedule"].hour, entry["schedule"].minute) == ({8}, {0})


def test_mark_read_touches_only_the_persons_own(ann, bob):
    mine, theirs = share_opened(ann), share_opened(bob)

    assert services.notification_mark_read(person=ann, notification_id=theirs.pk) is None
    assert services.notification_mark_read(person=ann, notification_id=mine.pk).read_at is not None
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_counts_what_it_marked(ann, bob):
    share_opened(ann, key="a")
    share_opened(ann, key="b")
    share_opened(bob)

    assert services.notifications_mark_all_read(person=ann) == 2
    assert services.notifications_mark_all_read(person=ann) == 0
    assert Notification.objects.filter(read_at__isnull=True).count() == 1
