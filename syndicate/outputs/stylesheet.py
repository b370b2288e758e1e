"""The XSL stylesheet Atom and RSS outputs link, so a browser shows a readable page.

feedgen cannot write processing instructions, so :func:`with_stylesheet` adds
``<?xml-stylesheet type="text/xsl" href="assets/feed.xsl"?>`` to the rendered bytes, right
after the XML declaration. Feed readers ignore it; the document stays the same valid feed.
The href is relative to the feed's own URL, so it works under any ``base_url`` path:
``syndicate serve`` answers ``/assets/…`` from the files shipped here, and the render writes
the same files to ``feeds_dir/assets/`` for a web server that serves ``feeds_dir`` as it is.
"""

from __future__ import annotations

from pathlib import Path

ASSETS_DIR = Path(__file__).with_name("data")
ASSETS: dict[str, str] = {"feed.xsl": "text/xsl; charset=utf-8", "site.css": "text/css; charset=utf-8"}
XSL_HREF = "assets/feed.xsl"
_DECLARATION_END = b"?>"


def processing_instruction(href: str = XSL_HREF) -> bytes:
    return f'<?xml-stylesheet type="text/xsl" href="{href}"?>'.encode()


def with_stylesheet(data: bytes, href: str = XSL_HREF) -> bytes:
    """``data`` (an XML document) with the stylesheet instruction after its declaration (or first)."""
    instruction = processing_instruction(href)
    if data.startswith(b"<?xml "):
        end = data.index(_DECLARATION_END) + len(_DECLARATION_END)
        return data[:end] + b"\n" + instruction + data[end:]
    return instruction + b"\n" + data


def asset_bytes(name: str) -> bytes:
    return (ASSETS_DIR / name).read_bytes()
