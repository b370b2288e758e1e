"""The HTML index page and the OPML 2.0 subscription list of the served outputs.

Both are built once from the configuration; every configured value is escaped
(HTML with :func:`html.escape`, OPML by lxml).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from lxml import etree

from syndicate.config import OutputConfig
from syndicate.outputs.facts import MEDIA_TYPES, feed_filename
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


def index_html(outputs: Sequence[ServedOutput], *, title: str = "syndicate feeds") -> bytes:
    head_links = "".join(
        f'\n<link rel="alternate" type="{MEDIA_TYPES[fmt]}" title="{escape(o.title)} ({FORMAT_LABELS[fmt]})"'
        f' href="{escape(url)}">'
        for o in outputs
        for fmt, url in o.links
    )
    items = []
    for o in outputs:
        links = " · ".join(f'<a href="{escape(url)}" type="{MEDIA_TYPES[fmt]}">{FORMAT_LABELS[fmt]}</a>'
                           for fmt, url in o.links)
        subtitle = f"<br><small>{escape(o.subtitle)}</small>" if o.subtitle else ""
        items.append(f"<li><strong>{escape(o.title)}</strong> ({escape(o.name)}){subtitle}<br>Subscribe: {links}</li>")
    body = "\n".join(items) if items else "<li>No outputs are configured.</li>"
    page = (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>{head_links}\n"
        '<link rel="outline" type="text/x-opml" title="All feeds (OPML)" href="opml">\n'
        "</head>\n<body>\n"
        f"<h1>{escape(title)}</h1>\n<ul>\n{body}\n</ul>\n"
        '<p><a href="opml">All feeds as OPML</a></p>\n'
        "</body>\n</html>\n"
    )
    return page.encode("utf-8")


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
