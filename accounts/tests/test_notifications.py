"""The inbox page, the unread count in the navigation, GET /api/v1/me/notifications/ and the
mark-read APIs, and the notification choices on the profile page."""

import datetime

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts import services as account_services
from core.models import Notification, NotificationKind, NotificationSettings
from core.notifications import services

pytestmark = pytest.mark.django_db

INBOX = reverse("accounts:notifications")
API = reverse("api:my-notifications")
# session, user, merchant membership (role), the page's count and rows, the unread count
INBOX_QUERIES = 6
# token with its login, the page's count and rows
API_QUERIES = 3


@pytest.fixture
def ann(make_consumer):
    return make_consumer("ann", opted_in=False)


@pytest.fixture
def bob(make_consumer):
    return make_consumer("bob", opted_in=False)


def tell(person, key: str, *, kind=NotificationKind.MODEL_CHANGED, **params) -> Notification:
    notification = services.notify(
        person_id=person.pk, kind=kind, key=key, params={"version": key, "link": "/dashboard/", **params}
    )
    assert notification is not None
    return notification


def api_as(person) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {account_services.api_token_issue(user=person)}")
    return client


# --- the page ------------------------------------------------------------------------------------


def test_the_navigation_counts_unread_notifications(client, ann):
    tell(ann, "v2")
    tell(ann, "v3")
    client.force_login(ann)

    html = client.get(reverse("accounts:password_change")).content.decode()

    assert '<span class="site-nav__count" data-testid="unread-count">2</span>' in html


def test_no_count_shows_when_everything_is_read(client, ann):
    tell(ann, "v2")
    services.notifications_mark_all_read(person=ann)
    client.force_login(ann)

    html = client.get(reverse("accounts:password_change")).content.decode()

    assert 'data-testid="unread-count"' not in html
    assert 'data-testid="nav-inbox"' in html


def test_the_inbox_lists_the_persons_own_newest_first(client, ann, bob, django_assert_max_num_queries):
    tell(ann, "v2")
    tell(ann, "v3")
    tell(bob, "v9")
    client.force_login(ann)

    with django_assert_max_num_queries(INBOX_QUERIES):
        response = client.get(INBOX)

    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("Scoring model v3 is now in use.") < html.index("Scoring model v2 is now in use.")
    assert "v9" not in html
    assert html.count("inbox-item--unread") == 2


def test_the_inbox_speaks_chinese(client, ann):
    tell(ann, "v2")
    client.force_login(ann)
    client.cookies["django_language"] = "zh-hans"

    html = client.get(INBOX).content.decode()

    assert "我们更新了分数的计算方式" in html
    assert "全部标为已读" in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, ann):
    notification = tell(ann, "v2")
    client.force_login(ann)

    response = client.post(reverse("accounts:notification_read", args=[notification.pk]), {"open": "1"})

    assert response.status_code == 302
    assert response["Location"] == "/dashboard/"
    notification.refresh_from_db()
    assert notification.read_at is not None


def test_a_link_to_another_site_is_never_followed(client, ann):
    notification = tell(ann, "v2", link="https://evil.example/")
    client.force_login(ann)

    response = client.post(reverse("accounts:notification_read", args=[notification.pk]), {"open": "1"})

    assert response["Location"] == INBOX


def test_someone_elses_notification_is_a_404_and_stays_unread(client, ann, bob):
    theirs = tell(bob, "v2")
    client.force_login(ann)

    response = client.post(reverse("accounts:notification_read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_from_the_inbox(client, ann, bob):
    tell(ann, "v2")
    tell(ann, "v3")
    tell(bob, "v2")
    client.force_login(ann)

    response = client.post(reverse("accounts:notifications_read_all"), follow=True)

    assert "All notifications marked read." in response.content.decode()
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_merchants_have_no_inbox(client, make_merchant_staff):
    client.force_login(make_merchant_staff("ford"))

    assert client.get(INBOX).status_code == 302


# --- the API -------------------------------------------------------------------------------------


def test_the_api_lists_my_notifications_paged_newest_first(ann, bob, django_assert_max_num_queries):
    first = tell(ann, "v2")
    second = tell(ann, "v3")
    tell(bob, "v9")
    Notification.objects.filter(pk=first.pk).update(
        created_at=second.created_at - datetime.timedelta(hours=1)
    )
    client = api_as(ann)

    with django_assert_max_num_queries(API_QUERIES + 1):  # + the token's last use recorded
        response = client.get(API)

    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["next"], body["previous"]) == (2, None, None)
    newest = body["results"][0]
    assert set(newest) == {"id", "kind", "title", "body", "link", "params", "created_at", "read_at"}
    assert (newest["id"], newest["kind"], newest["title"], newest["link"], newest["read_at"]) == (
        second.pk,
        "model_changed",
        "We changed how scores are computed",
        "/dashboard/",
        None,
    )
    assert newest["params"]["version"] == "v3"
    assert [item["id"] for item in body["results"]] == [second.pk, first.pk]


def test_the_api_answers_in_the_requested_language(ann):
    tell(ann, "v2")

    response = api_as(ann).get(API, HTTP_ACCEPT_LANGUAGE="zh-hans")

    assert response.json()["results"][0]["title"] == "我们更新了分数的计算方式"


def test_the_api_filters_unread(ann):
    read, unread = tell(ann, "v2"), tell(ann, "v3")
    services.notification_mark_read(person=ann, notification_id=read.pk)

    response = api_as(ann).get(API, {"unread": "true"})

    assert [item["id"] for item in response.json()["results"]] == [unread.pk]


def test_the_api_marks_one_read(ann):
    notification = tell(ann, "v2")

    response = api_as(ann).post(reverse("api:my-notification-read", args=[notification.pk]))

    assert response.status_code == 200
    assert response.json()["read_at"] is not None


def test_the_api_refuses_someone_elses_notification(ann, bob):
    theirs = tell(bob, "v2")

    response = api_as(ann).post(reverse("api:my-notification-read", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_the_api_marks_all_read(ann):
    tell(ann, "v2")
    tell(ann, "v3")

    response = api_as(ann).post(reverse("api:my-notifications-read-all"))

    assert response.json() == {"marked": 2}


def test_the_api_needs_a_login():
    assert APIClient().get(API).status_code == 401


def test_the_schema_documents_the_notification_endpoints(client):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    assert {
        "/api/v1/me/notifications/",
        "/api/v1/me/notifications/{id}/read/",
        "/api/v1/me/notifications/read-all/",
    } <= set(schema["paths"])
    assert "Notification" in schema["components"]["schemas"]


# --- the choices on the profile page -----------------------------------------------------------------


def test_the_profile_saves_the_choices(client, ann):
    client.force_login(ann)

    response = client.post(
        reverse("accounts:notification_settings"),
        {"enabled_kinds": ["score_moved", "goal_reached"], "delivery": "digest", "language": "zh-hans"},
    )

    assert response.status_code == 302
    chosen = NotificationSettings.objects.get(person=ann)
    assert (chosen.delivery, chosen.language) == ("digest", "zh-hans")
    assert "score_moved" not in chosen.muted_kinds
    assert {"share_opened", "code_checked", "model_changed"} <= set(chosen.muted_kinds)
    assert not {"negative_record", "dispute_answered"} & set(chosen.muted_kinds)


def test_the_profile_shows_the_required_kinds_as_always_on(client, ann):
    client.force_login(ann)

    html = client.get(reverse("profile:show")).content.decode()

    assert 'id="notifications"' in html
    assert html.count("Always: required by law") == 2
    assert 'value="negative_record"' not in html  # no box to untick


def test_a_forged_request_cannot_mute_a_required_kind(client, ann):
    client.force_login(ann)

    client.post(
        reverse("accounts:notification_settings"),
        {"enabled_kinds": ["negative_record"], "delivery": "each", "language": "en"},
    )

    assert not NotificationSettings.objects.exists()
    assert services.notify(person_id=ann.pk, kind="negative_record", key="bill:1", params={}) is not None
