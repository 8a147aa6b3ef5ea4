"""perks/webhooks.py and the perks.deliver_webhook task, against a real HTTP receiver on loopback.

The task is called directly, as a worker would run it; the receiver is ``http.server`` in a
thread on 127.0.0.1 (a random port), allowed as an endpoint because these tests turn DEBUG on.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from celery.exceptions import Retry
from django.core.exceptions import ValidationError
from django.utils import timezone

from core.models import AuditEntry
from perks import services, tasks, webhooks
from perks.models import BenefitType, Claim, WebhookDelivery, WebhookEndpoint
from tests.leaks import shows

pytestmark = pytest.mark.django_db


class Receiver:
    """What the loopback endpoint was sent, and how it answers (status, delay, redirect)."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.status = 200
        self.delay = 0.0
        self.location = ""
        self.url = ""

    def last(self) -> tuple[dict[str, str], bytes]:
        return self.requests[-1]


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            receiver.requests.append(({key: value for key, value in self.headers.items()}, body))
            time.sleep(receiver.delay)
            self.send_response(receiver.status)
            if receiver.location:
                self.send_header("Location", receiver.location)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, format: str, *args: object) -> None:
            pass  # keep the test output quiet

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/claims"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture
def loopback_allowed(settings):
    settings.DEBUG = True


@pytest.fixture
def endpoint(loopback_allowed, receiver, merchant, merchant_owner) -> WebhookEndpoint:
    return webhooks.webhook_endpoint_create(merchant=merchant, url=receiver.url, actor=merchant_owner)


@pytest.fixture
def trial(make_promotion):
    return make_promotion(benefit_type=BenefitType.TRIAL, trial_days=3, amount=None, quantity=5)


def keys_named(data: object, name: str) -> list[str]:
    if isinstance(data, dict):
        return [key for key in data if key == name] + [
            k for value in data.values() for k in keys_named(value, name)
        ]
    if isinstance(data, list):
        return [key for item in data for key in keys_named(item, name)]
    return []


def make_due(delivery: WebhookDelivery) -> None:
    """Time passes: the delivery's next attempt is due now."""
    WebhookDelivery.objects.filter(pk=delivery.pk).update(next_attempt_at=timezone.now())


# Delivery -----------------------------------------------------------------------------------


def test_a_claim_is_delivered_signed_to_the_receiver(
    endpoint, receiver, trial, ann, given_score, unsent_tasks
):
    given_score(ann, 713)
    claim = services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()

    tasks.deliver_webhook(delivery.pk)

    headers, body = receiver.last()
    timestamp = headers["X-Portal-Timestamp"]
    expected = hmac.new(endpoint.secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    assert ("perks.deliver_webhook", (delivery.pk,)) in unsent_tasks()
    assert len(receiver.requests) == 1
    assert hmac.compare_digest(headers["X-Portal-Signature"], f"sha256={expected}")
    assert abs(int(timestamp) - time.time()) < 60
    assert headers["X-Portal-Event"] == "claim.created"
    assert headers["X-Portal-Delivery"] == str(delivery.event_id)
    assert headers["Content-Type"] == "application/json"
    payload = json.loads(body)
    assert payload["id"] == str(delivery.event_id)
    assert payload["type"] == "claim.created"
    assert payload["data"]["claim"]["code"] == claim.code
    assert payload["data"]["claim"]["status"] == "active"
    assert payload["data"]["claim"]["promotion"] == {"id": trial.pk, "title": trial.title}
    assert keys_named(payload, "score") == []
    assert not shows(body, 713)
    assert not shows(body, "ann")
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.last_error) == (
        "delivered",
        1,
        200,
        "",
    )
    assert delivery.delivered_at is not None
    assert delivery.next_attempt_at is None


def test_a_delivered_event_is_never_sent_again(endpoint, receiver, trial, ann):
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()
    tasks.deliver_webhook(delivery.pk)

    tasks.deliver_webhook(delivery.pk)  # the broker hands the task out again
    make_due(delivery)
    tasks.deliver_webhook(delivery.pk)

    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.get().attempts == 1


def test_a_failing_receiver_is_retried_with_backoff_and_then_given_up(
    endpoint, receiver, trial, ann, monkeypatch
):
    receiver.status = 500
    countdowns: list[int] = []

    def retry(*, countdown: int) -> Retry:
        countdowns.append(countdown)
        return Retry("retry", when=countdown)

    monkeypatch.setattr(tasks.deliver_webhook, "retry", retry)
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()

    for _attempt in range(webhooks.MAX_ATTEMPTS - 1):
        with pytest.raises(Retry):
            tasks.deliver_webhook(delivery.pk)
        make_due(delivery)
    tasks.deliver_webhook(delivery.pk)  # the last attempt: no retry after it

    delivery.refresh_from_db()
    assert countdowns == [30, 60, 120, 240, 480]
    assert len(receiver.requests) == 6
    assert {headers["X-Portal-Delivery"] for headers, _body in receiver.requests} == {str(delivery.event_id)}
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.last_error) == (
        "failed",
        6,
        500,
        "HTTP 500",
    )
    assert delivery.next_attempt_at is None


def test_an_attempt_not_yet_due_sends_nothing(endpoint, receiver, trial, ann):
    receiver.status = 503
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(Retry):
        tasks.deliver_webhook(delivery.pk)
    before = timezone.now()

    tasks.deliver_webhook(delivery.pk)  # a duplicate of the first task, before the backoff ran out

    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert delivery.attempts == 1
    assert delivery.status == "pending"
    assert delivery.next_attempt_at > before + datetime.timedelta(seconds=25)


def test_the_next_attempt_after_a_failure_can_deliver(endpoint, receiver, trial, ann):
    receiver.status = 502
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(Retry):
        tasks.deliver_webhook(delivery.pk)
    receiver.status = 204
    make_due(delivery)

    tasks.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code, delivery.last_error) == (
        "delivered",
        2,
        204,
        "",
    )


def test_a_slow_receiver_times_out_as_a_failed_attempt(endpoint, receiver, trial, ann, monkeypatch, caplog):
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.2)
    receiver.delay = 1.0
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()

    with pytest.raises(Retry):
        tasks.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == "pending"
    assert delivery.response_code is None
    assert delivery.last_error == "Could not connect."  # the merchant is told no more
    assert "timed out" in caplog.text  # the worker's log keeps the cause


def test_a_redirect_is_not_followed(endpoint, receiver, trial, ann):
    receiver.status = 302
    receiver.location = "http://127.0.0.1:9/elsewhere"
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()

    with pytest.raises(Retry):
        tasks.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert len(receiver.requests) == 1
    assert (delivery.status, delivery.response_code) == ("pending", 302)


def test_a_non_public_address_is_refused_without_debug(endpoint, receiver, trial, ann, settings):
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()
    settings.DEBUG = False

    with pytest.raises(Retry):
        tasks.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert receiver.requests == []
    assert delivery.last_error == "Could not connect."


def test_a_disabled_endpoint_gets_nothing_more(endpoint, receiver, trial, ann, merchant_owner):
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()

    webhooks.webhook_endpoint_disable(endpoint=endpoint, actor=merchant_owner)
    tasks.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert receiver.requests == []
    assert (delivery.status, delivery.last_error) == ("failed", "Endpoint disabled.")


def test_the_signature_is_hmac_sha256_over_timestamp_dot_body():
    body = b'{"id":"x"}'

    signature = webhooks.signature_for(secret="whsec_test", timestamp="1764115200", body=body)

    expected = hmac.new(b"whsec_test", b'1764115200.{"id":"x"}', hashlib.sha256).hexdigest()
    assert signature == f"sha256={expected}"


def test_delivery_settings_match_the_published_contract():
    assert tasks.deliver_webhook.name == "perks.deliver_webhook"
    assert webhooks.TIMEOUT_SECONDS == 5
    assert webhooks.MAX_ATTEMPTS == 6
    assert [webhooks.backoff_seconds(attempt) for attempt in range(1, 6)] == [30, 60, 120, 240, 480]


def test_a_delivery_whose_retry_was_lost_is_queued_again(endpoint, receiver, trial, ann, unsent_tasks):
    receiver.status = 500
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()
    with pytest.raises(Retry):
        tasks.deliver_webhook(delivery.pk)
    before = [task for task in unsent_tasks() if task == ("perks.deliver_webhook", (delivery.pk,))]
    not_yet = webhooks.webhook_deliveries_requeue()
    # The retry message is lost; ten minutes later the sweep finds the attempt overdue.
    requeued = webhooks.webhook_deliveries_requeue(now=timezone.now() + datetime.timedelta(minutes=10))

    after = [task for task in unsent_tasks() if task == ("perks.deliver_webhook", (delivery.pk,))]
    assert (not_yet, requeued) == (0, 1)
    assert len(after) == len(before) + 1


def test_the_requeue_sweep_leaves_finished_deliveries_alone(endpoint, receiver, trial, ann):
    services.claim_create(promotion=trial, person=ann)
    tasks.deliver_webhook(WebhookDelivery.objects.get().pk)

    requeued = webhooks.webhook_deliveries_requeue(now=timezone.now() + datetime.timedelta(days=1))

    assert requeued == 0
    assert tasks.requeue_webhooks.name == "perks.requeue_webhooks"


# Events -------------------------------------------------------------------------------------


def events() -> list[str]:
    return list(WebhookDelivery.objects.order_by("pk").values_list("event", flat=True))


def test_each_claim_change_emits_its_event(endpoint, trial, make_consumer, given_score):
    people = [given_score(make_consumer(f"driver{number}"), 700) for number in range(5)]
    claims = [services.claim_create(promotion=trial, person=person) for person in people]
    services.claim_cancel(claim=claims[0], person=people[0])
    Claim.objects.filter(pk=claims[1].pk).update(pickup_deadline=timezone.now() - datetime.timedelta(hours=1))
    services.claims_expire()
    for claim in claims[2:]:
        services.claim_hand_over(merchant=trial.merchant, code=claim.code)
    services.claim_mark(merchant=trial.merchant, claim=claims[2], status="returned")
    services.claim_mark(merchant=trial.merchant, claim=claims[3], status="converted")
    Claim.objects.filter(pk=claims[4].pk).update(due_back=timezone.localdate() - datetime.timedelta(days=1))
    services.claim_mark(merchant=trial.merchant, claim=claims[4], status="overdue")

    assert events() == [
        *["claim.created"] * 5,
        "claim.cancelled",
        "claim.expired",
        *["claim.handed_over"] * 3,
        "claim.returned",
        "claim.converted",
        "claim.overdue",
    ]
    assert [
        WebhookDelivery.objects.filter(event=event).get().payload["data"]["claim"]["status"]
        for event in (
            "claim.cancelled",
            "claim.expired",
            "claim.returned",
            "claim.converted",
            "claim.overdue",
        )
    ] == ["cancelled", "expired", "returned", "converted", "overdue"]


def test_only_the_merchants_active_endpoints_hear_of_its_claims(
    endpoint, merchant, merchant_owner, other_merchant, other_owner, trial, ann
):
    disabled = webhooks.webhook_endpoint_create(
        merchant=merchant, url="https://old.ford.example/hooks", actor=merchant_owner
    )
    webhooks.webhook_endpoint_disable(endpoint=disabled, actor=merchant_owner)
    webhooks.webhook_endpoint_create(
        merchant=other_merchant, url="https://meitu.example/hooks", actor=other_owner
    )

    services.claim_create(promotion=trial, person=ann)

    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [endpoint.pk]


def test_no_endpoint_means_no_delivery(trial, ann, unsent_tasks):
    services.claim_create(promotion=trial, person=ann)

    assert not WebhookDelivery.objects.exists()
    assert [name for name, _args in unsent_tasks() if name == "perks.deliver_webhook"] == []


# Endpoints ----------------------------------------------------------------------------------


def test_an_endpoint_gets_a_secret_and_an_audit_record(merchant, merchant_owner):
    endpoint = webhooks.webhook_endpoint_create(
        merchant=merchant, url="https://hooks.ford.example/claims", description="CRM", actor=merchant_owner
    )

    entry = AuditEntry.objects.get(action="webhook_endpoint.create")
    assert endpoint.secret.startswith("whsec_")
    assert len(endpoint.secret) > 40
    assert (entry.actor, entry.target_id, entry.changes["url"]) == (
        merchant_owner,
        str(endpoint.pk),
        "https://hooks.ford.example/claims",
    )
    assert endpoint.secret not in json.dumps(entry.changes)


def test_disabling_is_audited_once(merchant, merchant_owner):
    endpoint = webhooks.webhook_endpoint_create(
        merchant=merchant, url="https://hooks.ford.example/claims", actor=merchant_owner
    )

    webhooks.webhook_endpoint_disable(endpoint=endpoint, actor=merchant_owner)
    webhooks.webhook_endpoint_disable(endpoint=endpoint, actor=merchant_owner)

    assert AuditEntry.objects.filter(action="webhook_endpoint.disable").count() == 1


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://hooks.ford.example/claims", "Use an HTTPS address: events are sent encrypted only."),
        ("http://127.0.0.1:8000/hooks", "Use an HTTPS address: events are sent encrypted only."),
        ("https://localhost/hooks", "Use an address on the public internet."),
        ("https://10.0.0.8/hooks", "Use an address on the public internet."),
        ("https://user:pw@hooks.ford.example/", "Leave user names and passwords out of the address."),
        ("hooks.ford.example", "Enter a full address such as https://example.com/hooks."),
        ("", "Enter the address that should receive the events."),
    ],
)
def test_an_endpoint_must_be_public_https(merchant, merchant_owner, url, message):
    with pytest.raises(ValidationError) as refused:
        webhooks.webhook_endpoint_create(merchant=merchant, url=url, actor=merchant_owner)

    assert refused.value.message_dict == {"url": [message]}
    assert not WebhookEndpoint.objects.exists()


def test_a_loopback_receiver_is_allowed_only_with_debug(loopback_allowed, merchant, merchant_owner):
    endpoint = webhooks.webhook_endpoint_create(
        merchant=merchant, url="http://localhost:8001/hooks", actor=merchant_owner
    )

    assert endpoint.url == "http://localhost:8001/hooks"


def test_the_same_address_is_registered_once(merchant, merchant_owner):
    webhooks.webhook_endpoint_create(
        merchant=merchant, url="https://hooks.ford.example/", actor=merchant_owner
    )

    with pytest.raises(ValidationError) as twice:
        webhooks.webhook_endpoint_create(
            merchant=merchant, url="https://hooks.ford.example/", actor=merchant_owner
        )

    assert twice.value.message_dict == {"url": ["This address is already registered."]}
    assert WebhookEndpoint.objects.count() == 1


def test_a_merchant_has_at_most_five_active_endpoints(merchant, merchant_owner):
    for number in range(webhooks.MAX_ACTIVE_ENDPOINTS):
        webhooks.webhook_endpoint_create(
            merchant=merchant, url=f"https://hooks{number}.ford.example/", actor=merchant_owner
        )

    with pytest.raises(ValidationError) as too_many:
        webhooks.webhook_endpoint_create(
            merchant=merchant, url="https://new.ford.example/", actor=merchant_owner
        )

    assert too_many.value.message_dict == {"url": ["At most 5 active endpoints: disable one first."]}
    assert WebhookEndpoint.objects.count() == webhooks.MAX_ACTIVE_ENDPOINTS


# Where a delivery may connect (issue 12, item 7) ------------------------------------------------


class ConnectionCounter:
    """A real TCP server on 127.0.0.1 that counts the connections it accepts (TLS or not)."""

    def __init__(self) -> None:
        self.accepted = 0
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.05)
        self.port = self.server.getsockname()[1]
        self.running = True
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while self.running:
            try:
                connection, _address = self.server.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.accepted += 1
            connection.close()

    def close(self) -> None:
        self.running = False
        self.thread.join(timeout=5)
        self.server.close()


@pytest.fixture
def loopback_listener() -> Iterator[ConnectionCounter]:
    counter = ConnectionCounter()
    try:
        yield counter
    finally:
        counter.close()


def resolver_answering(monkeypatch, host: str, *answers: str) -> list[str]:
    """The system resolver, except that ``host`` resolves to each answer in turn (the last one
    from then on), as a rebinding DNS server would; returns the list of lookups made of it."""
    real = socket.getaddrinfo
    lookups: list[str] = []

    def getaddrinfo(name, port, *args, **kwargs):
        if name != host:
            return real(name, port, *args, **kwargs)
        address = answers[min(len(lookups), len(answers) - 1)]
        lookups.append(address)
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        sockaddr = (address, port or 443, 0, 0) if family == socket.AF_INET6 else (address, port or 443)
        return [(family, socket.SOCK_STREAM, socket.IPPROTO_TCP, "", sockaddr)]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return lookups


@pytest.fixture
def named_endpoint(settings, loopback_listener, merchant, merchant_owner) -> WebhookEndpoint:
    settings.DEBUG = False
    url = f"https://hooks.rebind.example:{loopback_listener.port}/claims"
    return webhooks.webhook_endpoint_create(merchant=merchant, url=url, actor=merchant_owner)


def test_a_name_rebound_to_loopback_after_the_check_is_never_connected_to(
    named_endpoint, loopback_listener, trial, ann, monkeypatch
):
    # Checked once (a public address), then every later lookup answers 127.0.0.1.
    monkeypatch.setattr(webhooks, "TIMEOUT_SECONDS", 0.5)
    lookups = resolver_answering(monkeypatch, "hooks.rebind.example", "1.1.1.1", "127.0.0.1")
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()

    with pytest.raises(Retry):
        tasks.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert loopback_listener.accepted == 0
    assert lookups == ["1.1.1.1"]  # resolved once: the address checked is the address dialled
    assert (delivery.status, delivery.response_code, delivery.last_error) == (
        "pending",
        None,
        "Could not connect.",
    )


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "169.254.169.254",
        "10.0.0.8",
        "::1",
        "::ffff:127.0.0.1",  # IPv4-mapped
        "::127.0.0.1",  # IPv4-compatible (deprecated, still routed by some stacks)
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::a9fe:a9fe",  # local-use NAT64
        "2002:7f00:1::1",  # 6to4 of 127.0.0.1
        "2002:a9fe:a9fe::1",  # 6to4 of 169.254.169.254
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
    ],
)
def test_a_name_resolving_to_a_non_public_or_embedded_address_is_refused_without_connecting(
    named_endpoint, loopback_listener, trial, ann, monkeypatch, address
):
    resolver_answering(monkeypatch, "hooks.rebind.example", address)
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()

    with pytest.raises(Retry):
        tasks.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert loopback_listener.accepted == 0
    assert (delivery.status, delivery.response_code, delivery.last_error) == (
        "pending",
        None,
        "Could not connect.",
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://[64:ff9b::7f00:1]/hooks",
        "https://[64:ff9b::a9fe:a9fe]/hooks",
        "https://[2002:7f00:1::1]/hooks",
        "https://[2002:a9fe:a9fe::1]/hooks",
        "https://[::127.0.0.1]/hooks",
        "https://[::ffff:169.254.169.254]/hooks",
    ],
)
def test_an_endpoint_at_an_address_embedding_a_non_public_ipv4_is_refused(merchant, merchant_owner, url):
    with pytest.raises(ValidationError) as refused:
        webhooks.webhook_endpoint_create(merchant=merchant, url=url, actor=merchant_owner)

    assert refused.value.message_dict == {"url": ["Use an address on the public internet."]}
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.parametrize("address", ["1.1.1.1", "2606:4700::1111", "64:ff9b::101:101", "2002:101:101::1"])
def test_public_addresses_and_their_embeddings_are_allowed(address):
    assert webhooks.address_is_public(ipaddress.ip_address(address)) is True


def test_the_merchant_sees_no_connection_detail_only_the_server_log_does(
    endpoint, receiver, trial, ann, caplog
):
    # A closed port on loopback: the raw error ("Connection refused") is a port-scan oracle.
    closed = socket.create_server(("127.0.0.1", 0))
    port = closed.getsockname()[1]
    closed.close()
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(url=f"http://127.0.0.1:{port}/hooks")
    services.claim_create(promotion=trial, person=ann)
    delivery = WebhookDelivery.objects.get()

    with caplog.at_level("WARNING", logger="perks.webhooks"), pytest.raises(Retry):
        tasks.deliver_webhook(delivery.pk)

    delivery.refresh_from_db()
    assert (delivery.response_code, delivery.last_error) == (None, "Could not connect.")
    assert "refused" in caplog.text.lower()


def test_a_hand_over_and_its_undo_are_each_an_event_with_the_claims_status(endpoint, trial, ann):
    claim = services.claim_create(promotion=trial, person=ann)
    services.claim_check(merchant=trial.merchant, code=claim.code)
    services.claim_hand_over(merchant=trial.merchant, code=claim.code)
    services.claim_hand_over_undo(merchant=trial.merchant, claim=claim)

    assert [
        (delivery.event, delivery.payload["data"]["claim"]["status"])
        for delivery in WebhookDelivery.objects.order_by("pk")
    ] == [("claim.created", "active"), ("claim.handed_over", "in_use"), ("claim.hand_over_undone", "active")]
