"""``[desk]`` in the configuration: passwords resolved only when serving, clear errors otherwise."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from syndicate.config import load_config
from syndicate.desk.accounts import check_login, desk_users
from syndicate.errors import ConfigError
from tests.helpers.cli import REPO, run_cli


def write(tmp_path: Path, desk: str) -> Path:
    path = tmp_path / "syndicate.toml"
    path.write_text('[syndicate]\ndatabase = "sqlite:///x.db"\n' + desk, encoding="utf-8")
    return path


def test_unset_desk_password_does_not_stop_other_commands(tmp_path: Path) -> None:
    """Kills: ${VAR} in a desk password expanded at load (every command would need the variable)."""
    path = write(tmp_path, '[desk]\n[[desk.user]]\nname = "ed"\nrole = "editor"\npassword = "${NOT_SET_ANYWHERE}"\n')
    config = load_config(path, environ={})
    assert config.desk is not None and config.desk.user[0].password == "${NOT_SET_ANYWHERE}"
    assert desk_users(config, {}) == {}
    users = desk_users(config, {"NOT_SET_ANYWHERE": "s3cret-value"})
    assert check_login(users, "ed", "s3cret-value") is not None
    assert check_login(users, "ed", "wrong") is None and check_login(users, "nobody", "s3cret-value") is None


def test_other_unset_variables_still_fail_at_load(tmp_path: Path) -> None:
    path = write(tmp_path, '[desk]\nsession_secret = "${NOT_SET_ANYWHERE}"\n')
    with pytest.raises(ConfigError, match=r"desk\.session_secret: environment variable NOT_SET_ANYWHERE is not set"):
        load_config(path, environ={})


@pytest.mark.parametrize(
    ("desk", "message"),
    [
        ('[[desk.user]]\nname = "a"\npassword = "x"\npassword_hash = "$argon2id$v=19$x"\n', "exactly one of"),
        ('[[desk.user]]\nname = "a"\n', "exactly one of"),
        ('[[desk.user]]\nname = "a"\npassword_hash = "plain"\n', "must be an argon2 hash"),
        ('[[desk.user]]\nname = "a"\npassword = "x"\nrole = "admin"\n', "desk.user[0] (a).role"),
        ('listen = "8081"\n', "is not \"host:port\""),
        ('[[desk.user]]\nname = "a"\npassword = "x"\n[[desk.user]]\nname = "a"\npassword = "y"\n', "unique"),
        ('colour = "blue"\n', "desk.colour: unknown key"),
    ],
)
def test_bad_desk_settings_are_one_clear_line(tmp_path: Path, desk: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(write(tmp_path, "[desk]\n" + desk), environ={})
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_embedded_default_config_has_a_desk_and_needs_no_password_to_check() -> None:
    """The default config's [desk] takes its password from $SYNDICATE_DESK_PASSWORD, read only when serving."""
    env = {k: v for k, v in os.environ.items() if k != "SYNDICATE_DESK_PASSWORD"}
    config = load_config(REPO / "config" / "syndicate.toml", environ=env)
    assert config.desk is not None and config.desk.user[0].role == "editor"
    assert config.desk.user[0].password == "${SYNDICATE_DESK_PASSWORD}"
    result = run_cli("check", config=REPO / "config" / "syndicate.toml", env={"SYNDICATE_DESK_PASSWORD": ""})
    assert result.returncode == 0, result.stderr
