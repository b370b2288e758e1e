"""Rights claims from each source of truth, and how they combine.

A :class:`RightsClaim` is what one level says: the configured terms, the entry's
elements, its ``atom:source``, the feed, or the prose notices in the body. :func:`combine`
applies the precedence of issue #3 (first level wins for each fact; notices are
collected from every level). :func:`merge` combines the rights of several copies of one
article (configured terms win; otherwise the licence from whichever copy states one,
conditions and notices united).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from syndicate.attribution import licenses
from syndicate.models import CONDITIONS, Notice, RawRights, Rights

_ROOT_LICENSE_RANK = {licenses.ALL_RIGHTS_RESERVED: 0, licenses.PERMISSION: 1}


@dataclass(frozen=True, slots=True)
class RightsClaim:
    license: str | None = None
    license_url: str | None = None
    conditions: tuple[str, ...] = ()
    holder: str | None = None
    statement: str | None = None
    notices: tuple[Notice, ...] = field(default_factory=tuple)

    def is_empty(self) -> bool:
        return not any((self.license, self.license_url, self.conditions, self.holder, self.statement, self.notices))


def license_rank(license_id: str | None) -> int:
    """How specific a licence statement is: a named licence (2) > a grant (1) > all rights reserved (0)."""
    if license_id is None:
        return -1
    return _ROOT_LICENSE_RANK.get(license_id, 2)


def sorted_conditions(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted({v for v in values if v in CONDITIONS}))


def unique_notices(notices: Iterable[Notice]) -> tuple[Notice, ...]:
    seen: set[tuple[str, str]] = set()
    out: list[Notice] = []
    for notice in notices:
        key = (notice.kind, notice.text)
        if key not in seen:
            seen.add(key)
            out.append(notice)
    return tuple(out)


def claim_from_config(config: object | None) -> RightsClaim:
    """The configured terms of a source (a ``RightsConfig``) as a claim."""
    if config is None:
        return RightsClaim()
    license_id = getattr(config, "license", None) or None
    license_url = getattr(config, "license_url", None) or None
    if license_id is None and license_url:
        found = licenses.from_url(license_url)
        license_id = found.id if found else None
    conditions = list(getattr(config, "conditions", None) or [])
    if not conditions:
        conditions = list(licenses.conditions_for(license_id))
    return RightsClaim(
        license=license_id,
        license_url=license_url,
        conditions=sorted_conditions(conditions),
        holder=getattr(config, "holder", None) or None,
        statement=getattr(config, "statement", None) or None,
    )


def claim_from_raw(raw: RawRights | None, extra_license_urls: Sequence[str] = ()) -> RightsClaim:
    """What feed elements say: licence URLs decide the licence; the statement is read like a notice."""
    from syndicate.attribution.notices import claim_from_statement  # late: notices imports this module

    if raw is None:
        raw = RawRights()
    statement = _one_line(raw.statement) or _one_line(raw.media_copyright)
    from_text = claim_from_statement(statement) if statement else RightsClaim()
    license_id, license_url, conditions = from_text.license, from_text.license_url, list(from_text.conditions)
    for url in (*raw.license_urls, *extra_license_urls):
        found = licenses.from_url(url)
        if found is not None:
            license_id, license_url, conditions = found.id, found.url, list(found.conditions)
            break
    return RightsClaim(
        license=license_id,
        license_url=license_url,
        conditions=sorted_conditions(conditions),
        holder=from_text.holder,
        statement=statement,
        notices=(),
    )


def combine(levels: Sequence[RightsClaim]) -> Rights:
    """The rights of one copy: ``levels`` from the highest precedence to the lowest.

    The licence (with its URL and conditions) comes from the first level that states a
    licence or conditions; holder and statement each from the first level that has one;
    notices from every level.
    """
    license_id = license_url = holder = statement = None
    conditions: tuple[str, ...] = ()
    decided = False
    for level in levels:
        if not decided and (level.license or level.conditions):
            license_id, license_url, conditions = level.license, level.license_url, level.conditions
            decided = True
        holder = holder or level.holder
        statement = statement or level.statement
    notices = unique_notices(n for level in levels for n in level.notices)
    return Rights(
        holder=holder,
        statement=statement,
        license=license_id,
        license_url=license_url,
        conditions=sorted_conditions(conditions),
        notices=notices,
    )


def merge(rights: Sequence[Rights], configured: Sequence[bool], primary: int | None) -> Rights:
    """The rights of an article from its copies' rights (in a deterministic order).

    ``configured[i]`` says copy ``i`` carries configured terms; ``primary`` is the index of
    the copy that supplies title and content (preferred for the licence when it states one).
    """
    if not rights:
        return Rights()
    order = list(range(len(rights)))
    if primary is not None:
        order.remove(primary)
        order.insert(0, primary)
    chosen_conf = [i for i in order if configured[i]]
    if chosen_conf:
        base = rights[chosen_conf[0]]
        notices = unique_notices(n for i in order for n in rights[i].notices)
        holder = base.holder or next((rights[i].holder for i in order if rights[i].holder), None)
        statement = base.statement or next((rights[i].statement for i in order if rights[i].statement), None)
        return Rights(
            holder=holder,
            statement=statement,
            license=base.license,
            license_url=base.license_url,
            conditions=base.conditions,
            notices=tuple(sorted(notices, key=lambda n: (n.kind, n.text))),
        )
    with_license = [i for i in order if rights[i].license]
    source = with_license[0] if with_license else None
    license_id = rights[source].license if source is not None else None
    license_url = rights[source].license_url if source is not None else None
    if license_url is None and license_id is not None:
        license_url = next((rights[i].license_url for i in order if rights[i].license == license_id and
                            rights[i].license_url), None)
    holder = rights[source].holder if source is not None and rights[source].holder else None
    holder = holder or next((rights[i].holder for i in order if rights[i].holder), None)
    statement = rights[source].statement if source is not None and rights[source].statement else None
    statement = statement or next((rights[i].statement for i in order if rights[i].statement), None)
    conditions = sorted_conditions(c for r in rights for c in r.conditions)
    notices = unique_notices(n for r in rights for n in r.notices)
    return Rights(
        holder=holder,
        statement=statement,
        license=license_id,
        license_url=license_url,
        conditions=conditions,
        notices=tuple(sorted(notices, key=lambda n: (n.kind, n.text))),
    )


_WS = re.compile(r"\s+")


def _one_line(value: str | None) -> str | None:
    if not value:
        return None
    from syndicate.normalize.text import clean_line

    text = clean_line(value)
    return text or None


def collapse_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()
