"""Configuration: every mistake is one line naming the file, the key and the problem."""

from __future__ import annotations

from pathlib import Path

import pytest

from syndicate.config import load_config, parse_duration, parse_size
from syndicate.errors import ConfigError
from syndicate.redact import scrub

REPO = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "syndicate.toml"
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path, environ: dict[str, str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        load_config(path, environ=environ or {})
    message = str(info.value)
    assert "\n" not in message
    assert message.startswith(str(path))
    return message


def test_bundled_default_config_is_valid() -> None:
    config = load_config(REPO / "config" / "syndicate.toml", environ={})
    assert len(config.source) >= 4
    assert config.feeds_dir == (REPO / "feeds").resolve()
    assert config.database_url == "sqlite:///" + str((REPO / "var" / "syndicate.db").resolve())
    for source in config.source:
        assert config.source_path(source).is_file(), source.name


def test_example_config_is_valid() -> None:
    config = load_config(
        REPO / "config" / "example.toml", environ={"WP_APP_PASSWORD": "x" * 24, "MEMBERS_FEED_TOKEN": "tok-123456"}
    )
    assert {t.type for t in config.target} == {"wordpress"}
    assert config.source[0].interval == 3600


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('[[source]]\nname = "a"\nurl = "x.rss"\nintervall = "5m"\n', "source[0] (a).intervall: unknown key"),
        (
            '[[source]]\nname = "a"\nurl = "x.rss"\ninterval = "soon"\n',
            "source[0] (a).interval: 'soon' is not a duration",
        ),
        ('[[source]]\nname = "a"\nurl = "x.rss"\n[[source]]\nname = "a"\nurl = "y.rss"\n', "duplicate source name 'a'"),
        ('[[source]]\nname = "A b"\nurl = "x.rss"\n', "is not a valid name"),
        ('[[source]]\nurl = "x.rss"\n', "source[0].name: missing required key"),
        ('[syndicate]\nfetch_workers = "many"\n', "syndicate.fetch_workers"),
        ('[syndicate]\nexecutor = "celery"\n', "needs a broker"),
        ('[syndicate]\nmax_bytes = "lots"\n', "is not a size"),
        ('[[output]]\nname = "all"\nformats = ["atom", "pdf"]\n', "output[0] (all).formats"),
        ('[[source]]\nname = "a"\nurl = "ftp://x/feed"\n', "only http(s) URLs and local file paths"),
        ("this is not toml", "not valid TOML"),
    ],
)
def test_errors_name_file_key_and_problem(tmp_path: Path, text: str, expected: str) -> None:
    """Mutation it kills (docs/promises.md): ``config.py`` leaving the key out of the message."""
    assert expected in error_of(write(tmp_path, text))


def test_missing_environment_variable_is_named(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[source]]\nname = "a"\nurl = "https://x.example/feed"\n'
        'headers = { Authorization = "Bearer ${FEED_TOKEN}" }\n',
    )
    message = error_of(path)
    assert "source.headers.Authorization" in message or "headers" in message
    assert "FEED_TOKEN is not set" in message


def test_environment_values_are_secrets(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        '[[source]]\nname = "a"\nurl = "https://x.example/feed"\n'
        'headers = { Authorization = "Bearer ${FEED_TOKEN}" }\n',
    )
    config = load_config(path, environ={"FEED_TOKEN": "s3cr3t-value-123"})
    assert config.source[0].headers["Authorization"] == "Bearer s3cr3t-value-123"
    assert scrub("failed with s3cr3t-value-123 inside") == "failed with *** inside"


def test_secret_file(tmp_path: Path) -> None:
    secret = tmp_path / "token"
    secret.write_text("file-secret-987654\n")
    secret.chmod(0o600)
    path = write(
        tmp_path,
        '[[source]]\nname = "a"\nurl = "https://x.example/feed"\n[source.headers]\nAuthorization_file = "token"\n',
    )
    config = load_config(path, environ={})
    assert config.source[0].headers["Authorization"] == "file-secret-987654"
    assert "file-secret-987654" not in scrub("x file-secret-987654 y")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such configuration file"):
        load_config(tmp_path / "nope.toml", environ={})


def test_unknown_target_type_and_option(tmp_path: Path) -> None:
    path = write(tmp_path, '[[target]]\nname = "t"\ntype = "myspace"\n')
    assert "target[0] (t).type: unknown target type 'myspace'" in error_of(path)


@pytest.mark.parametrize(("text", "seconds"), [("45s", 45), ("30m", 1800), ("1h30m", 5400), ("2d", 172800), (90, 90)])
def test_durations(text: str | int, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "5 minutes", "m5", "-3s", "1h junk"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError):
        parse_duration(text)


def test_sizes() -> None:
    assert parse_size("10MiB") == 10 * 1024 * 1024
    assert parse_size("512KiB") == 512 * 1024
    assert parse_size(2048) == 2048
