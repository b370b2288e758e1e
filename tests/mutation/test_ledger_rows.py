"""The crosspost ledger's row writes, value by value (``syndicate/crosspost/ledger.py``).

Written to kill the mutants the flow tests let live (docs/mutation-report.md): each test pins
what a state change writes into every column it touches, and that it touches only its own row.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from types import SimpleNamespace
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select

from syndicate.crosspost import ledger
from syndicate.ownership import new_owner
from syndicate.store.schema import deliveries

T0 = datetime(2026, 1, 5, 12, 0, tzinfo=UTC)


def add(
    engine: Engine, article: str, state: str, *, created: datetime = T0, target: str = "blog", **values: Any
) -> str:
    delivery = ledger.delivery_id(article, target)
    row = {"id": delivery, "article_id": article, "target": target, "state": state, "action": "create",
           "attempts": 3, "reason": "terms say no", "last_error": "earlier error", "next_attempt_at": None,
           "created_at": created, "updated_at": created, **values}
    with engine.begin() as conn:
        conn.execute(insert(deliveries).values(**row))
    return delivery


def row(engine: Engine, delivery: str) -> dict[str, Any]:
    with engine.connect() as conn:
        found = conn.execute(select(deliveries).where(deliveries.c.id == delivery)).first()
    assert found is not None
    values = dict(found._mapping)
    for key in ("next_attempt_at", "updated_at", "released_at", "sending_since", "created_at"):
        if values[key] is not None and values[key].tzinfo is None:
            values[key] = values[key].replace(tzinfo=UTC)
    return values


@pytest.mark.parametrize("state", ["blocked", "held", "failed", "rejected"])
def test_release_makes_exactly_that_delivery_pending_now_with_a_clean_slate(engine: Engine, state: str) -> None:
    chosen = add(engine, "a1", state, held_at=T0)
    other = add(engine, "a2", state)
    now = T0 + timedelta(hours=2)
    assert ledger.release(engine, chosen, now=now, actor="cli:editor") is True
    released = row(engine, chosen)
    assert released["state"] == "pending"
    assert released["released_at"] == now and released["next_attempt_at"] == now and released["updated_at"] == now
    assert released["reason"] == "released by cli:editor"  # who released it, as the CLI and the desk name them
    assert released["last_error"] is None and released["attempts"] == 0 and released["held_at"] is None
    untouched = row(engine, other)
    assert untouched["state"] == state and untouched["released_at"] is None and untouched["attempts"] == 3


def test_release_without_an_actor_is_recorded_as_the_system_s(engine: Engine) -> None:
    delivery = add(engine, "a1", "held")
    assert ledger.release(engine, delivery, now=T0, reason="terms checked") is True
    assert row(engine, delivery)["reason"] == "released by system: terms checked"


@pytest.mark.parametrize("state", ["pending", "sending", "delivered"])
def test_release_refuses_what_is_not_blocked_held_or_failed(engine: Engine, state: str) -> None:
    delivery = add(engine, "a1", state)
    assert ledger.release(engine, delivery, now=T0) is False
    assert row(engine, delivery)["state"] == state and row(engine, delivery)["released_at"] is None
    assert ledger.release(engine, "no-such-id", now=T0) is False


def test_release_without_a_time_uses_the_current_utc_time(engine: Engine) -> None:
    delivery = add(engine, "a1", "held")
    before = datetime.now(UTC)
    assert ledger.release(engine, delivery)
    after = datetime.now(UTC)
    assert before <= row(engine, delivery)["released_at"] <= after
    assert ledger.utcnow().tzinfo is UTC


def test_fail_records_the_error_scrubbed_and_cut_and_the_retry(engine: Engine) -> None:
    delivery = add(engine, "a1", "sending", sending_since=T0, sending_hash="sha256:x")
    other = add(engine, "a2", "sending", sending_since=T0)
    retry = T0 + timedelta(minutes=5)
    # not "x" * 2000: the secrets other tests' configurations registered in this process ("xxxx") would be masked
    error = "boom " + "q7" * 1000
    ledger.fail(engine, delivery, T0, error=error, retry_at=retry)
    failed = row(engine, delivery)
    assert failed["state"] == "failed" and failed["next_attempt_at"] == retry and failed["updated_at"] == T0
    assert failed["last_error"] == error[:1000]
    assert failed["sending_since"] is None and failed["sending_hash"] is None
    assert row(engine, other)["state"] == "sending"
    ledger.fail(engine, other, T0, error="gone", retry_at=None, state="blocked")
    assert row(engine, other)["state"] == "blocked" and row(engine, other)["next_attempt_at"] is None


def test_back_to_pending_only_moves_a_row_that_is_sending(engine: Engine) -> None:
    sending = add(engine, "a1", "sending", sending_since=T0)
    delivered = add(engine, "a2", "delivered")
    now = T0 + timedelta(minutes=3)
    ledger.back_to_pending(engine, sending, now, note="the earlier attempt did not arrive")
    ledger.back_to_pending(engine, delivered, now, note="must not apply")
    moved = row(engine, sending)
    assert moved["state"] == "pending" and moved["next_attempt_at"] == now and moved["updated_at"] == now
    assert moved["sending_since"] is None and moved["last_error"] == "the earlier attempt did not arrive"
    assert row(engine, delivered)["state"] == "delivered" and row(engine, delivered)["last_error"] == "earlier error"
    other = add(engine, "a3", "sending", sending_since=T0)
    ledger.back_to_pending(engine, sending, now)
    assert row(engine, other)["state"] == "sending"  # only the row named


def articles_whose_ids_run_backwards(target_of: list[str]) -> list[str]:
    """Article names whose delivery ids sort in the reverse of the order given (so that ordering by id
    and ordering by creation time disagree)."""
    names: list[str] = []
    n = 0
    while len(names) < len(target_of):
        candidate = f"a{n}"
        n += 1
        new_id = ledger.delivery_id(candidate, target_of[len(names)])
        if all(new_id < ledger.delivery_id(old, target_of[i]) for i, old in enumerate(names)):
            names.append(candidate)
    return names


def test_list_deliveries_is_oldest_first_and_filters_by_target_and_state(engine: Engine) -> None:
    targets = ["blog", "blog", "list"]
    names = articles_whose_ids_run_backwards(targets)
    ids = [add(engine, name, state, created=T0 + timedelta(minutes=i), target=target)
           for i, (name, state, target) in enumerate(zip(names, ["held", "pending", "held"], targets, strict=True))]
    assert sorted(ids) == ids[::-1]  # by id the order would be reversed
    rows = ledger.list_deliveries(engine)
    assert [r["id"] for r in rows] == ids
    assert [r["id"] for r in ledger.list_deliveries(engine, target="blog")] == ids[:2]
    assert [r["id"] for r in ledger.list_deliveries(engine, state="held")] == [ids[0], ids[2]]
    assert [r["id"] for r in ledger.list_deliveries(engine, target="list", state="held")] == [ids[2]]
    assert set(rows[0]) == set(ledger.JSON_FIELDS)
    assert rows[0]["updated_at"] == "2026-01-05T12:00:00Z" and rows[0]["next_attempt_at"] is None


def test_iso_times_are_told_in_utc_ending_in_z() -> None:
    assert ledger._iso(datetime(2026, 1, 5, 12, 0, tzinfo=UTC)) == "2026-01-05T12:00:00Z"
    assert ledger._iso(datetime(2026, 1, 5, 12, 0)) == "2026-01-05T12:00:00Z"  # naive: stored UTC
    assert ledger._iso(None) is None
    east = timezone(timedelta(hours=2))
    assert ledger._iso(datetime(2026, 1, 5, 14, 0, tzinfo=east)) == "2026-01-05T12:00:00Z"  # told in UTC


def test_row_json_converts_both_times(engine: Engine) -> None:
    delivery = add(engine, "a1", "failed", next_attempt_at=T0 + timedelta(minutes=1))
    with engine.connect() as conn:
        found = conn.execute(select(deliveries).where(deliveries.c.id == delivery)).first()
    out = ledger.row_json(found)
    assert out["next_attempt_at"] == "2026-01-05T12:01:00Z" and out["updated_at"] == "2026-01-05T12:00:00Z"
    assert out["last_error"] == "earlier error" and out["attempts"] == 3


def test_row_json_takes_a_plain_mapping_too() -> None:
    values = {name: None for name in ledger.JSON_FIELDS} | {"id": "d1", "updated_at": T0, "next_attempt_at": None}
    assert ledger.row_json(values)["updated_at"] == "2026-01-05T12:00:00Z"


def test_counts_by_target_count_each_target_s_states_apart(engine: Engine) -> None:
    for i, (state, target) in enumerate([("held", "blog"), ("held", "blog"), ("pending", "blog"), ("held", "list")]):
        add(engine, f"a{i}", state, target=target)
    assert ledger.counts_by_target(engine) == {"blog": {"held": 2, "pending": 1}, "list": {"held": 1}}


def seen(engine: Engine, delivery: str, **changes: Any) -> SimpleNamespace:
    """The row as a reconciling worker read it (``changes``: what it saw that differs from the row now)."""
    values = row(engine, delivery)
    found = {"id": delivery, "sending_since": values["sending_since"], "sending_owner": values["sending_owner"]}
    return SimpleNamespace(**(found | changes))


def test_take_over_claims_one_left_behind_row_once(engine: Engine) -> None:
    dead = "host:1:boot.ns.1:dead0"
    stale = add(engine, "a1", "sending", sending_since=T0, sending_owner=dead)
    twin = add(engine, "a2", "sending", sending_since=T0, sending_owner=dead)
    unknown = add(engine, "a3", "sending", sending_since=None)
    now = T0 + timedelta(minutes=10)
    me = "host:2:boot.ns.2:mine0"
    # someone else's newer claim, or another owner than the one seen: not ours to take
    assert ledger.take_over(engine, seen(engine, stale, sending_since=T0 - timedelta(seconds=1)), now, me) is False
    assert ledger.take_over(engine, seen(engine, stale, sending_owner="host:3:boot.ns.3:other"), now, me) is False
    assert ledger.take_over(engine, seen(engine, stale, sending_owner=None), now, me) is False
    first_look = seen(engine, stale)
    assert ledger.take_over(engine, first_look, now, me) is True
    taken = row(engine, stale)
    assert taken["sending_since"] == now and taken["updated_at"] == now and taken["sending_owner"] == me
    assert taken["state"] == "sending"
    assert ledger.take_over(engine, first_look, now, "host:4:boot.ns.4:late0") is False  # the second worker loses
    assert row(engine, stale)["sending_owner"] == me
    assert row(engine, twin)["sending_since"] == T0 and row(engine, twin)["sending_owner"] == dead  # only the row named
    # a row with no sending time and no owner is matched by exactly that
    assert ledger.take_over(engine, seen(engine, twin, sending_since=None), now, me) is False
    assert ledger.take_over(engine, seen(engine, unknown, sending_since=T0), now, me) is False
    assert ledger.take_over(engine, seen(engine, unknown), now, me) is True
    assert row(engine, unknown)["sending_since"] == now and row(engine, unknown)["sending_owner"] == me
    done = add(engine, "a4", "delivered")
    assert ledger.take_over(engine, seen(engine, done), now, me) is False


def test_keep_sending_records_the_error_and_the_time_only_while_sending(engine: Engine) -> None:
    sending = add(engine, "a1", "sending", sending_since=T0)
    done = add(engine, "a2", "delivered")
    now = T0 + timedelta(minutes=1)
    ledger.keep_sending(engine, sending, now, "e" * 1500)
    ledger.keep_sending(engine, done, now, "must not apply")
    kept = row(engine, sending)
    assert kept["state"] == "sending" and kept["last_error"] == "e" * 1000 and kept["updated_at"] == now
    assert row(engine, done)["last_error"] == "earlier error" and row(engine, done)["updated_at"] == T0
    other = add(engine, "a3", "sending", sending_since=T0)
    ledger.keep_sending(engine, sending, now, "again")
    assert row(engine, other)["last_error"] == "earlier error"  # only the row named


def test_sent_within_counts_this_target_s_requests_since_the_time_inclusive(engine: Engine) -> None:
    since = T0
    add(engine, "a1", "delivered", delivered_at=since)  # exactly at the boundary: counts
    add(engine, "a2", "delivered", delivered_at=since - timedelta(seconds=1))  # before: does not
    add(engine, "a3", "sending", sending_since=since)  # in flight: counts
    add(engine, "a4", "sending", sending_since=since - timedelta(seconds=1))
    add(engine, "a5", "pending", delivered_at=since + timedelta(minutes=1), sending_since=since)  # neither state
    add(engine, "a6", "delivered", delivered_at=since, target="list")  # another target
    add(engine, "a7", "failed", sending_since=since + timedelta(minutes=2))  # a failed send is not in flight
    with engine.connect() as conn:
        assert ledger.sent_within(conn, "blog", since) == 2
        assert ledger.sent_within(conn, "list", since) == 1
        assert ledger.sent_within(conn, "blog", ledger.one_hour_before(since + timedelta(hours=1))) == 2


def test_an_agreement_that_still_requires_permission_grants_nothing() -> None:
    from syndicate.config import RightsConfig
    from syndicate.crosspost.terms import effective_terms
    from tests.crosspost.crosspost_helpers import make_article

    article = make_article()
    asks = RightsConfig(license="permission", conditions=["attribution", "permission-required"])
    assert effective_terms(article, [asks]).granted_by_agreement is False
    grants = RightsConfig(license="permission", conditions=["attribution"])
    assert effective_terms(article, [grants]).granted_by_agreement is True


def test_due_ids_are_this_target_s_retryable_rows_due_now_oldest_due_first(engine: Engine) -> None:
    now = T0 + timedelta(hours=1)
    # names chosen so that id order disagrees with due order and with creation order
    names = articles_whose_ids_run_backwards(["blog"] * 4)
    late_due = add(engine, names[0], "pending", next_attempt_at=now, created=T0)
    early_due_old = add(engine, names[1], "pending", next_attempt_at=T0 + timedelta(minutes=5),
                        created=T0 + timedelta(minutes=1))
    early_due_new = add(engine, names[2], "failed", next_attempt_at=T0 + timedelta(minutes=5),
                        created=T0 + timedelta(minutes=2))  # due with the old one, created later, smaller id
    same_time_a = add(engine, names[3], "pending", next_attempt_at=T0 + timedelta(minutes=30),
                      created=T0 + timedelta(minutes=3))
    add(engine, "x1", "pending", next_attempt_at=now + timedelta(seconds=1))  # not yet due
    add(engine, "x2", "pending", next_attempt_at=None)  # never
    add(engine, "x3", "blocked", next_attempt_at=T0)  # not retryable
    add(engine, "x4", "sending", next_attempt_at=T0)
    add(engine, "x5", "pending", next_attempt_at=T0, target="list")  # another target
    with engine.connect() as conn:
        assert ledger.due_ids(conn, "blog", now, None) == [early_due_old, early_due_new, same_time_a, late_due]
        assert ledger.due_ids(conn, "blog", now, 2) == [early_due_old, early_due_new]


def test_due_ids_break_ties_by_id(engine: Engine) -> None:
    names = articles_whose_ids_run_backwards(["blog"] * 2)
    ids = [add(engine, name, "pending", next_attempt_at=T0) for name in names]
    with engine.connect() as conn:
        assert ledger.due_ids(conn, "blog", T0, None) == sorted(ids)


def test_left_behind_is_this_target_s_sending_rows_whose_owner_is_dead_or_unknown_and_stale(engine: Engine) -> None:
    """What replaced the 120 s window for every row (``stale_sending``): a row with an owner this host can
    judge is left behind exactly when that owner is dead, however young or old the row; only a row whose
    owner cannot be judged (another host, none recorded) falls back to SENDING_STALE, inclusive.

    Mutations killed: judging every row by its age; taking a live owner's old row; not taking a dead
    owner's fresh row; ``<`` for ``<=`` at the window's edge; ignoring the target or the state.
    """
    now = T0
    window = timedelta(seconds=ledger.SENDING_STALE)
    live, gone = "livepass", "endedpass"
    here = new_owner()
    mine_live = str(replace(here, token=live))
    mine_ended = str(replace(here, token=gone))  # an earlier pass of this process: orphaned at once
    elsewhere = "some-other-host:4242::t0"
    dead_fresh = add(engine, "a1", "sending", sending_since=now, sending_owner=mine_ended)
    add(engine, "a2", "sending", sending_since=now - 10 * window, sending_owner=mine_live)  # alive: never
    edge = add(engine, "a3", "sending", sending_since=now - window, sending_owner=elsewhere)  # the edge
    add(engine, "a4", "sending", sending_since=now - window + timedelta(seconds=1), sending_owner=elsewhere)
    ownerless_old = add(engine, "a5", "sending", sending_since=now - window - timedelta(seconds=1))
    add(engine, "a6", "sending", sending_since=now - timedelta(seconds=1))  # no owner, young: wait
    unknown_time = add(engine, "a7", "sending", sending_since=None)
    add(engine, "a8", "pending", sending_since=now - 10 * window, sending_owner=mine_ended)
    add(engine, "a9", "sending", sending_since=now - 10 * window, sending_owner=mine_ended, target="list")
    with engine.connect() as conn:
        found = sorted(r.id for r in ledger.left_behind(conn, "blog", now, lambda: {live}))
        assert found == sorted([dead_fresh, edge, ownerless_old, unknown_time])
        # without the pass's token among the live ones, this process's other row is orphaned too
        assert len(ledger.left_behind(conn, "blog", now, set)) == 5


def test_left_behind_asks_who_is_live_only_after_reading_the_rows(engine: Engine) -> None:
    """Two passes in one process (the daemon's tick and a WebSub push): pass B starts and claims a row
    between the moment pass A learns which passes are live and the moment A reads the ``sending`` rows.
    With the live set taken first, B's row looked orphaned: A took it over, put it back to pending while
    B's request was in flight, and sent it again (seen: 25 deliveries for 24 articles in
    ``test_concurrent_workers_send_each_article_once`` under load, 3 runs in 25). The live set is now
    asked for once the rows are read (the order is watched through SQLAlchemy's cursor events).

    Mutations killed: calling ``live_tokens`` before the query (the race), ignoring what it returns.
    """
    from sqlalchemy import event

    here = new_owner()
    b_row = add(engine, "a1", "sending", sending_since=T0, sending_owner=str(replace(here, token="pass-b")))
    order: list[str] = []

    def read(*_args: Any) -> None:
        order.append("read")

    def live_now() -> set[str]:
        order.append("live")
        return {"pass-b"}

    event.listen(engine, "after_cursor_execute", read)
    try:
        with engine.connect() as conn:
            order.clear()
            assert ledger.left_behind(conn, "blog", T0, live_now) == []  # B lives: its row is not taken
            assert order[-1] == "live" and "read" in order, order
    finally:
        event.remove(engine, "after_cursor_execute", read)
    with engine.connect() as conn:  # B's pass ended without recording its row (it crashed): orphaned now
        assert [r.id for r in ledger.left_behind(conn, "blog", T0, lambda: {"pass-c"})] == [b_row]


def test_count_states_gives_every_state_zero_or_its_count(engine: Engine) -> None:
    states = [("held", "blog"), ("held", "blog"), ("pending", "blog"), ("held", "x"), ("rejected", "blog")]
    for i, (state, target) in enumerate(states):
        add(engine, f"a{i}", state, target=target)
    with engine.connect() as conn:
        counts = ledger.count_states(conn, ["blog"])
        assert counts == {"pending": 1, "sending": 0, "delivered": 0, "failed": 0, "blocked": 0, "held": 2,
                          "rejected": 1}
        assert ledger.count_states(conn, []) == dict.fromkeys(ledger.STATES, 0)


def test_claim_and_fail_stamp_the_time_they_are_given(engine: Engine) -> None:
    delivery = add(engine, "a1", "pending", next_attempt_at=T0)
    when = T0 + timedelta(minutes=7)
    assert ledger.claim(engine, delivery, when, "sha256:x") is True
    claimed = row(engine, delivery)
    assert claimed["updated_at"] == when and claimed["sending_since"] == when and claimed["attempts"] == 4
    ledger.fail(engine, delivery, when + timedelta(minutes=1), error="e", retry_at=None)
    assert row(engine, delivery)["updated_at"] == when + timedelta(minutes=1)
    never = add(engine, "a2", "pending", next_attempt_at=None)
    assert ledger.claim(engine, never, when, None) is False  # a row with no due time is never claimed


def test_finish_records_the_remote_and_an_empty_meta_when_none(engine: Engine) -> None:
    delivery = add(engine, "a1", "sending", sending_since=T0)
    ledger.finish(engine, delivery, T0, action="create", remote_id="7", remote_url="https://x.example/7",
                  remote_meta=None, delivered_hash="sha256:y")
    done = row(engine, delivery)
    assert (done["state"], done["remote_id"], done["remote_url"], done["remote_meta"]) == (
        "delivered", "7", "https://x.example/7", {})
    assert done["delivered_hash"] == "sha256:y" and done["last_error"] is None and done["reason"] is None


def test_as_utc_converts_aware_times_and_takes_naive_ones_as_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    east = timezone(timedelta(hours=2))
    assert ledger.as_utc(datetime(2026, 1, 5, 14, 0, tzinfo=east)) == T0
    assert ledger.as_utc(datetime(2026, 1, 5, 14, 0, tzinfo=east)).tzinfo is UTC
    monkeypatch.setenv("TZ", "Asia/Tokyo")  # naive means UTC whatever the machine's zone
    time.tzset()
    try:
        assert ledger.as_utc(datetime(2026, 1, 5, 12, 0)) == T0
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_a_withdrawn_article_owes_one_delete_or_nothing() -> None:
    """``crosspost/terms.py`` ``decide`` for withdrawn articles, decision by decision."""
    from dataclasses import replace as with_

    from syndicate.config import TargetConfig
    from syndicate.crosspost.terms import Decision, LedgerView, decide
    from tests.crosspost.crosspost_helpers import make_article

    gone = with_(make_article(), deleted_at=T0)
    deleting = TargetConfig(name="t", type="webhook", url="https://hook.example/", delete=True)
    keeping = TargetConfig(name="t", type="webhook", url="https://hook.example/")
    posted = LedgerView(state="delivered", action="create", remote_id="7")
    assert decide(gone, deleting, ledger=posted) == Decision("delete", "pending", "withdrawn at the source")
    assert decide(gone, keeping, ledger=posted) == Decision("none", None)
    owed = LedgerView(state="pending", action="delete", remote_id="7")
    assert decide(gone, deleting, ledger=owed) == Decision("none", None)  # already owed
    assert decide(gone, deleting, ledger=None) == Decision("none", None)
    unsent = LedgerView(state="pending", action="create")
    blocked = Decision("create", "blocked", "withdrawn at the source before it was sent")
    assert decide(gone, deleting, ledger=unsent) == blocked
    assert decide(gone, deleting, ledger=LedgerView(state="pending", action="delete")) == blocked
    assert decide(gone, deleting, ledger=LedgerView(state="blocked", action="delete")) == Decision("none", None)


def test_list_deliveries_made_at_the_same_time_come_in_id_order(engine: Engine) -> None:
    names = articles_whose_ids_run_backwards(["blog"] * 3)
    ids = [add(engine, name, "held") for name in names]  # one creation time, inserted in reverse id order
    assert [r["id"] for r in ledger.list_deliveries(engine)] == sorted(ids)
