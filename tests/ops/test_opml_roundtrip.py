"""OPML export → import keeps each source whole: name, publisher, rights, interval, rules, language,
enabled (``syndicate:*`` outline attributes in the project's namespace), issue #18.

Mutation killed: export without the ``syndicate:*`` attributes (before: sources were renamed from
their titles and lost publisher, rights, interval and rules).
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from syndicate.config import load_config
from syndicate.opml import NS
from tests.helpers.cli import run_cli

CONFIG = """[syndicate]
database = "sqlite:///state.db"

[[source]]
name = "council-minutes"
url = "https://council.example/minutes/feed"
publisher = "Town Council"
interval = "1h30m"
tags = ["Local", "Politics"]
language = "en"
rights = { license = "permission", holder = "Town Council", conditions = ["attribution", "link-to-original"] }
rules = { drop_selectors = [".donate"], drop_patterns = ["^Support our work"] }
headers = { Authorization = "Bearer not-for-export" }

[[source]]
name = "paused"
url = "https://paused.example/rss"
enabled = false
interval = "45s"
"""


def test_export_then_import_keeps_every_source_whole(tmp_path: Path) -> None:
    original = tmp_path / "syndicate.toml"
    original.write_text(CONFIG)
    exported = tmp_path / "sources.opml"
    result = run_cli("sources", "export", "-o", str(exported), config=original)
    assert result.returncode == 0, result.stderr
    text = exported.read_text()
    assert f'xmlns:syndicate="{NS}"' in text and 'syndicate:name="council-minutes"' in text
    assert "not-for-export" not in text  # headers may hold credentials: never exported
    assert etree.fromstring(exported.read_bytes()).tag == "opml"

    fresh = tmp_path / "fresh"
    fresh.mkdir()
    (fresh / "syndicate.toml").write_text('[syndicate]\ndatabase = "sqlite:///state.db"\n')
    imported = run_cli("sources", "import", str(exported), config=fresh / "syndicate.toml")
    assert imported.returncode == 0, imported.stderr

    before = {s.name: s.model_dump(exclude={"headers"}) for s in load_config(original, environ={}).source}
    after = {s.name: s.model_dump(exclude={"headers"}) for s in load_config(fresh / "syndicate.toml").source}
    assert after == before


def test_a_plain_opml_file_still_imports_by_title(tmp_path: Path) -> None:
    opml = tmp_path / "plain.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head/><body>'
        '<outline text="Night Desk" type="rss" xmlUrl="https://night.example/feed"/></body></opml>'
    )
    config = tmp_path / "syndicate.toml"
    config.write_text('[syndicate]\ndatabase = "sqlite:///state.db"\n')
    assert run_cli("sources", "import", str(opml), config=config).returncode == 0
    assert [s.name for s in load_config(config).source] == ["night-desk"]
