"""The Celery application, configured from ``[syndicate]``: broker, queues, delivery guarantees.

One queue per stage (``fetch``, ``process``, ``render``, ``deliver``). Tasks are acknowledged
after they ran (``acks_late``) and given back when their worker process dies
(``task_reject_on_worker_lost``); each worker process reserves one task at a time
(prefetch multiplier 1). When a whole worker machine dies, Redis hands its reserved tasks to
another worker after the visibility timeout; every task is idempotent, so a task that runs
again, or twice, changes nothing twice. Task arguments and results are JSON
(:mod:`syndicate.distributed.wire`), never pickle.
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


def celery_settings(config: Config) -> dict[str, Any]:
    """The Celery settings for a configuration (pure)."""
    broker = config.syndicate.broker
    if not broker:
        raise ConfigError(f'{config.path}: syndicate.broker: executor = "celery" needs a broker')
    budget = task_budget(config)
    return {
        "broker_url": broker,
        "result_backend": broker,
        "task_serializer": "json",
        "result_serializer": "json",
        "accept_content": ["json"],
        "task_acks_late": True,
        "task_reject_on_worker_lost": True,
        "worker_prefetch_multiplier": 1,
        "task_queues": [Queue(name, Exchange(name, type="direct"), routing_key=name) for name in QUEUES],
        "task_default_queue": "process",
        "task_routes": {f"{TASK_PREFIX}{name}": {"queue": name, "routing_key": name} for name in QUEUES},
        "broker_transport_options": {
            "visibility_timeout": int(budget),
            "unacked_restore_interval": RESTORE_INTERVAL,
            "unacked_restore_throttle": 1,
        },
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
