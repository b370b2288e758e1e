"""Attribution and rights: who published an article first, and on what terms it may be reused.

- :mod:`~syndicate.attribution.recognizers` — the phrase table (data) read in article bodies
- :mod:`~syndicate.attribution.licenses` — licence names and URLs → SPDX ids and conditions
- :mod:`~syndicate.attribution.notices` — which paragraphs are notices, and what they say
- :mod:`~syndicate.attribution.rights` — precedence of rights claims, merging copies' rights
- :mod:`~syndicate.attribution.attribute` — original outlet / URL / republishers of one copy
"""

from __future__ import annotations
