"""Webhooks: merchants' endpoints, the claim events they hear, and signed delivery with retries.

Events
======
``claim.created``, ``claim.handed_over`` (at the counter), ``claim.hand_over_undone`` (taken
back within minutes: the claim is active again), ``claim.cancelled``, ``claim.expired``,
``claim.returned``, ``claim.converted`` and ``claim.overdue``, emitted by the perks services that cause them
(``webhook_events_emit``), inside their transaction: a delivery row per active endpoint of
the claim's merchant, and a ``perks.deliver_webhook`` task queued through the outbox, so it
is sent after commit (and only if the claim really happened).

The payload is what the merchant API shows of a claim, never a score nor who the person is::

    {"id": "<delivery uuid>", "type": "claim.created", "created_at": "...",
     "data": {"claim": {"id", "code", "status", "promotion": {"id", "title"}, "benefit",
                        "claimed_at", "pickup_deadline", "verified_at", "due_back", "closed_at"}}}

Signing
=======
A POST of the payload as compact JSON (UTF-8, keys sorted) with the headers::

    Content-Type: application/json
    X-Portal-Event: claim.created
    X-Portal-Delivery: <the delivery's uuid, the same on every attempt>
    X-Portal-Timestamp: <unix seconds of this attempt>
    X-Portal-Signature: sha256=<hex HMAC-SHA256(secret, f"{timestamp}.{body}")>

A receiver recomputes the HMAC over the timestamp, a dot and the raw body with the secret it
was shown once, compares in constant time, refuses timestamps more than five minutes away
from its clock (a replayed request) and ignores a delivery id it has already handled.

Delivery
========
Any 2xx answer within TIMEOUT_SECONDS delivers; anything else (another status, a redirect,
a timeout, a refused connection) is a failed attempt, retried after BACKOFF_BASE_SECONDS,
doubling each time, until MAX_ATTEMPTS have failed: the delivery is then failed for good.
A delivered or failed delivery is never sent again, and an attempt not yet due is skipped,
so a task the broker hands out twice sends nothing twice.

The host is resolved once per attempt and every address it resolves to is checked (public
only, the IPv4 inside NAT64, 6to4, Teredo and IPv4-mapped forms included); the connection
goes to exactly a checked address, the host name kept for TLS (SNI and the certificate) and
the Host header, so a DNS answer that changes between the check and the connection (a
rebinding attack) reaches nothing. The delivery log shows "Could not connect." for every
failure short of an HTTP answer; the cause is logged for us only. A retry lost with the broker (Celery
publishes retries itself, not through the outbox) is queued again by ``perks.requeue_webhooks``.
"""

import dataclasses
import datetime
import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import secrets
import socket
import ssl
import time
import urllib.parse
from collections.abc import Iterable
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Merchant
from core import outbox
from core.audit import audit_record

from . import presentation
from .models import Claim, WebhookDelivery, WebhookEndpoint, WebhookEvent

logger = logging.getLogger(__name__)

SHANGHAI = ZoneInfo("Asia/Shanghai")
# An endpoint with a delivery failed for good within this many days is "failing" (the admin says so).
FAILING_WINDOW_DAYS = 7

SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret
MAX_ACTIVE_ENDPOINTS = 5
TIMEOUT_SECONDS = 5
MAX_ATTEMPTS = 6
BACKOFF_BASE_SECONDS = 30
# While an attempt is under way its delivery is not due: a second copy of the task that
# arrives meanwhile sends nothing. Longer than the timeout, so a live attempt always finishes first.
LEASE_SECONDS = 60
# Hosts a developer's loopback receiver uses; accepted over plain HTTP only with DEBUG on.
LOOPBACK_HOSTS = {"127.0.0.1", "localhost", "::1"}
USER_AGENT = "CreditLife-Webhooks/1.0"
# Kept in English in the log, like every recorded error.
ENDPOINT_DISABLED = "Endpoint disabled."

# The claim status each event reports, for the services that emit them.
EVENT_FOR_STATUS: dict[str, WebhookEvent] = {
    Claim.Status.CANCELLED: WebhookEvent.CLAIM_CANCELLED,
    Claim.Status.EXPIRED: WebhookEvent.CLAIM_EXPIRED,
    Claim.Status.RETURNED: WebhookEvent.CLAIM_RETURNED,
    Claim.Status.CONVERTED: WebhookEvent.CLAIM_CONVERTED,
    Claim.Status.OVERDUE: WebhookEvent.CLAIM_OVERDUE,
}


# Signing ------------------------------------------------------------------------------------


def backoff_seconds(attempt: int) -> int:
    """How long to wait after the attempt-th failed attempt: 30 s, 60 s, 120 s, ..."""
    return BACKOFF_BASE_SECONDS * 2 ** (attempt - 1)


def body_for(payload: dict[str, Any]) -> bytes:
    """The exact bytes sent (and signed) for a payload."""
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def signature_for(*, secret: str, timestamp: str, body: bytes) -> str:
    """The X-Portal-Signature value: ``sha256=`` and the hex HMAC-SHA256 of ``timestamp.body``."""
    digest = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return f"sha256={digest.hexdigest()}"


def _moment(value: datetime.datetime | None) -> str | None:
    return timezone.localtime(value).isoformat() if value is not None else None


MOMENTS = ("claimed_at", "pickup_deadline", "verified_at", "closed_at")


def payload_for(*, claim: Claim, event: str, event_id: str, at: datetime.datetime) -> dict[str, Any]:
    """What an endpoint hears about a claim: the merchant API's view of it, no person, no score."""
    shown = presentation.merchant_claim(claim, now=at)
    return {
        "id": event_id,
        "type": str(event),
        "created_at": _moment(at),
        "data": {
            "claim": {
                **shown,
                **{field: _moment(shown[field]) for field in MOMENTS},
                "due_back": claim.due_back.isoformat() if claim.due_back else None,
            }
        },
    }


# Endpoints ----------------------------------------------------------------------------------


IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

# IPv6 prefixes that carry an IPv4 address which routers translate to or tunnel towards, so the
# IPv4 address decides where the packet lands: 64:ff9b::/96 is the well-known NAT64 prefix
# (RFC 6052), ::/96 the deprecated IPv4-compatible form (some stacks still route it).
NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
IPV4_COMPATIBLE = ipaddress.IPv6Network("::/96")
# Local-use NAT64 (RFC 8215): whatever it embeds, it reaches a network of the operator's own.
NAT64_LOCAL_USE = ipaddress.IPv6Network("64:ff9b:1::/48")


def _embedded_ipv4(address: IPAddress) -> list[ipaddress.IPv4Address]:
    """The IPv4 addresses an IPv6 address leads to: IPv4-mapped, IPv4-compatible, NAT64, 6to4
    and Teredo (its server and its client)."""
    if not isinstance(address, ipaddress.IPv6Address):
        return []
    embedded = []
    if address.ipv4_mapped is not None:
        embedded.append(address.ipv4_mapped)
    if address.sixtofour is not None:
        embedded.append(address.sixtofour)
    if address.teredo is not None:
        embedded.extend(address.teredo)
    if address in NAT64 or address in IPV4_COMPATIBLE:
        embedded.append(ipaddress.IPv4Address(int(address) & 0xFFFFFFFF))
    return embedded


def address_is_public(address: IPAddress) -> bool:
    """Whether a delivery may connect to this address: a global one, and so is every IPv4
    address it embeds (ipaddress calls NAT64 and 6to4 of 127.0.0.1 global)."""
    if isinstance(address, ipaddress.IPv6Address) and address in NAT64_LOCAL_USE:
        return False
    return address.is_global and all(inner.is_global for inner in _embedded_ipv4(address))


def _is_public_address(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return True  # a name, not an address: checked when resolved at delivery
    return address_is_public(address)


def validate_url(url: object) -> str:
    """Return an endpoint URL if acceptable, else raise ValidationError on ``url``.

    HTTPS to a public host; with DEBUG on, plain HTTP to a loopback receiver too.
    """
    if not isinstance(url, str) or not url.strip():
        raise ValidationError({"url": [_("Enter the address that should receive the events.")]})
    url = url.strip()
    if len(url) > 500:
        raise ValidationError({"url": [_("An address has at most 500 characters.")]})
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError as exc:
        raise ValidationError(
            {"url": [_("Enter a full address such as https://example.com/hooks.")]}
        ) from exc
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    loopback = host in LOOPBACK_HOSTS
    if parts.username or parts.password:
        raise ValidationError({"url": [_("Leave user names and passwords out of the address.")]})
    if settings.DEBUG and loopback:
        return url
    if parts.scheme != "https":
        raise ValidationError({"url": [_("Use an HTTPS address: events are sent encrypted only.")]})
    if loopback or not _is_public_address(host):
        raise ValidationError({"url": [_("Use an address on the public internet.")]})
    return url


@transaction.atomic
def webhook_endpoint_create(
    *, merchant: Merchant, url: str, description: str = "", actor: Any
) -> WebhookEndpoint:
    """Register a merchant's endpoint with a new secret (on ``endpoint.secret``: show it once)."""
    url = validate_url(url)
    description = (description or "").strip()
    if len(description) > 120:
        raise ValidationError({"description": [_("A description has at most 120 characters.")]})
    # Lock the merchant row: two registrations at once cannot both slip under the limit.
    Merchant.objects.select_for_update().filter(pk=merchant.pk).first()
    active = WebhookEndpoint.objects.filter(merchant=merchant, is_active=True)
    if active.count() >= MAX_ACTIVE_ENDPOINTS:
        raise ValidationError(
            {
                "url": [
                    _("At most %(max)d active endpoints: disable one first.") % {"max": MAX_ACTIVE_ENDPOINTS}
                ]
            }
        )
    if active.filter(url=url).exists():
        raise ValidationError({"url": [_("This address is already registered.")]})
    endpoint = WebhookEndpoint.objects.create(
        merchant=merchant,
        url=url,
        description=description,
        secret=SECRET_PREFIX + secrets.token_urlsafe(32),
    )
    audit_record(
        actor=actor,
        action="webhook_endpoint.create",
        target=endpoint,
        changes={"url": url, "merchant": merchant.pk},
    )
    logger.info("webhook endpoint created endpoint=%s merchant=%s", endpoint.pk, merchant.pk)
    return endpoint


@transaction.atomic
def webhook_endpoint_disable(*, endpoint: WebhookEndpoint, actor: Any) -> WebhookEndpoint:
    """Stop sending to an endpoint; deliveries still pending for it fail. Disabling twice changes nothing."""
    locked = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not locked.is_active:
        return locked
    now = timezone.now()
    locked.is_active = False
    locked.disabled_at = now
    locked.save(update_fields=["is_active", "disabled_at", "updated_at"])
    WebhookDelivery.objects.filter(endpoint=locked, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED,
        last_error=ENDPOINT_DISABLED,
        next_attempt_at=None,
        updated_at=now,
    )
    audit_record(actor=actor, action="webhook_endpoint.disable", target=locked, changes={"is_active": False})
    logger.info("webhook endpoint disabled endpoint=%s", locked.pk)
    return locked


def webhook_endpoints_for_merchant(*, merchant_id: int) -> QuerySet[WebhookEndpoint]:
    """A merchant's endpoints, active first, newest first."""
    return WebhookEndpoint.objects.filter(merchant_id=merchant_id).order_by(
        "-is_active", "-created_at", "-pk"
    )


def webhook_endpoint_for_merchant(*, merchant_id: int, pk: int) -> WebhookEndpoint | None:
    """One of the merchant's own endpoints, or None (another merchant's is None too)."""
    return WebhookEndpoint.objects.filter(merchant_id=merchant_id, pk=pk).first()


def webhook_deliveries_for_endpoint(*, endpoint: WebhookEndpoint) -> QuerySet[WebhookDelivery]:
    """An endpoint's delivery log, newest first."""
    return WebhookDelivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-pk")


# Events -------------------------------------------------------------------------------------


def webhook_endpoints_failing(*, since: datetime.date) -> QuerySet[WebhookEndpoint]:
    """Active endpoints with a delivery failed for good since a (Shanghai) day: the receiver
    needs fixing, by the merchant, or a word from platform staff."""
    start = datetime.datetime.combine(since, datetime.time.min, tzinfo=SHANGHAI)
    return WebhookEndpoint.objects.filter(
        is_active=True,
        deliveries__status=WebhookDelivery.Status.FAILED,
        deliveries__updated_at__gte=start,
    ).distinct()


def webhook_events_emit(*, claim: Claim, event: str) -> list[WebhookDelivery]:
    """Queue an event about a claim for each active endpoint of its merchant (inside the caller's
    transaction: nothing is sent unless it commits)."""
    endpoint_ids = list(
        WebhookEndpoint.objects.filter(is_active=True, merchant__promotions=claim.promotion_id).values_list(
            "pk", flat=True
        )
    )
    if not endpoint_ids:
        return []
    return _deliveries_create(pairs=[(claim, endpoint_id) for endpoint_id in endpoint_ids], event=event)


def webhook_events_emit_many(*, claim_ids: Iterable[int], event: str) -> int:
    """The same for many claims at once (the hourly expiry), in set-based queries; returns how many."""
    claim_ids = list(claim_ids)
    endpoints: dict[int, list[int]] = {}
    for endpoint_id, merchant_id in (
        WebhookEndpoint.objects.filter(is_active=True, merchant__promotions__claims__pk__in=claim_ids)
        .values_list("pk", "merchant_id")
        .distinct()
    ):
        endpoints.setdefault(merchant_id, []).append(endpoint_id)
    if not endpoints:
        return 0
    claims = Claim.objects.filter(
        pk__in=claim_ids, promotion__merchant_id__in=list(endpoints)
    ).select_related("promotion")
    pairs = [
        (claim, endpoint_id) for claim in claims for endpoint_id in endpoints[claim.promotion.merchant_id]
    ]
    return len(_deliveries_create(pairs=pairs, event=event))


def _deliveries_create(*, pairs: list[tuple[Claim, int]], event: str) -> list[WebhookDelivery]:
    if event not in WebhookEvent.values:
        raise ValueError(f"unknown webhook event {event!r}")
    now = timezone.now()
    deliveries = []
    for claim, endpoint_id in pairs:
        delivery = WebhookDelivery(endpoint_id=endpoint_id, event=event)
        delivery.payload = payload_for(claim=claim, event=event, event_id=str(delivery.event_id), at=now)
        deliveries.append(delivery)
    created = WebhookDelivery.objects.bulk_create(deliveries)
    # bulk_create sets primary keys on PostgreSQL and SQLite; read them back where it does not.
    if any(delivery.pk is None for delivery in created):
        ids = dict(
            WebhookDelivery.objects.filter(event_id__in=[d.event_id for d in created]).values_list(
                "event_id", "pk"
            )
        )
        for delivery in created:
            delivery.pk = ids[delivery.event_id]
    for delivery in created:
        outbox.enqueue("perks.deliver_webhook", delivery.pk)
    logger.info("webhook events queued event=%s deliveries=%s", event, len(created))
    return created


# Delivery -----------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Attempt:
    """The outcome of one POST: the HTTP status if an answer came, and what went wrong if anything."""

    response_code: int | None
    error: str

    @property
    def ok(self) -> bool:
        return self.response_code is not None and 200 <= self.response_code < 300 and not self.error


# Kept in English in the log, like every recorded error. The merchant sees only this: the
# exact cause (refused, reset, no route, a non-public address) would let an endpoint's owner
# map which ports answer on hosts we can reach. The worker's log keeps the detail.
COULD_NOT_CONNECT = "Could not connect."


class _Refused(Exception):
    """The destination must not be contacted."""


def _destination(url: str) -> list[IPAddress]:
    """The addresses a delivery to this URL may connect to: the host's, resolved once here and
    each checked (public addresses only, unless DEBUG), or _Refused if any is not."""
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname or ""
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError) as exc:
        raise _Refused(f"cannot resolve host: {exc}") from exc
    addresses = []
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        # One non-public answer refuses them all: a rebinding server mixes one in with public ones.
        if not settings.DEBUG and not address_is_public(address):
            raise _Refused(f"{host} resolves to a non-public address {address}")
        if address not in addresses:
            addresses.append(address)
    if not addresses:
        raise _Refused(f"{host} has no address")
    return addresses


class _PinnedConnection(http.client.HTTPConnection):
    """An HTTP connection to one checked address: the URL's host goes only into the Host header."""

    def __init__(self, host: str, port: int | None, *, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._create_connection = _connect_to(address)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    """The same over TLS: the certificate is verified for the URL's host (SNI and hostname check
    use ``self.host``), while the socket goes to the checked address, never to a new lookup."""

    def __init__(self, host: str, port: int | None, *, address: IPAddress, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._create_connection = _connect_to(address)


def _connect_to(address: IPAddress) -> Any:
    def create_connection(
        host_port: tuple[str, int], timeout: float, source_address: Any = None
    ) -> socket.socket:
        return socket.create_connection((str(address), host_port[1]), timeout, source_address)

    return create_connection


def _post(*, endpoint: WebhookEndpoint, delivery: WebhookDelivery) -> Attempt:
    try:
        addresses = _destination(endpoint.url)
    except _Refused as exc:
        logger.warning("webhook refused delivery=%s endpoint=%s reason=%s", delivery.pk, endpoint.pk, exc)
        return Attempt(response_code=None, error=COULD_NOT_CONNECT)
    body = body_for(delivery.payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Portal-Event": delivery.event,
        "X-Portal-Delivery": str(delivery.event_id),
        "X-Portal-Timestamp": timestamp,
        "X-Portal-Signature": signature_for(secret=endpoint.secret, timestamp=timestamp, body=body),
    }
    parts = urllib.parse.urlsplit(endpoint.url)
    pinned = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedConnection
    path = parts.path or "/"
    if parts.query:
        path = f"{path}?{parts.query}"
    # Each checked address in turn until one accepts the connection (a host with IPv6 and IPv4
    # may answer on one only); once connected, the event is sent there and nowhere else.
    for address in addresses:
        connection = pinned(parts.hostname or "", parts.port, address=address, timeout=TIMEOUT_SECONDS)
        try:
            try:
                connection.connect()
            except (OSError, ValueError) as exc:
                _log_failure(delivery=delivery, endpoint=endpoint, address=address, exc=exc)
                continue
            try:
                # A redirect is an answer, not a delivery: http.client never follows one.
                connection.request("POST", path, body=body, headers=headers)
                response = connection.getresponse()
                response.read(65536)
            except (http.client.HTTPException, OSError, ValueError) as exc:
                _log_failure(delivery=delivery, endpoint=endpoint, address=address, exc=exc)
                return Attempt(response_code=None, error=COULD_NOT_CONNECT)
            ok = 200 <= response.status < 300
            return Attempt(response_code=response.status, error="" if ok else f"HTTP {response.status}")
        finally:
            connection.close()
    return Attempt(response_code=None, error=COULD_NOT_CONNECT)


def _log_failure(
    *, delivery: WebhookDelivery, endpoint: WebhookEndpoint, address: IPAddress, exc: Exception
) -> None:
    # The detail stays in the worker's log, for us; the merchant sees COULD_NOT_CONNECT.
    logger.warning(
        "webhook attempt failed delivery=%s endpoint=%s address=%s error=%r",
        delivery.pk,
        endpoint.pk,
        address,
        exc,
    )


def webhook_deliver(*, delivery_id: int) -> int | None:
    """Make the next attempt at a delivery if one is due; return the seconds until the one
    after it if this one failed and attempts remain, else None."""
    now = timezone.now()
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("endpoint")
            .filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING)
            .first()
        )
        if delivery is None:
            return None  # delivered, failed, unknown, or being sent by another worker right now
        if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
            return None  # not due: a duplicate of a task whose attempt is under way or scheduled
        if not delivery.endpoint.is_active:
            delivery.status = WebhookDelivery.Status.FAILED
            delivery.last_error = ENDPOINT_DISABLED
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "last_error", "next_attempt_at", "updated_at"])
            return None
        delivery.attempts += 1
        delivery.next_attempt_at = now + datetime.timedelta(seconds=LEASE_SECONDS)
        delivery.save(update_fields=["attempts", "next_attempt_at", "updated_at"])
    # The POST happens outside any transaction: no row stays locked while a slow endpoint answers.
    attempt = _post(endpoint=delivery.endpoint, delivery=delivery)
    return _attempt_record(delivery=delivery, attempt=attempt)


def _attempt_record(*, delivery: WebhookDelivery, attempt: Attempt) -> int | None:
    now = timezone.now()
    retry_in = None
    delivery.response_code = attempt.response_code
    delivery.last_error = attempt.error[:500]
    if attempt.ok:
        delivery.status = WebhookDelivery.Status.DELIVERED
        delivery.delivered_at = now
        delivery.next_attempt_at = None
    elif delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = WebhookDelivery.Status.FAILED
        delivery.next_attempt_at = None
    else:
        retry_in = backoff_seconds(delivery.attempts)
        delivery.next_attempt_at = now + datetime.timedelta(seconds=retry_in)
    WebhookDelivery.objects.filter(pk=delivery.pk, status=WebhookDelivery.Status.PENDING).update(
        status=delivery.status,
        response_code=delivery.response_code,
        last_error=delivery.last_error,
        delivered_at=delivery.delivered_at,
        next_attempt_at=delivery.next_attempt_at,
        updated_at=now,
    )
    logger.info(
        "webhook attempt delivery=%s attempt=%s status=%s code=%s",
        delivery.pk,
        delivery.attempts,
        delivery.status,
        delivery.response_code,
    )
    return retry_in


def webhook_deliveries_requeue(*, now: datetime.datetime | None = None, limit: int = 1000) -> int:
    """Queue again the pending deliveries whose attempt is overdue by more than LEASE_SECONDS
    (their retry message was lost); returns how many. Safe to overlap a live retry: an attempt
    not yet due is skipped."""
    now = now or timezone.now()
    stale = now - datetime.timedelta(seconds=LEASE_SECONDS)
    ids = list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING)
        .filter(Q(next_attempt_at__lte=stale) | Q(next_attempt_at__isnull=True, created_at__lte=stale))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )
    with transaction.atomic():
        for delivery_id in ids:
            outbox.enqueue("perks.deliver_webhook", delivery_id)
    if ids:
        logger.info("webhook deliveries requeued count=%s", len(ids))
    return len(ids)
