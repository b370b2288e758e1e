"""Outgrowing one machine: the pipeline's stages as Celery tasks on ``syndicate worker`` processes.

With ``executor = "celery"`` the same stage functions the local executor calls run as tasks
on four queues (``fetch``, ``process``, ``render``, ``deliver``), so a slow target never
starves fetching. ``syndicate sync`` enqueues one pass and waits for it
(:func:`syndicate.distributed.client.run_pass_on_workers`), ``syndicate run`` becomes the
scheduler (:mod:`syndicate.distributed.scheduler`: one active at a time, by a database
lease), ``syndicate worker`` runs the tasks (:func:`syndicate.distributed.worker.start_worker`).

Guarantees come from the database, not from the queue: sources are claimed with conditional
UPDATEs, ingest is idempotent (raw hashes, advisory locks on PostgreSQL), deliveries are
claimed in the ledger. Tasks are acknowledged late, so a task lost with its worker is run
again, and running one twice changes nothing twice.
"""

from __future__ import annotations
