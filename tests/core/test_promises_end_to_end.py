"""README promises that had no end-to-end test, each through the real ``syndicate`` command on a
temporary configuration, with real feeds served over HTTP on 127.0.0.1 and a real webhook receiver.

Each test's docstring names the product change it was seen to fail on (made once, by hand, then
reverted): docs/promises.md lists them all.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.distributed.receiver import WebhookReceiver
from tests.helpers.cli import REPO, articles_json, run_cli, write_config
from tests.helpers.feedserver import FeedServer

ATOM = "{http://www.w3.org/2005/Atom}"
AT = "{http://purl.org/atompub/tombstones/1.0}"


def atom_feed(outlet: str, slugs: list[str], *, withdrawn: tuple[str, ...] = (), when: str = "") -> str:
    """An outlet's Atom feed with one entry per slug and an RFC 6721 tombstone per withdrawn slug."""
    entries = "".join(
        f"""<entry><id>urn:{outlet}:{slug}</id><title>{outlet} story {slug}</title>
<link href="https://{outlet}.example/{slug}"/><updated>2026-11-24T0{n}:00:00Z</updated>
<author><name>Writer {n}</name></author>
<content type="html">&lt;p&gt;The body of {outlet} story {slug}, a real paragraph.&lt;/p&gt;</content></entry>"""
        for n, slug in enumerate(slugs)
    )
    stamp = f' when="{when}"' if when else ""
    stones = "".join(f'<at:deleted-entry ref="urn:{outlet}:{slug}"{stamp}/>' for slug in withdrawn)
    return f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:at="http://purl.org/atompub/tombstones/1.0">
<title>{outlet}</title><id>urn:{outlet}</id><updated>2026-11-24T10:00:00Z</updated>
<link href="https://{outlet}.example/"/>{entries}{stones}</feed>"""


def serve(server: FeedServer, outlet: str, slugs: list[str], **kwargs: Any) -> str:
    return server.serve(f"/{outlet}.atom", atom_feed(outlet, slugs, **kwargs),
                        content_type="application/atom+xml; charset=utf-8")


def config_for(tmp_path: Path, sources: dict[str, str], extra: str = "") -> Path:
    body = "allow_private_networks = true\nprocess_workers = 1\n"
    body += "".join(f'[[source]]\nname = "{name}"\nurl = "{url}"\n' for name, url in sources.items())
    body += '[[output]]\nname = "all"\nformats = ["atom", "json"]\n' + extra
    return write_config(tmp_path, body)


def hook_target(receiver: WebhookReceiver, **keys: str) -> str:
    more = "".join(f"{key} = {value}\n" for key, value in keys.items())
    return f'[[target]]\nname = "hook"\ntype = "webhook"\nurl = "{receiver.url}"\nbackfill = 100\n{more}'


def entry_titles(feed: Path) -> list[str]:
    root = ElementTree.parse(feed).getroot()
    return sorted(e.findtext(f"{ATOM}title") or "" for e in root.findall(f"{ATOM}entry"))


def tombstone_refs(feed: Path) -> list[str]:
    return [e.get("ref") or "" for e in ElementTree.parse(feed).getroot().findall(f"{AT}deleted-entry")]


def events(receiver: WebhookReceiver, kind: str) -> list[str]:
    """Titles of the articles the receiver got a ``kind`` event for."""
    with receiver.lock:
        return sorted(e["article"]["title"] for e in receiver.accepted.values() if e.get("event") == kind)


def ok(done: subprocess.CompletedProcess[str]) -> str:
    assert done.returncode == 0, f"exit {done.returncode}: {done.stderr.strip()}"
    return done.stdout


@pytest.fixture
def receiver() -> Iterator[WebhookReceiver]:
    server = WebhookReceiver()
    yield server
    server.close()


def test_a_withdrawn_article_leaves_the_outputs_its_crosspost_is_deleted_and_the_tombstone_is_purged(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver
) -> None:
    """README: "Withdrawn articles (an RFC 6721 tombstone at the source) leave the outputs with an
    at:deleted-entry tombstone for tombstone_ttl" and "withdrawals delete [the crosspost] when delete = true".

    Mutations killed: ``store/articles.py`` ``_withdraw`` returning 0 without writing (the article
    stays in the outputs, no delete is sent); ``purge_tombstones`` returning 0 without deleting
    (the withdrawn article is still stored after its tombstone_ttl); the daemon's purge job not
    run when it starts (``daemon/runner.py``: a daemon restarted within the hour never purged).
    """
    url = serve(feed_server, "outlet", ["a", "b"])
    config = config_for(tmp_path, {"outlet": url}, hook_target(receiver, delete="true"))
    ok(run_cli("sync", config=config))
    atom = tmp_path / "feeds" / "all.atom"
    assert entry_titles(atom) == ["outlet story a", "outlet story b"]
    assert events(receiver, "create") == ["outlet story a", "outlet story b"]

    # the outlet withdraws story a: its entry is gone and a tombstone names it
    serve(feed_server, "outlet", ["b"], withdrawn=("a",))
    ok(run_cli("sync", "--all", config=config))
    stored = {a["title"]: a for a in articles_json(config)}
    assert stored["outlet story a"]["deleted"] is not None and stored["outlet story b"]["deleted"] is None
    assert entry_titles(atom) == ["outlet story b"]
    withdrawn_id = stored["outlet story a"]["id"]
    assert [ref.rsplit(":", 1)[-1] for ref in tombstone_refs(atom)] == [withdrawn_id]
    json_items = json.loads((tmp_path / "feeds" / "all.json").read_text(encoding="utf-8"))["items"]
    assert [i["title"] for i in json_items if not i.get("_syndicate", {}).get("deleted")] == ["outlet story b"]
    assert events(receiver, "delete") == ["outlet story a"]

    # past tombstone_ttl the daemon forgets the withdrawn article; the live one stays
    text = config.read_text(encoding="utf-8").replace("[syndicate]\n", '[syndicate]\ntombstone_ttl = "1s"\n', 1)
    config.write_text(text, encoding="utf-8")
    time.sleep(1.5)
    daemon = subprocess.Popen([sys.executable, "-m", "syndicate", "run", "--config", str(config)], cwd=REPO,
                              env={**os.environ, "PYTHONPATH": str(REPO)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        titles = sorted(stored)
        while time.monotonic() < deadline and titles != ["outlet story b"]:
            time.sleep(0.5)
            titles = sorted(a["title"] for a in articles_json(config))
        assert titles == ["outlet story b"], "the withdrawn article was not purged after tombstone_ttl"
    finally:
        daemon.send_signal(signal.SIGTERM)
        _, err = daemon.communicate(timeout=60)
    assert daemon.returncode == 0, err
    ok(run_cli("sync", "--all", config=config))
    assert tombstone_refs(atom) == []  # the tombstone has left the outputs too
    assert entry_titles(atom) == ["outlet story b"]


def test_per_source_outputs_hold_only_their_source(tmp_path: Path, feed_server: FeedServer) -> None:
    """README: ``per_source`` "also one output per matching source, NAME-SOURCE".

    Mutations killed: ``pipeline/render.py`` ignoring ``output.per_source`` (no NAME-SOURCE files), or
    giving a per-source output every source (``[name]`` made ``None``).
    """
    sources = {"north": serve(feed_server, "north", ["n1", "n2"]), "south": serve(feed_server, "south", ["s1"])}
    config = config_for(tmp_path, sources, "per_source = true\n")
    ok(run_cli("sync", config=config))
    feeds = tmp_path / "feeds"
    assert sorted(p.name for p in feeds.iterdir() if p.is_file()) == [
        "all-north.atom", "all-north.json", "all-south.atom", "all-south.json", "all.atom", "all.json",
    ]
    assert [p.name for p in feeds.iterdir() if p.is_dir()] == ["assets"]  # the feeds' stylesheet, nothing else
    assert entry_titles(feeds / "all.atom") == ["north story n1", "north story n2", "south story s1"]
    assert entry_titles(feeds / "all-north.atom") == ["north story n1", "north story n2"]
    assert entry_titles(feeds / "all-south.atom") == ["south story s1"]
    south = json.loads((feeds / "all-south.json").read_text(encoding="utf-8"))
    assert [i["title"] for i in south["items"]] == ["south story s1"]


def test_a_disabled_source_is_not_fetched_until_enabled_again(tmp_path: Path, feed_server: FeedServer) -> None:
    """README: ``syndicate sources … enable|disable`` and "``enabled`` false skips it".

    Mutations killed: ``cli/sources.py`` ``disable`` calling ``_set(…, True)`` (the source is still
    fetched); ``enable`` calling ``_set(…, False)`` (it never comes back); ``store/sources.py``
    ``due_sources`` letting ``--all`` fetch a source disabled by hand (it did, before this test).
    """
    sources = {"north": serve(feed_server, "north", ["n1"]), "south": serve(feed_server, "south", ["s1"])}
    config = config_for(tmp_path, sources)
    assert ok(run_cli("sources", "disable", "south", config=config)).strip() == "south: disabled"
    ok(run_cli("sync", "--all", config=config))
    assert len(feed_server.requests_to("/north.atom")) == 1
    assert feed_server.requests_to("/south.atom") == []
    assert [a["title"] for a in articles_json(config)] == ["north story n1"]

    assert ok(run_cli("sources", "enable", "south", config=config)).strip() == "south: enabled"
    ok(run_cli("sync", "--all", config=config))
    assert len(feed_server.requests_to("/south.atom")) == 1
    assert sorted(a["title"] for a in articles_json(config)) == ["north story n1", "south story s1"]


def test_plan_prints_what_the_next_pass_sends_with_its_attribution_and_sends_nothing(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver
) -> None:
    """README: "``syndicate plan``: the creates, updates, deletes and blocks a pass would make, with the
    rendered attribution".

    Mutations killed: ``cli/output.py`` ``print_plan`` printing no action lines; ``plan`` not asking
    for the attribution (it printed none before this test); a plan that sends or records anything.
    """
    story_b = "<title>outlet story b</title>"
    feed = atom_feed("outlet", ["a", "b"]).replace(  # story b is licensed for noncommercial reuse only
        story_b, story_b + '<link rel="license" href="https://creativecommons.org/licenses/by-nc/4.0/"/>'
    )
    url = feed_server.serve("/outlet.atom", feed, content_type="application/atom+xml; charset=utf-8")
    config = config_for(tmp_path, {"outlet": url})
    ok(run_cli("sync", config=config))  # the articles are stored; no target yet
    config.write_text(config.read_text(encoding="utf-8") + hook_target(receiver, commercial="true"),
                      encoding="utf-8")

    lines = ok(run_cli("plan", config=config)).splitlines()
    assert lines[0] == "plan: 2 crosspost action(s), nothing sent"
    actions = [line for line in lines[1:] if not line.startswith("    ")]
    actions.sort(key=lambda line: line.split(" <")[0])
    assert [line.split(" <")[0].split() for line in actions] == [
        ["create", "hook:", "outlet", "story", "a"], ["create", "hook:", "outlet", "story", "b"],
    ]
    assert "<https://outlet.example/a>" in actions[0] and "[" not in actions[0]
    assert "[blocked: " in actions[1] and "noncommercial" in actions[1]
    attribution = [line.strip() for line in lines[1:] if line.startswith("    ")]
    assert any("https://outlet.example/a" in line for line in attribution), lines  # the rendered block
    assert receiver.accepted == {}  # plan sent nothing
    assert ok(run_cli("deliveries", "--json", config=config)).strip() == ""  # and wrote nothing

    ok(run_cli("sync", config=config))  # the pass does what the plan said
    assert events(receiver, "create") == ["outlet story a"]
    assert ok(run_cli("plan", config=config)).strip() == "plan: nothing to send"


def test_deliveries_release_sends_a_held_article_at_the_next_pass(
    tmp_path: Path, feed_server: FeedServer, receiver: WebhookReceiver
) -> None:
    """README: "``deliveries release ID`` releases a blocked or held delivery".

    Mutations killed: ``cli/deliveries.py`` ``release`` not calling the ledger; ``ledger.release``
    releasing every other delivery (``id != delivery``) or not stamping ``released_at`` (the hold is
    decided again and the article stays held). An unknown id, a malformed one and a delivery that
    cannot be released (already delivered) are each one line, exit 1.
    """
    url = serve(feed_server, "outlet", ["a", "b"])  # no rights stated anywhere
    config = config_for(tmp_path, {"outlet": url}, hook_target(receiver, on_unknown_rights='"hold"'))
    ok(run_cli("sync", config=config))
    assert receiver.accepted == {}
    held = [json.loads(line) for line in ok(run_cli("deliveries", "--json", config=config)).splitlines()]
    assert sorted(row["state"] for row in held) == ["held", "held"]
    titles = {a["id"]: a["title"] for a in articles_json(config)}
    chosen = next(row for row in held if titles[row["article_id"]] == "outlet story b")

    assert ok(run_cli("deliveries", "release", chosen["id"], config=config)).strip() == f"released {chosen['id']}"
    ok(run_cli("sync", config=config))
    assert events(receiver, "create") == ["outlet story b"]
    after = {row["id"]: row["state"] for row in map(json.loads, ok(run_cli("deliveries", "--json", config=config))
                                                   .splitlines())}
    assert sorted(after.values()) == ["delivered", "held"] and after[chosen["id"]] == "delivered"

    unknown = next(p for p in ("0000", "1111", "2222") if not any(i.startswith(p) for i in after))
    for argument, error in [
        (unknown, f"syndicate: error: no delivery {unknown}"),
        ("no-such-delivery", "syndicate: error: 'no-such-delivery': give at least 4 hex digits of a delivery id"),
        (chosen["id"], f"syndicate: error: delivery {chosen['id'][:12]} is not blocked, held, failed or rejected: "
                       "nothing to release"),
    ]:
        refused = run_cli("deliveries", "release", argument, config=config)
        assert refused.returncode == 1
        assert refused.stderr.strip().splitlines() == [error]
