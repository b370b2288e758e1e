"""The Celery application, configured from ``[syndicate]``: broker, queues, delivery guarantees.

One queue per stage (``fetch``, ``process``, ``render``, ``deliver``). Tasks are acknowledged
after they ran (``acks_late``) and given back when their worker process dies
(``task_reject_on_worker_lost``); each worker process reserves one task at a time
(prefetch multiplier 1). When a whole worker dies, RabbitMQ (``amqp://``, the production
choice) gives its unacknowledged tasks to another worker the moment its connection drops;
Redis only after the visibility timeout. Every task is idempotent, so a task that runs
again, or twice, changes nothing twice. Task arguments and results are JSON
(:mod:`syndicate.distributed.wire`), never pickle.

Results travel back through Redis itself on a Redis broker, and as messages to the sender's
own reply queue on RabbitMQ (Celery's ``rpc://`` backend): only the process that sent a task
reads its result, which is how ``syndicate sync`` and the scheduler use them.
"""

from __future__ import annotations

from typing import Any

from celery import Celery
from kombu import Exchange, Queue

from syndicate.config import Config
from syndicate.errors import ConfigError

QUEUES: tuple[str, ...] = ("fetch", "process", "render", "deliver")
TASK_PREFIX = "syndicate."
CONFIG_ENV = "SYNDICATE_CONFIG"  # workers load the configuration named here (set by start_worker)
RESTORE_INTERVAL = 5  # seconds between sweeps that give a dead worker's tasks to the others

app = Celery("syndicate", set_as_current=False)


def task_budget(config: Config) -> float:
    """Seconds a task may run before Redis offers it to another worker (the visibility timeout).

    Every task is bounded: a fetch by ``deadline``, a delivery task stops starting sends
    after half the budget. Too short only costs repeated (idempotent) work.
    """
    return max(15.0, 3 * config.syndicate.deadline)


def claim_hold(config: Config) -> float:
    """How long a claimed source stays not-due while its tasks are queued or running."""
    return 2 * task_budget(config) + 30.0


AMQP_SCHEMES = frozenset({"amqp", "amqps", "pyamqp"})
REDIS_SCHEMES = frozenset({"redis", "rediss"})


def broker_kind(broker: str) -> str:
    """``"amqp"`` (RabbitMQ) or ``"redis"``, from the URL's scheme; a ConfigError for anything else."""
    scheme = broker.split("://", 1)[0].lower() if "://" in broker else ""
    if scheme in AMQP_SCHEMES:
        return "amqp"
    if scheme in REDIS_SCHEMES:
        return "redis"
    raise ConfigError(
        f"syndicate.broker: unsupported scheme {scheme or broker.split(':', 1)[0]!r}; "
        'use "amqp://user:password@host:5672/vhost" (RabbitMQ) or "redis://host:6379/0"'
    )


def _transport(config: Config, kind: str) -> dict[str, Any]:
    """What differs between the brokers: the result backend and the transport's options."""
    if kind == "amqp":  # a dead consumer's unacknowledged messages go back the moment its connection drops
        return {"result_backend": "rpc://", "result_persistent": False,
                "broker_transport_options": {"confirm_publish": True}}
    return {
        "result_backend": config.syndicate.broker,
        "broker_transport_options": {
            "visibility_timeout": int(task_budget(config)),
            "unacked_restore_interval": RESTORE_INTERVAL,
            "unacked_restore_throttle": 1,
        },
    }


def celery_settings(config: Config) -> dict[str, Any]:
    """The Celery settings for a configuration (pure)."""
    broker = config.syndicate.broker
    if not broker:
        raise ConfigError(f'{config.path}: syndicate.broker: executor = "celery" needs a broker')
    try:
        kind = broker_kind(broker)
    except ConfigError as exc:
        raise ConfigError(f"{config.path}: {exc}") from None
    return {
        "broker_url": broker,
        **_transport(config, kind),
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_queues": [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES],
        "task_default_queue": "process",
        "task_routes": {f"{TASK_PREFIX}{name}": {"queue": name, "routing_key": name} for name in QUEUES},
        "result_expires": 24 * 3600,
        "worker_hijack_root_logger": False,
        "worker_redirect_stdouts": False,
        "broker_connection_retry_on_startup": True,
        "task_track_started": False,
        "timezone": "UTC",
        "enable_utc": True,
    }


def configure(config: Config) -> Celery:
    """The application, configured for ``config`` (tasks registered)."""
    from syndicate.distributed import tasks  # noqa: F401  (registers the tasks)

    app.conf.update(celery_settings(config))
    return app
