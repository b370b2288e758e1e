"""Fast checks without a broker: serving outputs from the database, the Celery settings that carry
the guarantees, queue/pool choice, the JSON wire format, and the error when no worker runs."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from syndicate.config import ServeConfig, config_from_dict
from syndicate.distributed import wire
from syndicate.distributed.app import QUEUES, celery_settings
from syndicate.distributed.serving import serve_from_database
from syndicate.distributed.tasks import only_target
from syndicate.distributed.worker import parse_queues, pool_for
from syndicate.errors import ConfigError
from syndicate.models import FetchResult
from syndicate.pipeline.context import Context
from syndicate.pipeline.passes import SourceOutcome, SourceReport, run_pass
from syndicate.pipeline.render import RenderSummary, expand_outputs
from syndicate.serve import make_app
from syndicate.serve_app import build_app
from tests.distributed.farm import FeedFarm
from tests.distributed.services import syndicate


def _config(tmp_path: Path, farm: FeedFarm | None = None, **settings: object) -> object:
    raw = {
        "syndicate": {"database": f"sqlite:///{tmp_path / 'db.sqlite'}", "allow_private_networks": True, **settings},
        "output": [{"name": "all"}],
        "source": [{"name": f"f{i:03d}", "url": farm.url(i)} for i in range(farm.feeds)] if farm else [],
        "target": [{"name": "hook", "type": "webhook", "url": "http://127.0.0.1:9/h"},
                   {"name": "files", "type": "files", "path": str(tmp_path / "out")}],
    }
    return config_from_dict(raw, tmp_path / "syndicate.toml")


def test_serve_answers_from_the_database_like_from_the_files(tmp_path: Path) -> None:
    farm = FeedFarm(4, 2)
    try:
        ctx = Context.open(config=_config(tmp_path, farm))  # type: ignore[arg-type]
        assert run_pass(ctx, crosspost=False).ok
    finally:
        farm.close()
    outputs = [output for output, _ in expand_outputs(ctx.config)]
    base = "http://localhost:8080/"
    from_files = Client(make_app(ctx.config.feeds_dir, hubs=[], base_url=base, outputs=outputs))
    empty = tmp_path / "no-files-here"
    empty.mkdir()
    from_db = Client(serve_from_database(make_app(empty, hubs=[], base_url=base, outputs=outputs), ctx.engine))
    a, b = from_files.get("/all.atom"), from_db.get("/all.atom")
    assert a.status_code == b.status_code == 200
    assert b.data == a.data == (ctx.config.feeds_dir / "all.atom").read_bytes()
    assert b.headers["ETag"] == a.headers["ETag"]
    assert from_db.get("/all.atom", headers={"If-None-Match": b.headers["ETag"]}).status_code == 304
    assert from_db.get("/nothing.atom").status_code == 404
    # what `syndicate serve` builds with [syndicate.serve] from_database = true, on a host without the files
    settings = ctx.config.syndicate.model_copy(
        update={"feeds_dir": str(empty), "serve": ServeConfig(from_database=True)}
    )
    stateless = Context(config=ctx.config.model_copy(update={"syndicate": settings}), engine=ctx.engine)
    assert Client(build_app(stateless)).get("/all.atom").data == a.data
    ctx.close()


def test_the_celery_settings_carry_the_guarantees(tmp_path: Path) -> None:
    config = _config(tmp_path, executor="celery", broker="redis://127.0.0.1:6379/0", deadline="10s")
    settings = celery_settings(config)  # type: ignore[arg-type]
    assert settings["task_acks_late"] is True
    assert settings["task_reject_on_worker_lost"] is True
    assert settings["worker_prefetch_multiplier"] == 1
    assert settings["accept_content"] == ["json"]  # never pickle from the broker
    assert settings["result_backend"] == settings["broker_url"]
    assert [q.name for q in settings["task_queues"]] == list(QUEUES) == ["fetch", "process", "render", "deliver"]
    assert {q.name: q.routing_key for q in settings["task_queues"]} == {q: q for q in QUEUES}
    assert settings["broker_transport_options"]["visibility_timeout"] == 30


def test_queues_and_pools(tmp_path: Path) -> None:
    assert parse_queues(None) == list(QUEUES)
    assert parse_queues("fetch, deliver,fetch") == ["fetch", "deliver"]
    with pytest.raises(ConfigError, match="unknown queue 'parse'"):
        parse_queues("fetch,parse")
    assert pool_for(["fetch", "deliver"], 16) == ("threads", 16)
    assert pool_for(["fetch", "process"], None)[0] == "prefork"
    config = _config(tmp_path)
    single = only_target(config, "files")  # type: ignore[arg-type]
    assert single is not None and [t.name for t in single.target] == ["files"]
    assert only_target(config, "nope") is None  # type: ignore[arg-type]


def test_the_wire_format_round_trips() -> None:
    fetched = FetchResult(source="a", status="ok", url="http://x/", body=b"\x00<rss/>\xff", headers={"etag": '"1"'},
                          http_status=200, etag='"1"')
    assert wire.fetch_result_from_wire(wire.fetch_result_to_wire(fetched)) == fetched
    done = SourceOutcome(report=SourceReport(name="a", status="ok", new=2), new=2, unchanged=1, changed_ids=["x"])
    assert wire.outcome_from_wire(wire.outcome_to_wire(done)) == done
    rendered = RenderSummary(written=1, files=["all.atom"])
    assert wire.render_from_wire(wire.render_to_wire(rendered)) == rendered


@pytest.mark.services
def test_sync_without_workers_is_one_clear_line(tmp_path: Path, redis_url: str) -> None:
    path = tmp_path / "syndicate.toml"
    path.write_text(f'[syndicate]\ndatabase = "sqlite:///{tmp_path / "db.sqlite"}"\nexecutor = "celery"\n'
                    f'broker = "{redis_url}"\n', encoding="utf-8")
    done = syndicate("sync", config=path, timeout=60)
    assert done.returncode == 1
    assert done.stderr.strip().startswith("syndicate: error: no syndicate worker answers on redis://")
    assert len(done.stderr.strip().splitlines()) == 1
