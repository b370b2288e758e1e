"""Configuration mistakes an operator makes, caught by ``check`` before they bite at sync (issue #18).

Each test says the mutation it kills.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicate.config import SETTINGS_DURATIONS, load_config
from syndicate.errors import ConfigError
from tests.helpers.cli import run_cli, write_config

FEED = (Path(__file__).resolve().parents[1] / "data" / "parse" / "rss20_full.xml").read_text(encoding="utf-8")


def _local(tmp_path: Path, name: str = "local") -> str:
    (tmp_path / "feed.xml").write_text(FEED, encoding="utf-8")
    return f'[[source]]\nname = "{name}"\nurl = "feed.xml"\n'


@pytest.mark.parametrize("key", SETTINGS_DURATIONS)
def test_a_bare_number_is_no_duration(tmp_path: Path, key: str) -> None:
    """Mutation: parse numbers as seconds again (``interval = 30`` silently 30 s)."""
    path = tmp_path / "syndicate.toml"
    path.write_text(f"[syndicate]\n{key} = 30\n")
    with pytest.raises(ConfigError, match=f'syndicate.{key}: 30 has no unit: write "30s" or "30m"'):
        load_config(path, environ={})
    path.write_text(f'[syndicate]\n{key} = "30s"\n')
    assert getattr(load_config(path, environ={}).syndicate, key) == 30


def test_a_source_interval_needs_a_unit_too(tmp_path: Path) -> None:
    path = write_config(tmp_path, _local(tmp_path) + "interval = 30\n")
    result = run_cli("check", config=path)
    assert result.returncode == 1
    assert 'source[0] (local).interval: 30 has no unit: write "30s" or "30m"' in result.stderr


def test_check_refuses_a_url_without_a_scheme(tmp_path: Path) -> None:
    """Mutation: drop the URL check from lint (it passed check, then failed at sync as a missing file)."""
    path = write_config(tmp_path, _local(tmp_path) + '\n[[source]]\nname = "council"\nurl = "council.example/feed"\n')
    result = run_cli("check", config=path)
    assert result.returncode == 1, result.stdout
    assert (
        "source[1] (council).url: 'council.example/feed' has no scheme (http:// or https://) and is no local file; "
        'did you mean "https://council.example/feed"?'
    ) in result.stderr
    added = run_cli("sources", "add", "other", "other.example/rss", config=path)
    assert added.returncode == 1 and "has no scheme" in added.stderr
    assert "other.example" not in path.read_text()
    assert run_cli("sources", "add", "copy", "feed.xml", config=path).returncode == 1  # known already
    assert "ok" in run_cli("check", config=write_config(tmp_path, _local(tmp_path))).stdout


def test_check_refuses_unknown_source_names_and_warns_on_empty_globs(tmp_path: Path) -> None:
    """Mutation: skip the names in ``sources`` (a typo'd name silently fed nothing to the output)."""
    body = _local(tmp_path) + (
        '\n[[output]]\nname = "all"\nsources = ["locall"]\n'
        '\n[[target]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1:9/h"\nsources = ["loc*", "nope-*"]\n'
    )
    result = run_cli("check", config=write_config(tmp_path, body))
    assert result.returncode == 1
    assert "output[0] (all).sources: no source named 'locall'" in result.stderr
    assert "warning:" in result.stderr and "target[0] (hook).sources: 'nope-*' matches no source" in result.stderr
    fixed = run_cli("check", config=write_config(tmp_path, body.replace('"locall"', '"local"')))
    assert fixed.returncode == 0, fixed.stderr
    assert "1 warning(s)" in fixed.stdout


SECRET_TARGET = (
    '\n[[target]]\nname = "hook"\ntype = "webhook"\nurl = "http://127.0.0.1:9/h"\nsecret = "${HOOK_SECRET}"\n'
)


@pytest.mark.parametrize(
    "command",
    [("status",), ("articles",), ("deliveries",), ("sources", "list"), ("plan",), ("check",), ("sources", "export")],
    ids=" ".join,
)
def test_commands_that_send_nothing_work_without_the_secrets(tmp_path: Path, command: tuple[str, ...]) -> None:
    """Mutation: load every command's config with missing_secrets="refuse" (they all failed)."""
    path = write_config(tmp_path, _local(tmp_path) + SECRET_TARGET)
    result = run_cli(*command, config=path)
    assert result.returncode == 0, result.stderr
    assert "target[0] (hook).secret: environment variable HOOK_SECRET is not set" in result.stderr


@pytest.mark.parametrize("command", [("sync",), ("run",)], ids=" ".join)
def test_commands_that_send_refuse_without_the_secrets(tmp_path: Path, command: tuple[str, ...]) -> None:
    path = write_config(tmp_path, _local(tmp_path) + SECRET_TARGET)
    result = run_cli(*command, config=path)
    assert result.returncode == 1
    assert result.stderr.strip().endswith("target[0] (hook).secret: environment variable HOOK_SECRET is not set")
    assert not (tmp_path / "syndicate.db").exists()


def test_a_config_loaded_without_secrets_never_sends(tmp_path: Path) -> None:
    """The guard below the CLI: deliver() refuses a configuration whose secrets are missing."""
    from datetime import UTC, datetime

    from syndicate.crosspost import deliver
    from syndicate.pipeline.context import Context

    path = write_config(tmp_path, _local(tmp_path) + SECRET_TARGET)
    config = load_config(path, environ={}, missing_secrets="note")
    ctx = Context.open(config=config)
    try:
        with pytest.raises(ConfigError, match="HOOK_SECRET is not set"):
            deliver(ctx.engine, config, now=datetime.now(UTC))
    finally:
        ctx.close()
