"""Every TOML example in docs/crossposting.md is a valid configuration; every target type is documented;
unknown options are rejected at load."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

import pytest

from syndicate.config import config_from_dict
from syndicate.errors import ConfigError
from syndicate.targets.registry import target_types

PAGE = Path(__file__).resolve().parents[2] / "docs" / "crossposting.md"
SECTION = PAGE.read_text(encoding="utf-8")
EXAMPLES = re.findall(r"```toml\n(.*?)```", SECTION, re.S)
ENV = {name: f"value-of-{name.lower()}" for name in
       ("WP_APP_PASSWORD", "GHOST_ADMIN_KEY", "DISCOURSE_API_KEY", "MASTODON_TOKEN", "MICROPUB_TOKEN",
        "SMTP_PASSWORD", "WEBHOOK_SECRET")}
ENV["GHOST_ADMIN_KEY"] = "6b06e9082450b24a9f1b9a05:" + "ab" * 32


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_documented_example_is_valid(example: str, tmp_path: Path) -> None:
    raw = tomllib.loads(example)
    config = config_from_dict(raw, tmp_path / "syndicate.toml", environ=ENV)
    assert len(config.target) == 1


def test_every_target_type_is_documented_with_an_example() -> None:
    documented = {tomllib.loads(example)["target"][0]["type"] for example in EXAMPLES}
    assert documented == set(target_types())
    for name in target_types():
        assert f"\n## {name}\n" in SECTION


MINIMAL: dict[str, dict[str, Any]] = {
    "wordpress": {"url": "https://b.example", "username": "u", "password": "p"},
    "ghost": {"url": "https://g.example", "admin_key": "id:" + "ab" * 32},
    "discourse": {"url": "https://d.example", "api_key": "k"},
    "mastodon": {"url": "https://m.example", "access_token": "t"},
    "micropub": {"endpoint": "https://mp.example/micropub", "access_token": "t"},
    "email": {"host": "smtp.example", "sender": "a@example.org", "to": ["l@example.org"]},
    "webhook": {"url": "https://h.example/hook"},
    "files": {"path": "out"},
}


def test_minimal_options_cover_every_type() -> None:
    assert set(MINIMAL) == set(target_types())


@pytest.mark.parametrize("kind", sorted(MINIMAL))
def test_unknown_options_are_config_errors(kind: str, tmp_path: Path) -> None:
    good = {"target": [{"name": "t", "type": kind, **MINIMAL[kind]}]}
    assert config_from_dict(good, tmp_path / "syndicate.toml", environ={}).target[0].type == kind
    bad = {"target": [{"name": "t", "type": kind, **MINIMAL[kind], "pasword": "typo"}]}
    with pytest.raises(ConfigError) as caught:
        config_from_dict(bad, tmp_path / "syndicate.toml", environ={})
    assert "target[0] (t).pasword: unknown key" in str(caught.value)
