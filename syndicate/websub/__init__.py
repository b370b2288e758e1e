"""WebSub subscriber (W3C Recommendation): sources whose feeds name a hub are pushed to us.

* :mod:`~syndicate.websub.signature` — X-Hub-Signature HMACs (pure);
* :mod:`~syndicate.websub.subscriptions` — the ``subscriptions`` table;
* :mod:`~syndicate.websub.plan` — what to subscribe, renew or unsubscribe (pure);
* :mod:`~syndicate.websub.subscriber` — the requests to hubs, the callback WSGI app, pushed content.
"""

from __future__ import annotations
