"""What a run of the scenario produced, in comparable form: articles, outputs, deliveries, target posts."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests
from lxml import etree

from tests.distributed.farm import FeedFarm
from tests.distributed.receiver import WebhookReceiver
from tests.distributed.services import json_lines, syndicate

ATOM = "{http://www.w3.org/2005/Atom}"


@dataclass
class RunResult:
    summary: dict[str, Any]
    articles: dict[str, dict[str, Any]]  # id -> article JSON
    atom_entries: set[str]
    deliveries: set[tuple[str, str, str, str, str]]  # (id, article, target, state, action)
    webhook_created: set[str]
    webhook_resent: dict[str, int]
    wp_posts: dict[str, int]  # slug -> posts with that slug


def atom_entries(path: Path) -> set[str]:
    """Each entry of an Atom document, canonicalized (C14N) so equal entries compare equal."""
    root = etree.parse(str(path)).getroot()
    return {etree.tostring(entry, method="c14n").decode() for entry in root.iter(f"{ATOM}entry")}


def collect(config: Path, summary: dict[str, Any], receiver: WebhookReceiver,
            wp: dict[str, str] | None, token: str) -> RunResult:
    listed = syndicate("articles", "--json", config=config)
    assert listed.returncode == 0, listed.stderr
    articles = {a["id"]: a for a in json_lines(listed.stdout)}
    ledger = syndicate("deliveries", "--json", config=config)
    assert ledger.returncode == 0, ledger.stderr
    deliveries = {(r["id"], r["article_id"], r["target"], r["state"], r["action"]) for r in json_lines(ledger.stdout)}
    return RunResult(
        summary=summary,
        articles=articles,
        atom_entries=atom_entries(config.parent / "feeds" / "all.atom"),
        deliveries=deliveries,
        webhook_created=receiver.created(),
        webhook_resent=receiver.resent(),
        wp_posts=wp_posts(wp, token) if wp else {},
    )


def _wp(wp: dict[str, str], method: str, path: str, **kwargs: Any) -> Any:
    response = requests.request(method, f"{wp['WP_URL']}/wp-json/wp/v2/{path}", timeout=60,
                                auth=(wp["WP_USER"], wp["WP_APP_PASSWORD"].replace(" ", "")), **kwargs)
    response.raise_for_status()
    return response.json()


def _token_posts(wp: dict[str, str], token: str) -> list[dict[str, Any]]:
    found = _wp(wp, "GET", "posts", params={"search": token, "status": "any", "context": "edit", "per_page": 100})
    return [p for p in found if token in p["title"]["raw"]]


def wp_posts(wp: dict[str, str], token: str) -> dict[str, int]:
    counts: dict[str, int] = {}
    for post in _token_posts(wp, token):
        slug = str(post["slug"]).rsplit("-", 1)[0] if str(post["slug"]).endswith("-2") else str(post["slug"])
        counts[slug] = counts.get(slug, 0) + 1
    return counts


def delete_wp_posts(wp: dict[str, str], token: str) -> None:
    for post in _token_posts(wp, token):
        _wp(wp, "DELETE", f"posts/{post['id']}", params={"force": "true"})


def summary_json(stdout: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(stdout)
    return data


def scenario_config(
    directory: Path,
    farm: FeedFarm,
    *,
    database: str,
    hook: str,
    broker: str | None = None,
    wp: dict[str, str] | None = None,
    wp_sources: str = "f199",
) -> Path:
    """The scenario's syndicate.toml: every farm feed, one output with everything, a webhook, WordPress."""
    directory.mkdir(parents=True, exist_ok=True)
    executor = f'executor = "celery"\nbroker = "{broker}"\n' if broker else ""
    text = f"""[syndicate]
feeds_dir = "feeds"
database = "{database}"
base_url = "http://localhost:8080/"
allow_private_networks = true
deadline = "5s"
process_workers = 1
{executor}
[[output]]
name = "all"
limit = 2000

[[target]]
name = "hook"
type = "webhook"
url = "{hook}"
sources = ["f00*"]
backfill = 100000
"""
    if wp is not None:
        text += f"""
[[target]]
name = "blog"
type = "wordpress"
url = "{wp['WP_URL']}"
username = "{wp['WP_USER']}"
password = "{wp['WP_APP_PASSWORD']}"
sources = ["{wp_sources}"]
backfill = 100
force_delete = true
"""
    text += farm.sources_toml()
    path = directory / "syndicate.toml"
    path.write_text(text, encoding="utf-8")
    return path
