"""Make hostile XML harmless before any parser sees it.

feedparser 6.0.14 expands internal entities (its loose parser re-declares any
"safe" entity, so one 50 KB entity referenced thousands of times became 100 M
characters), and expat still honours internal subsets. So the DOCTYPE is
rewritten here, on the bytes:

* the external identifier (``SYSTEM "file:///etc/passwd"``) is dropped: no
  parser is ever told where an external DTD lives;
* parameter entities, external entities (SYSTEM/PUBLIC), unparsed entities and
  entities whose value refers to other entities are dropped (billion laughs,
  XXE);
* small literal entities survive only while their total expansion (value length
  × references) stays under :data:`ENTITY_EXPANSION_BUDGET` (quadratic blowup);
* a document in an encoding that is not ASCII-compatible (UTF-16/32, EBCDIC,
  UTF-7 …) is first transcoded to UTF-8 so that the byte-level scan can see its
  DOCTYPE at all.

Undefined entity references left behind make the document ill-formed; feedparser
then reports it as bozo and falls back to its loose parser, which does not
expand them. That is the intended outcome.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024  # larger bodies are refused outright
MAX_ENTRIES = 5_000  # entries kept per document; the rest are dropped with a warning
MAX_CONTENT_CHARS = 2 * 1024 * 1024  # per content/summary field
ENTITY_EXPANSION_BUDGET = 1_000_000  # characters all kept entities may add, in total
MAX_ENTITY_VALUE = 1_024  # characters; a longer literal entity is dropped

_PROBE = "<!DOCTYPE x [<!ENTITY"
_NAME = re.compile(rb"[A-Za-z_:][-A-Za-z0-9._:]*")
_WS = b" \t\r\n"
_ENCODING_DECL = re.compile(rb"""^(\s*<\?xml[^>]*?\bencoding\s*=\s*)(["'])[^"']*\2""")
_CHARSET = re.compile(r"""(?i)\bcharset\s*=\s*["']?\s*([^"';\s]+)""")

# leading bytes -> codec, for documents that are not ASCII-compatible (XML 1.0 appendix F)
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"\x00\x00\xfe\xff", "utf-32-be"),
    (b"\xff\xfe\x00\x00", "utf-32-le"),
    (b"\xfe\xff", "utf-16-be"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00<", "utf-16-be"),
    (b"<\x00", "utf-16-le"),
    (b"\x4c\x6f\xa7\x94", "cp037"),  # '<?xm' in EBCDIC
)
_BOM_LENGTH = {b"\x00\x00\xfe\xff": 4, b"\xff\xfe\x00\x00": 4, b"\xfe\xff": 2, b"\xff\xfe": 2}


@dataclass
class Hardened:
    """The bytes and headers to hand to a parser, and what was changed on the way."""

    body: bytes
    headers: dict[str, str]
    warnings: list[str] = field(default_factory=list)


def harden_xml(body: bytes, headers: dict[str, str]) -> Hardened:
    """``body`` made safe to parse: ASCII-compatible bytes and a defused DOCTYPE."""
    result = Hardened(body=body, headers=dict(headers))
    _transcode(result)
    result.body, notes = neutralize_doctype(result.body)
    result.warnings.extend(notes)
    _repair_utf8(result)
    result.body = _drop_control_bytes(result.body, _declared_encoding(result))
    result.body = drop_invalid_char_refs(result.body)
    return result


# --------------------------------------------------------------------------
# encodings
# --------------------------------------------------------------------------


def _http_charset(headers: dict[str, str]) -> str | None:
    match = _CHARSET.search(headers.get("content-type", ""))
    return match.group(1).lower() if match else None


def _ascii_compatible(codec: str) -> bool:
    try:
        codecs.lookup(codec)
        return _PROBE.encode(codec) == _PROBE.encode("ascii")
    except (LookupError, UnicodeError, ValueError):
        return True  # unknown to Python: leave it to feedparser


def _sniff_codec(body: bytes) -> tuple[str | None, int]:
    """(codec, BOM length) when the leading bytes show a non-ASCII-compatible encoding."""
    head = body.lstrip(b" \t\r\n") if body[:1] in (b" ", b"\t", b"\r", b"\n") else body
    if head[:3] == b"\xef\xbb\xbf":
        return None, 0
    for signature, codec in _SIGNATURES:
        if body.startswith(signature):
            return codec, _BOM_LENGTH.get(signature, 0)
    if head[:1] == b"<" and head[1:2] not in (b"\x00", b""):
        return None, 0  # plainly ASCII-compatible, whatever the header says
    return "", 0  # inconclusive


def _transcode(result: Hardened) -> None:
    codec, bom = _sniff_codec(result.body)
    if codec is None:
        _drop_impossible_declarations(result)
        return
    if codec == "":
        declared = _http_charset(result.headers)
        codec = declared if declared and not _ascii_compatible(declared) else None
    if not codec:
        return
    try:
        text = result.body[bom:].decode(codec, errors="replace")
    except LookupError:
        return
    data = text.encode("utf-8", errors="replace")
    result.body = _ENCODING_DECL.sub(rb"\1\2utf-8\2", data, count=1)
    content_type = result.headers.get("content-type", "application/xml")
    content_type = _CHARSET.sub("", content_type).rstrip("; ") or "application/xml"
    result.headers["content-type"] = content_type + "; charset=utf-8"


def _declared_encoding(result: Hardened) -> str:
    """The charset the HTTP header or the XML declaration names ('' when neither does)."""
    declared = _http_charset(result.headers)
    if declared:
        return declared
    match = _XML_DECL_ENCODING.match(result.body)
    return match.group(1).decode("ascii", "replace").lower() if match else ""


_XML_DECL_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?\bencoding\s*=\s*["']([A-Za-z0-9._:-]+)["']""")
_UTF8_MULTIBYTE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|\xe0[\xa0-\xbf][\x80-\xbf]|[\xe1-\xec\xee\xef][\x80-\xbf]{2}"
    rb"|\xed[\x80-\x9f][\x80-\xbf]|\xf0[\x90-\xbf][\x80-\xbf]{2}|[\xf1-\xf3][\x80-\xbf]{3}|\xf4[\x80-\x8f][\x80-\xbf]{2}"
)


def _repair_utf8(result: Hardened) -> None:
    """Replace invalid byte sequences in a UTF-8 document that is mostly valid UTF-8.

    feedparser would otherwise re-read the whole document as windows-1252 and
    garble every correct character. A document without a single valid multi-byte
    sequence is left alone: it is probably windows-1252 mislabelled as UTF-8,
    which feedparser's fallback reads correctly.
    """
    declared = _declared_encoding(result).replace("_", "-")
    if declared not in ("", "utf-8", "utf8"):
        return
    try:
        result.body.decode("utf-8")
        return
    except UnicodeDecodeError:
        pass
    if not _UTF8_MULTIBYTE.search(result.body):
        return
    text = result.body.decode("utf-8", errors="replace")
    bad = text.count("\ufffd") - result.body.count(b"\xef\xbf\xbd")
    result.body = text.encode("utf-8")
    result.warnings.append(f"replaced {bad} invalid UTF-8 sequence(s)")


_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1a\x1c-\x1f]")
_CONTROL_BYTES_WITH_ESC = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def _drop_control_bytes(body: bytes, encoding: str) -> bytes:
    """Remove raw C0 control bytes (never allowed in XML) so the strict parser can still read the rest.

    ESC is kept for ISO-2022 encodings, which need it.
    """
    pattern = _CONTROL_BYTES if "2022" in encoding else _CONTROL_BYTES_WITH_ESC
    return pattern.sub(b"", body)


_CHAR_REF_ANY = re.compile(rb"&#(?:[xX]([0-9A-Fa-f]{1,16})|([0-9]{1,20}));")


def _allowed_codepoint(code: int) -> bool:
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF


def _char_ref(match: re.Match[bytes]) -> bytes:
    code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
    return match.group(0) if _allowed_codepoint(code) else b""


def drop_invalid_char_refs(body: bytes) -> bytes:
    """Remove character references to code points XML forbids (surrogates, C0 controls, > U+10FFFF).

    feedparser's loose parser would crash on ``&#xD800;`` or emit the control character.
    """
    if b"&#" not in body:
        return body
    return _CHAR_REF_ANY.sub(_char_ref, body)


def _drop_impossible_declarations(result: Hardened) -> None:
    """Bytes that plainly start with ASCII '<' cannot be UTF-16/32: a declaration saying so is a lie.

    Such feeds (UTF-8 labelled UTF-16) exist; feedparser would decode them as
    UTF-16 and find nothing. The XML declaration and the header are set to UTF-8.
    """
    match = _XML_DECL_ENCODING.match(result.body)
    declared = match.group(1).decode("ascii", "replace") if match else ""
    http = _http_charset(result.headers) or ""
    if declared and not _ascii_compatible(declared):
        result.body = _ENCODING_DECL.sub(rb"\1\2utf-8\2", result.body, count=1)
        result.warnings.append(f"document declared as {declared}, but is not; read as UTF-8")
    if http and not _ascii_compatible(http):
        content_type = _CHARSET.sub("", result.headers.get("content-type", "")).rstrip("; ") or "application/xml"
        result.headers["content-type"] = content_type + "; charset=utf-8"
        result.warnings.append(f"served as {http}, but is not; read as UTF-8")


# --------------------------------------------------------------------------
# DOCTYPE
# --------------------------------------------------------------------------


def neutralize_doctype(body: bytes) -> tuple[bytes, list[str]]:
    """``body`` with every prolog DOCTYPE replaced by a harmless one, and what was dropped."""
    warnings: list[str] = []
    offset = 0
    for _ in range(16):  # several DOCTYPEs is already hostile; never loop for long
        span = _find_prolog_doctype(body, offset)
        if span is None:
            break
        start, end = span
        replacement, dropped = _rebuild_doctype(body[start:end], body[end:])
        if dropped:
            warnings.append(f"DOCTYPE: ignored {dropped} unsafe entity declaration(s)")
        body = body[:start] + replacement + body[end:]
        offset = start + len(replacement)
    return _strip_stray_entities(body, offset, warnings), warnings


def _find_prolog_doctype(body: bytes, offset: int = 0) -> tuple[int, int] | None:
    """The span of the first ``<!DOCTYPE`` at or after ``offset`` before the root element, if any."""
    i, n = offset, len(body)
    while i < n:
        j = body.find(b"<", i)
        if j < 0:
            return None
        if body.startswith(b"<?", j):
            k = body.find(b"?>", j + 2)
            i = n if k < 0 else k + 2
        elif body.startswith(b"<!--", j):
            k = body.find(b"-->", j + 4)
            i = n if k < 0 else k + 3
        elif body[j + 1 : j + 9].upper() == b"!DOCTYPE":
            return j, _doctype_end(body, j)
        elif _NAME.match(body, j + 1):
            return None  # the root element: the prolog is over
        else:
            i = j + 1
    return None


def _doctype_end(body: bytes, start: int) -> int:
    """Index just after the DOCTYPE starting at ``start`` (quotes and the internal subset skipped)."""
    i, n, in_subset = start + 9, len(body), False
    while i < n:
        c = body[i : i + 1]
        if c in (b'"', b"'"):
            k = body.find(c, i + 1)
            if k < 0:
                break
            i = k + 1
        elif in_subset and body.startswith(b"<!--", i):
            k = body.find(b"-->", i + 4)
            if k < 0:
                break
            i = k + 3
        elif c == b"[":
            in_subset = True
            i += 1
        elif c == b"]":
            in_subset = False
            i += 1
        elif c == b">" and not in_subset:
            return i + 1
        else:
            i += 1
    # unterminated: end at the last "]>" if there is one, else at the first ">"
    close = body.rfind(b"]>", start)
    if close >= 0:
        return close + 2
    first = body.find(b">", start)
    return n if first < 0 else first + 1


_ENTITY_DECL = re.compile(rb"<!ENTITY\s+(%\s*)?([A-Za-z_:][-A-Za-z0-9._:]*)\s+(.*)>\Z", re.S)
_LITERAL = re.compile(rb"""^(?:"([^"]*)"|'([^']*)')\s*\Z""", re.S)
_CHAR_REF = re.compile(rb"^&#(?:x[0-9A-Fa-f]{1,6}|[0-9]{1,7});\Z")


def _rebuild_doctype(doctype: bytes, rest: bytes) -> tuple[bytes, int]:
    """A DOCTYPE keeping only the root name and the safe literal entities; plus how many were dropped."""
    name_match = _NAME.match(doctype, 9 + len(doctype[9:]) - len(doctype[9:].lstrip(_WS)))
    root = name_match.group(0) if name_match else b"rss"
    kept: list[tuple[bytes, bytes]] = []
    dropped = 0
    budget = ENTITY_EXPANSION_BUDGET
    for decl in _subset_declarations(doctype):
        if not decl.upper().startswith(b"<!ENTITY"):
            continue
        match = _ENTITY_DECL.match(decl)
        literal = _LITERAL.match(match.group(3)) if match else None
        if not match or match.group(1) or not literal:
            dropped += 1  # parameter, external, unparsed or malformed
            continue
        name = match.group(2)
        value = literal.group(1) if literal.group(1) is not None else literal.group(2)
        safe_text = not any(c in value for c in (b"&", b"%", b"<", b">", b"]", b'"'))
        if not (safe_text or _CHAR_REF.match(value)) or len(value) > MAX_ENTITY_VALUE:
            dropped += 1
            continue
        cost = max(len(value), 1) * rest.count(b"&" + name + b";")
        if cost > budget:
            dropped += 1
            continue
        budget -= cost
        kept.append((name, value))
    if not kept:
        return b"", dropped
    lines = b"".join(b"<!ENTITY " + name + b' "' + value + b'">\n' for name, value in kept)
    # on a line of its own: feedparser only recognises a DOCTYPE at the start of a line
    return b"\n<!DOCTYPE " + root + b" [\n" + lines + b"]>", dropped


def _subset_declarations(doctype: bytes) -> list[bytes]:
    """The markup declarations of a DOCTYPE's internal subset (comments and PIs skipped)."""
    open_at = _subset_start(doctype)
    if open_at < 0:
        return []
    out: list[bytes] = []
    i, n = open_at + 1, len(doctype)
    while i < n:
        if doctype.startswith(b"<!--", i):
            k = doctype.find(b"-->", i + 4)
            i = n if k < 0 else k + 3
        elif doctype.startswith(b"<?", i):
            k = doctype.find(b"?>", i + 2)
            i = n if k < 0 else k + 2
        elif doctype.startswith(b"<!", i):
            k = _declaration_end(doctype, i)
            out.append(doctype[i:k])
            i = k
        elif doctype[i : i + 1] == b"]":
            break
        else:
            i += 1
    return out


def _subset_start(doctype: bytes) -> int:
    i, n = 9, len(doctype)
    while i < n:
        c = doctype[i : i + 1]
        if c in (b'"', b"'"):
            k = doctype.find(c, i + 1)
            if k < 0:
                return -1
            i = k + 1
        elif c == b"[":
            return i
        else:
            i += 1
    return -1


def _declaration_end(data: bytes, start: int) -> int:
    i, n = start + 2, len(data)
    while i < n:
        c = data[i : i + 1]
        if c in (b'"', b"'"):
            k = data.find(c, i + 1)
            if k < 0:
                return n
            i = k + 1
        elif c == b">":
            return i + 1
        else:
            i += 1
    return n


_STRAY_ENTITY = re.compile(rb"(?i)<!ENTITY[^>]*>")


def _strip_stray_entities(body: bytes, offset: int, warnings: list[str]) -> bytes:
    """Entity declarations after the last DOCTYPE but before the root element (invalid, but parsers look)."""
    root = re.compile(rb"<[A-Za-z_:]").search(body, offset)
    end = root.start() if root else len(body)
    head = body[offset:end]
    if b"<!ENTITY" not in head.upper():
        return body
    head, count = _STRAY_ENTITY.subn(b"", head)
    if count:
        warnings.append(f"ignored {count} entity declaration(s) outside a DOCTYPE")
    return body[:offset] + head + body[end:]
