"""The subscriber side of WebSub: asking hubs, answering them, and taking what they push.

* :func:`maintain_subscriptions` (a daemon job) subscribes sources whose feed names a
  hub, renews leases before they end, and unsubscribes sources that are removed,
  disabled or lose their hub.
* :func:`callback_app` is the WSGI app at ``/websub/<token>``: ``GET`` answers a hub's
  verification of intent (§5.3), ``POST`` receives content distribution (§7–8).
* A pushed body is processed at once, in the daemon's process, with the same stages a
  poll uses (:func:`process_push`): parse + normalize → store → re-render the outputs.
  Processing the pushed bytes (rather than waking the scheduler to poll the source) is
  what makes a push fast and correct: the hub's copy is what changed, and a publisher's
  CDN may still serve the old feed for a while. Pushes run one at a time, under the
  daemon's work lock, so they never interleave with a pass.
* With ``executor = "celery"`` the scheduler (``syndicate run --serve``) plays the daemon's
  part: the active one keeps the subscriptions, any one serving the callback takes pushes
  (ingest is safe beside the workers: PostgreSQL advisory locks), and the outputs are
  rendered by a worker, on the render task the scheduler enqueues when articles change.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs

import requests

from syndicate import redact
from syndicate.config import Config, Settings
from syndicate.errors import SyndicateError
from syndicate.fetch import build_session, check_url_allowed, guarded, user_agent
from syndicate.pipeline.context import Context
from syndicate.store import sources as source_store
from syndicate.websub import subscriptions as subs
from syndicate.websub.discovery import links_in_header, same_origin, same_url
from syndicate.websub.plan import LEASE_SECONDS, Action, check_interval, plan_subscriptions, pushed_now
from syndicate.websub.signature import verify_signature

log = logging.getLogger("syndicate.websub")

MAX_LEASE = 365 * 86400  # a longer lease from a hub is read as this
DEFAULT_CHECK = 15.0  # seconds between two checks of the subscriptions (less while a lease is short)


# --------------------------------------------------------------------------
# subscribing
# --------------------------------------------------------------------------


def callback_url(settings: Settings, token: str) -> str | None:
    base = settings.websub_callback
    return base.rstrip("/") + "/" + token if base else None


def wanted_subscriptions(ctx: Context) -> dict[str, tuple[str, str]]:
    """source → (hub, topic) for every enabled http source whose feed advertised a hub."""
    if not ctx.config.syndicate.websub_callback:
        return {}
    discovered = subs.discovered_hubs(ctx.engine)
    rows = source_store.all_sources(ctx.engine)
    wanted: dict[str, tuple[str, str]] = {}
    for source in ctx.config.source:
        found = discovered.get(source.name)
        row = rows.get(source.name)
        if not source.enabled or source.is_file or found is None or not found.hub:
            continue
        if row is not None and row.disabled_reason:
            continue
        wanted[source.name] = (found.hub, found.topic)
    return wanted


def maintain_subscriptions(
    ctx: Context, *, now: datetime | None = None, check_every: float = DEFAULT_CHECK
) -> list[Action]:
    """Carry out what :func:`~syndicate.websub.plan.plan_subscriptions` says; return the actions taken.

    ``check_every``: the seconds until the next call (renewals are planned at least two checks early).
    """
    now = now or datetime.now(UTC)
    settings = ctx.config.syndicate
    actions = plan_subscriptions(
        wanted_subscriptions(ctx), subs.all_subscriptions(ctx.engine), now,
        can_unsubscribe=bool(settings.websub_callback), check_every=check_every,
    )
    for action in actions:
        try:
            _carry_out(ctx, action, now)
        except Exception as exc:  # one hub must never stop the others (or the daemon)
            log.warning("websub: %s: %s failed: %s", action.source, action.kind, redact.scrub(str(exc)))
    return actions


def maintenance_job(holder: Any, default: float = DEFAULT_CHECK) -> float:
    """One check of the subscriptions on ``holder.ctx`` (the daemon's or scheduler's current context),
    never raising; returns the seconds until the next check: ``default``, or less while a lease is
    short (:func:`~syndicate.websub.plan.check_interval`)."""
    try:
        engine = holder.ctx.engine
        check_every = check_interval(subs.all_subscriptions(engine).values(), default)
        maintain_subscriptions(holder.ctx, check_every=check_every)
        return check_interval(subs.all_subscriptions(engine).values(), default)
    except Exception:
        log.exception("websub: maintaining subscriptions failed")
        return default


# set when a hub verifies a subscription in this process: the WebSub thread plans again at once (the
# lease just granted may be shorter than the wait it was sleeping)
_verified = threading.Event()


def keep_subscriptions(holder: Any, stop: threading.Event, default: float = DEFAULT_CHECK) -> None:
    """The daemon's WebSub thread: :func:`maintenance_job` until ``stop`` is set, as often as the leases need."""
    while not stop.is_set():
        wait_for_next_check(stop, maintenance_job(holder, default))


def wait_for_next_check(stop: threading.Event, seconds: float) -> None:
    """Sleep ``seconds``, or less: until ``stop`` is set or a hub verifies a subscription in this process."""
    deadline = time.monotonic() + seconds
    while not stop.is_set() and time.monotonic() < deadline:
        if _verified.wait(min(0.5, max(deadline - time.monotonic(), 0.0))):
            break
    _verified.clear()


def _back_to_polling(ctx: Context, source: str, now: datetime, why: str) -> None:
    """A subscription stopped being active: the source goes back on its own polling schedule at once."""
    due = subs.back_to_own_schedule(ctx.engine, ctx.config, source, now)
    log.warning("websub: %s: no longer pushed (%s); polled on its own schedule again%s", source, why,
                f", next {due.isoformat(timespec='seconds')}" if due else "",
                extra={"ev_event": "websub", "ev_source": source, "ev_action": "polling"})


def _carry_out(ctx: Context, action: Action, now: datetime) -> None:
    engine, settings = ctx.engine, ctx.config.syndicate
    current = subs.get(engine, action.source)
    was_pushed = pushed_now(current, now)
    if action.kind == "forget":
        subs.remove(engine, action.source)
        log.info("websub: %s: forgot the subscription (%s)", action.source, action.why)
        if was_pushed:
            _back_to_polling(ctx, action.source, now, action.why)
        return
    if action.kind == "unsubscribe":
        if current is None:  # forgotten meanwhile (the hub confirmed an earlier request)
            return
        subs.set_state(engine, action.source, "unsubscribing", now)
        if was_pushed:
            _back_to_polling(ctx, action.source, now, action.why)
        error = hub_request(settings, "unsubscribe", current)
        if error:  # the lease runs out by itself; our callback answers 410 to later pushes
            subs.remove(engine, action.source)
            log.warning("websub: %s: unsubscribe refused (%s); forgot it", action.source, error)
        else:
            log.info("websub: %s: asked %s to unsubscribe", action.source, action.hub)
        return
    keep = current is not None and not action.fresh_secret
    secret = current.secret if keep and current is not None else subs.new_secret()
    renewing = keep and was_pushed  # an expired lease is subscribed afresh (same secret and callback)
    subscription = subs.Subscription(
        source=action.source,
        hub=action.hub,
        topic=action.topic,
        secret=secret,
        state="active" if renewing else "requested",  # a renewal keeps the running lease meanwhile
        lease_seconds=current.lease_seconds if renewing and current else None,
        expires_at=current.expires_at if renewing and current else None,
        updated_at=now,
        last_error=None,
    )
    subs.save(engine, subscription)  # before the request: a hub may verify before it answers
    if current is not None and current.state == "active" and not renewing:  # expired, or a new hub or topic
        _back_to_polling(ctx, action.source, now, action.why)
    error = hub_request(settings, "subscribe", subscription)
    if error:
        subs.set_state(engine, action.source, "failed", now, error=error)
        log.warning("websub: %s: subscription refused by %s: %s", action.source, action.hub, error,
                    extra={"ev_event": "websub", "ev_source": action.source, "ev_error": error})
        if renewing:
            _back_to_polling(ctx, action.source, now, "renewal refused")
    else:
        log.info("websub: %s: asked %s to %s (%s)", action.source, action.hub,
                 "renew" if renewing else "subscribe", action.why,
                 extra={"ev_event": "websub", "ev_source": action.source, "ev_action": action.why})


def hub_request(settings: Settings, mode: str, subscription: subs.Subscription) -> str | None:
    """POST a (un)subscription request to the hub; None when accepted (2xx), else why not (one line)."""
    callback = callback_url(settings, subscription.token)
    if callback is None:
        return "no websub_callback configured"
    params = {
        "hub.mode": mode,
        "hub.topic": subscription.topic,
        "hub.callback": callback,
    }
    if mode == "subscribe":
        params["hub.lease_seconds"] = str(LEASE_SECONDS)
        params["hub.secret"] = subscription.secret
    redact.register(subscription.secret)
    try:
        check_url_allowed(subscription.hub, settings)
        session = build_session(2)
        session.headers["User-Agent"] = settings.user_agent or user_agent()
        try:
            with guarded(None, allow_private=settings.allow_private_networks):
                response = session.post(
                    subscription.hub, data=params, timeout=(settings.connect_timeout, settings.read_timeout)
                )
                status, text = response.status_code, response.text[:200]
                response.close()
        finally:
            session.close()
    except SyndicateError as exc:
        return redact.scrub(str(exc))
    except requests.RequestException as exc:
        return redact.scrub(" ".join(f"{type(exc).__name__}: {exc}".split()))
    if 200 <= status < 300:
        return None
    detail = " ".join(text.split())[:120]
    return redact.scrub(f"HTTP {status}" + (f": {detail}" if detail else ""))


# --------------------------------------------------------------------------
# the callback
# --------------------------------------------------------------------------


class _Callback:
    def __init__(self, ctx: Context, daemon: Any) -> None:
        self._ctx = ctx
        self.daemon = daemon
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="websub-push")
        self._lock: threading.Lock = getattr(daemon, "work_lock", None) or threading.Lock()

    @property
    def ctx(self) -> Context:
        """The daemon's current context (it changes on SIGHUP), else the one given."""
        return getattr(self.daemon, "ctx", None) or self._ctx

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        method = environ.get("REQUEST_METHOD", "GET").upper()
        token = [part for part in environ.get("PATH_INFO", "").split("/") if part]
        subscription = subs.by_token(self.ctx.engine, token[-1]) if token else None
        if method in ("GET", "HEAD"):
            status, body = self.verify(subscription, parse_qs(environ.get("QUERY_STRING", "")))
        elif method == "POST":
            status, body = self.receive(subscription, environ)
        else:
            status, body = "405 Method Not Allowed", b"method not allowed\n"
        start_response(status, [("Content-Type", "text/plain; charset=utf-8"), ("Content-Length", str(len(body)))])
        return [body] if method != "HEAD" else [b""]

    # -- §5.3 verification of intent ------------------------------------

    def verify(self, subscription: subs.Subscription | None, query: dict[str, list[str]]) -> tuple[str, bytes]:
        def one(key: str) -> str:
            return (query.get(key) or [""])[0]

        mode, topic, challenge = one("hub.mode"), one("hub.topic"), one("hub.challenge")
        if subscription is None or topic != subscription.topic:
            return "404 Not Found", b"no such subscription\n"
        now = datetime.now(UTC)
        if mode == "denied":
            reason = redact.scrub(one("hub.reason") or "denied by the hub")[:300]
            subs.set_state(self.ctx.engine, subscription.source, "denied", now, error=reason)
            log.warning("websub: %s: the hub denied the subscription: %s", subscription.source, reason)
            if subscription.state == "active":
                _back_to_polling(self.ctx, subscription.source, now, "denied by the hub")
            return "200 OK", b"ok\n"
        if not challenge:
            return "400 Bad Request", b"hub.challenge is missing\n"
        if mode == "subscribe" and subscription.state in ("requested", "active"):
            lease = _lease(one("hub.lease_seconds"))
            subs.activate(self.ctx.engine, subscription.source, lease, now)
            _verified.set()
            log.info("websub: %s: subscription verified (lease %ss)", subscription.source, lease,
                     extra={"ev_event": "websub", "ev_source": subscription.source, "ev_lease_seconds": lease})
            return "200 OK", challenge.encode("utf-8")
        if mode == "unsubscribe" and subscription.state == "unsubscribing":
            subs.remove(self.ctx.engine, subscription.source)
            log.info("websub: %s: unsubscribed", subscription.source)
            return "200 OK", challenge.encode("utf-8")
        return "404 Not Found", b"not pending\n"

    # -- §7-8 content distribution ---------------------------------------

    def receive(self, subscription: subs.Subscription | None, environ: dict[str, Any]) -> tuple[str, bytes]:
        if subscription is None:
            return "410 Gone", b"no such subscription\n"  # the hub may drop it (WebSub §7)
        limit = self.ctx.config.syndicate.max_bytes
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0
        if length > limit:
            return "413 Content Too Large", b"too large\n"
        body = environ["wsgi.input"].read(length) if length else b""
        fields = {"ev_event": "push", "ev_source": subscription.source}
        signature = environ.get("HTTP_X_HUB_SIGNATURE")
        if not signature:  # we gave a secret, so the hub must sign (§8): refused (websub.rocks 302)
            log.warning("websub: %s: refused a push without X-Hub-Signature", subscription.source,
                        extra={**fields, "ev_status": "no-signature"})
            return "400 Bad Request", b"X-Hub-Signature is missing\n"
        if not verify_signature(signature, body, subscription.secret):
            # WebSub §8: a wrong signature is acknowledged (2xx, no hint for brute force) but ignored
            log.warning("websub: %s: ignored a push with a wrong X-Hub-Signature", subscription.source,
                        extra={**fields, "ev_status": "bad-signature"})
            return "202 Accepted", b"ignored\n"
        if subscription.state == "unsubscribing":
            return "202 Accepted", b"ignored\n"
        link = environ.get("HTTP_LINK") or ""
        wrong = _names_another(subscription, link)
        if wrong:
            log.warning("websub: %s: refused a signed push for another %s", subscription.source, wrong,
                        extra={**fields, "ev_status": "wrong-topic", "ev_error": wrong})
            return "400 Bad Request", f"this callback is for another {wrong}\n".encode()
        if not body.strip():  # a thin ping (§7 leaves the body to the hub): fetch the topic now
            self._poll_now(subscription.source)
            log.info("websub: %s: thin ping; fetching the feed now", subscription.source,
                     extra={**fields, "ev_status": "thin"})
            return "202 Accepted", b"accepted\n"
        headers = {"content-type": environ.get("CONTENT_TYPE") or ""}
        if link:
            headers["link"] = link
        received = time.monotonic()
        self._pool.submit(self._process, subscription, body, headers, received)
        return "202 Accepted", b"accepted\n"

    def _poll_now(self, source: str) -> None:
        """Make the source due now and wake the scheduler: its next tick fetches it (conditional GET)."""
        subs.poll_now(self.ctx.engine, source, datetime.now(UTC))
        wakeup = getattr(self.daemon, "wakeup", None)
        if wakeup is not None:
            wakeup.set()

    def _process(self, subscription: subs.Subscription, body: bytes, headers: dict[str, str], received: float) -> None:
        try:
            with self._lock:
                process_push(self.ctx, subscription.source, subscription.topic, body, headers, daemon=self.daemon,
                             received=received)
        except Exception:
            log.exception("websub: %s: processing a push failed", subscription.source)


def _names_another(subscription: subs.Subscription, link: str) -> str | None:
    """"topic" or "hub" when a push's ``Link`` header names another topic (``rel="self"``) or a hub
    elsewhere than the one subscribed at (a hub on its own host may have moved by a redirect)."""
    hubs, selves = links_in_header(link, subscription.topic)
    if selves and not any(same_url(url, subscription.topic) for url in selves):
        return "topic"
    if hubs and not any(same_origin(url, subscription.hub) for url in hubs):
        return "hub"
    return None


def _lease(text: str) -> int | None:
    try:
        value = int(text)
    except ValueError:
        return None
    return min(max(value, 0), MAX_LEASE) or None


def process_push(
    ctx: Context, source_name: str, topic: str, body: bytes, headers: dict[str, str], *, daemon: Any = None,
    received: float | None = None,
) -> int:
    """Parse, normalize, store and render pushed content for one source; the number of changed articles."""
    from syndicate.pipeline.process import ProcessJob, process_feed
    from syndicate.pipeline.render import render_outputs
    from syndicate.store import articles as article_store

    config: Config = ctx.config
    try:
        source = config.source_by_name(source_name)
    except SyndicateError:
        return 0  # removed from the configuration since
    now = datetime.now(UTC)
    job = ProcessJob(source=source, url=topic, body=body, headers=headers,
                     known=article_store.known_hashes(ctx.engine, source.name), now=now)
    outcome = process_feed(job)
    fields: dict[str, Any] = {"ev_event": "push", "ev_source": source.name}
    if outcome.error or outcome.feed is None:
        log.warning("websub: %s: pushed content ignored: %s", source.name, outcome.error,
                    extra={**fields, "ev_status": "error", "ev_error": outcome.error})
        return 0
    ingested = article_store.ingest(ctx.engine, source.name, outcome.entries, now, tombstones=outcome.feed.tombstones)
    changed = ingested.new + ingested.updated + ingested.withdrawn
    if changed and config.syndicate.executor != "celery":  # there, the scheduler sees the change and enqueues a render
        render_outputs(ctx)
        if config.target and daemon is not None and hasattr(daemon, "wakeup"):
            daemon.wakeup.set()  # the next tick plans and sends the crossposts now
    took = time.monotonic() - received if received is not None else None
    log.info("websub: %s: push: %d new, %d updated", source.name, ingested.new, ingested.updated,
             extra={**fields, "ev_status": "ok", "ev_new": ingested.new, "ev_updated": ingested.updated,
                    "ev_seconds": round(took, 3) if took is not None else None})
    return changed


def callback_app(ctx: Context, daemon: Any = None) -> Any:
    """The WSGI app serving ``/websub/<token>`` (mounted by :mod:`syndicate.serve_app`)."""
    return _Callback(ctx, daemon)


def next_renewal(ctx: Context) -> datetime | None:
    """The earliest time a subscription needs renewing (for ``status``)."""
    from syndicate.websub.plan import renew_at

    times = [renew_at(s) for s in subs.all_subscriptions(ctx.engine).values() if s.state == "active"]
    return min(times) if times else None


__all__ = [
    "callback_app",
    "callback_url",
    "hub_request",
    "maintain_subscriptions",
    "maintenance_job",
    "process_push",
]
