"""The served outputs as announced (:class:`ServedOutput`) and their OPML 2.0 subscription list.

Built once from the configuration; every configured value is escaped by lxml. The HTML index
page is :mod:`syndicate.serve.public`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from lxml import etree

from syndicate.config import OutputConfig
from syndicate.outputs.facts import feed_filename
from syndicate.outputs.text import clean_or_none

FORMAT_LABELS: dict[str, str] = {"atom": "Atom", "rss": "RSS", "json": "JSON Feed"}
OPML_DOCS = "http://opml.org/spec2.opml"


@dataclass(frozen=True, slots=True)
class ServedOutput:
    """One output as the server announces it."""

    name: str
    title: str
    subtitle: str | None
    site: str | None
    links: tuple[tuple[str, str], ...]  # (format, absolute URL), in configured order


def served_outputs(outputs: Sequence[OutputConfig], base_url: str) -> list[ServedOutput]:
    result = []
    for output in outputs:
        base = output.base_url or base_url
        base = base if base.endswith("/") else base + "/"
        result.append(
            ServedOutput(
                name=output.name,
                title=clean_or_none(output.title) or output.name,
                subtitle=clean_or_none(output.subtitle),
                site=clean_or_none(output.link),
                links=tuple((fmt, base + feed_filename(output.name, fmt)) for fmt in output.formats),
            )
        )
    return result


def opml(outputs: Sequence[ServedOutput], *, title: str = "syndicate feeds") -> bytes:
    """OPML 2.0 with one ``outline type="rss"`` per output, pointing at its first configured format."""
    root = etree.Element("opml", version="2.0")
    head = etree.SubElement(root, "head")
    etree.SubElement(head, "title").text = title
    etree.SubElement(head, "docs").text = OPML_DOCS
    body = etree.SubElement(root, "body")
    for o in outputs:
        if not o.links:
            continue
        attributes = {"type": "rss", "text": o.title, "title": o.title, "xmlUrl": o.links[0][1]}
        if o.site:
            attributes["htmlUrl"] = o.site
        if o.subtitle:
            attributes["description"] = o.subtitle
        etree.SubElement(body, "outline", attributes)
    data: bytes = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return data
