"""A notice written over several short lines in one paragraph, read line by line.

Markdown joins the lines of a blockquote into one paragraph ("> 作者：… > 链接：… > 来源：稀土掘金 >
著作权归作者所有…"), and so do hard-wrapped footers: the rows read one line each, so the joined
paragraph matches none of them whole. A paragraph at the lead or the tail whose text has line
breaks is read again line by line; when every line with letters in it is a notice (a line that is
only a link counts with them), the paragraph is one notice block and goes, its lines' hits giving
the facts. If any line is the article's own, nothing changes (precision first).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from syndicate.attribution.notices import Block, Verdict, covers_all
from syndicate.normalize.text import collapse

MAX_LINES = 8  # a notice block is a few lines; a longer paragraph with line breaks is a poem or code
MAX_LINE_CHARS = 400
# a line that is only a link, perhaps labelled ("链接：https://…", "Link: https://…"): part of the block around it
_LINK_LINE = re.compile(r"^(?:[^\s:：]{1,12}\s*[:：]\s*)?(?:https?://|www\.)\S+$")


def read_lines(
    raw: str, block: Block, scan: Callable[[Block], Verdict], scanned: list[tuple[Block, Verdict]]
) -> Verdict:
    """The verdict for a paragraph read line by line (``raw``: its text with its line breaks).

    Returns a removing verdict (and records each line's block and verdict in ``scanned``) when
    every line is a notice, else a verdict that keeps the paragraph."""
    lines = [collapse(line) for line in raw.split("\n")]
    lines = [line for line in lines if line and any(ch.isalnum() for ch in line)]
    if not 2 <= len(lines) <= MAX_LINES or any(len(line) > MAX_LINE_CHARS for line in lines):
        return Verdict(False, ())
    found: list[tuple[Block, Verdict]] = []
    link_lines: list[tuple[Block, Verdict]] = []  # a labelled link line's own facts ("原文链接：https://host/…")
    for line in lines:
        links = tuple((anchor, href) for anchor, href in block.links if anchor and anchor in line)
        sub = dataclasses.replace(block, text=line, links=links)
        if _LINK_LINE.match(line):
            read = scan(sub)
            if read.remove and read.hits:
                link_lines.append((sub, read))
            continue
        verdict = scan(sub)
        if not verdict.remove:
            return Verdict(False, ())
        found.append((sub, verdict))
    if len(found) < 2 and not (found and link_lines):  # one notice line and bare links: the paragraph's rows read it
        return Verdict(False, ())
    scanned.extend(sorted((*found, *link_lines), key=lambda item: lines.index(item[0].text)))
    return Verdict(True, ())


MAX_RUN = 4  # paragraphs a notice split at the tail may span ("… Attribution." / "- Pas d’Utilisation …" / …)
MAX_RUN_CHARS = 250  # each of them short


def tail_run(
    blocks: list[tuple[Block, Verdict, bool]], scan: Callable[[Block], Verdict]
) -> tuple[int, Block, Verdict] | None:
    """A notice split over the body's last few short paragraphs, read as one: ``(k, block, verdict)``
    when the last ``k`` (2 to :data:`MAX_RUN`) paragraphs, joined, are a notice and nothing else.

    ``blocks`` are the body's paragraphs in order with their verdicts and whether they are kept
    (a removed one may start the run: "Cette œuvre est mise à disposition … Attribution." then
    "- Pas d’Utilisation Commerciale." …). Tried only when the run ends with a kept paragraph; a
    row that covers a whole paragraph (``block``, ``rest``) never joins
    paragraphs, so each joined paragraph is covered by a notice of its own."""
    run: list[tuple[Block, Verdict, bool]] = []
    for item in reversed(blocks):
        if len(run) == MAX_RUN or len(item[0].text) > MAX_RUN_CHARS:
            break
        run.insert(0, item)
    if len(run) < 2 or not run[-1][2]:
        return None
    for k in range(len(run), 1, -1):
        part = run[-k:]
        last = part[-1][0]
        joined = Block(" ".join(b.text for b, _, _ in part), tuple(link for b, _, _ in part for link in b.links),
                       last.index, tail=True)
        verdict = scan(joined)
        if not verdict.hits:
            return None  # no notice in the longest run: none in a shorter one
        if (verdict.remove and covers_all(joined.text, verdict)
                and not any(h.recognizer.scope in ("block", "rest") for h in verdict.hits)):
            return k, joined, verdict
    return None
