"""Licence names and URLs → SPDX ids and the conditions each licence implies.

Creative Commons licences are recognised by URL (``creativecommons.org/licenses/by-nd/4.0/``)
and by name (``CC BY-NC-SA 4.0``, ``Creative Commons Attribution-NoDerivatives 4.0
International``), every version (1.0–4.0) and port (``3.0/us``). The id is the SPDX id
when SPDX has one (:data:`SPDX_CC_IDS`), else ``LicenseRef-`` + the same spelling
(``LicenseRef-CC-BY-NC-ND-3.0-US``). Elements: BY → attribution, NC → noncommercial,
ND → no-derivatives, SA → share-alike (:data:`ELEMENT_CONDITIONS`).

Other fixed ids: ``CC0-1.0``, ``CC-PDM-1.0`` (public domain mark),
``LicenseRef-Public-Domain`` (a prose "public domain" statement), ``permission`` (a grant in
prose) and ``all-rights-reserved``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

PERMISSION = "permission"
ALL_RIGHTS_RESERVED = "all-rights-reserved"
PUBLIC_DOMAIN = "LicenseRef-Public-Domain"

# SPDX License List ids for Creative Commons licences (spdx.org/licenses)
SPDX_CC_IDS: frozenset[str] = frozenset(
    {
        "CC-BY-1.0", "CC-BY-2.0", "CC-BY-2.5", "CC-BY-2.5-AU", "CC-BY-3.0", "CC-BY-3.0-AT", "CC-BY-3.0-AU",
        "CC-BY-3.0-DE", "CC-BY-3.0-IGO", "CC-BY-3.0-NL", "CC-BY-3.0-US", "CC-BY-4.0",
        "CC-BY-NC-1.0", "CC-BY-NC-2.0", "CC-BY-NC-2.5", "CC-BY-NC-3.0", "CC-BY-NC-3.0-DE", "CC-BY-NC-4.0",
        "CC-BY-NC-ND-1.0", "CC-BY-NC-ND-2.0", "CC-BY-NC-ND-2.5", "CC-BY-NC-ND-3.0", "CC-BY-NC-ND-3.0-DE",
        "CC-BY-NC-ND-3.0-IGO", "CC-BY-NC-ND-4.0",
        "CC-BY-NC-SA-1.0", "CC-BY-NC-SA-2.0", "CC-BY-NC-SA-2.0-DE", "CC-BY-NC-SA-2.0-FR", "CC-BY-NC-SA-2.0-UK",
        "CC-BY-NC-SA-2.5", "CC-BY-NC-SA-3.0", "CC-BY-NC-SA-3.0-DE", "CC-BY-NC-SA-3.0-IGO", "CC-BY-NC-SA-4.0",
        "CC-BY-ND-1.0", "CC-BY-ND-2.0", "CC-BY-ND-2.5", "CC-BY-ND-3.0", "CC-BY-ND-3.0-DE", "CC-BY-ND-4.0",
        "CC-BY-SA-1.0", "CC-BY-SA-2.0", "CC-BY-SA-2.0-UK", "CC-BY-SA-2.1-JP", "CC-BY-SA-2.5", "CC-BY-SA-3.0",
        "CC-BY-SA-3.0-AT", "CC-BY-SA-3.0-DE", "CC-BY-SA-3.0-IGO", "CC-BY-SA-4.0",
        "CC0-1.0", "CC-PDDC", "CC-PDM-1.0",
    }
)  # fmt: skip

ELEMENT_CONDITIONS: dict[str, str] = {
    "by": "attribution",
    "nc": "noncommercial",
    "nd": "no-derivatives",
    "sa": "share-alike",
}
_ELEMENT_ORDER = ("by", "nc", "nd", "sa")

# jurisdiction ports, as written in licence names → the code used in URLs and ids
PORT_NAMES: dict[str, str] = {
    "australia": "au",
    "austria": "at",
    "deutschland": "de",
    "england and wales": "uk",
    "france": "fr",
    "germany": "de",
    "igo": "igo",
    "japan": "jp",
    "netherlands": "nl",
    "united kingdom": "uk",
    "united states": "us",
    "us": "us",
    "usa": "us",
}
# names that mean "no port"
_UNPORTED = ("international", "unported", "generic")

# licence URLs that are not Creative Commons licences → (id, conditions)
OTHER_URLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "rightsstatements.org/vocab/inc/1.0": (ALL_RIGHTS_RESERVED, ("permission-required",)),
    "rightsstatements.org/vocab/noc-us/1.0": (PUBLIC_DOMAIN, ()),
}


@dataclass(frozen=True, slots=True)
class License:
    id: str
    url: str | None
    conditions: tuple[str, ...]


def cc_license(elements: list[str], version: str | None, port: str | None = None) -> License:
    """The licence for CC ``elements`` (e.g. ``["by", "nd"]``), ``version`` ("4.0") and ``port`` ("us")."""
    ordered = [e for e in _ELEMENT_ORDER if e in elements]
    if "by" not in ordered:
        ordered.insert(0, "by")
    code = "-".join(ordered)
    conditions = tuple(sorted(ELEMENT_CONDITIONS[e] for e in ordered))
    if not version:
        return License(f"LicenseRef-CC-{code.upper()}", None, conditions)
    spelled = f"CC-{code.upper()}-{version}" + (f"-{port.upper()}" if port else "")
    license_id = spelled if spelled in SPDX_CC_IDS else f"LicenseRef-{spelled}"
    url = f"https://creativecommons.org/licenses/{code}/{version}/" + (f"{port}/" if port else "")
    return License(license_id, url, conditions)


_CC_PATH = re.compile(r"^/licenses/([a-z-]+)/(\d\.\d)(?:/([a-z]{2,3})(?=/|$))?", re.I)
_PD_PATH = re.compile(r"^/publicdomain/(zero|mark|certification)/(\d\.\d)", re.I)


def from_url(url: str | None) -> License | None:
    """The licence a licence URL names, or None when it is not one we know."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if host.startswith("www."):
        host = host[4:]
    path = parts.path
    if host == "creativecommons.org":
        match = _CC_PATH.match(path)
        if match:
            elements = [e for e in match.group(1).lower().split("-") if e in ELEMENT_CONDITIONS]
            if not elements:
                return None
            port = (match.group(3) or "").lower() or None
            found = cc_license(elements, match.group(2), port)
            return License(found.id, url.strip(), found.conditions)
        match = _PD_PATH.match(path)
        if match:
            kind = match.group(1).lower()
            license_id = {"zero": "CC0-1.0", "mark": "CC-PDM-1.0"}.get(kind, "CC-PDDC")
            return License(license_id, url.strip(), ())
        return None
    key = (host + path.rstrip("/")).lower()
    if key in OTHER_URLS:
        license_id, conditions = OTHER_URLS[key]
        return License(license_id, url.strip(), conditions)
    return None


_VERSION = r"(?:\s*v?(?P<version>\d\.\d))?"
_PORT = r"(?:\s+(?P<port>" + "|".join(sorted((*PORT_NAMES, *_UNPORTED), key=len, reverse=True)) + r"))?"
# "CC BY-SA 4.0", and the version first as CSDN writes it: "CC 4.0 BY-SA"
_SHORT = re.compile(
    r"\bCC[\s-]?(?:(?P<version0>\d\.\d)\s+)?(?P<codes>BY(?:[\s-]+(?:NC|ND|SA)\b){0,2})"
    + r"(?:[\s-]+)?" + _VERSION + _PORT,
    re.I,
)
_LONG_ELEMENT = r"(?:non-?\s?commercial|no-?\s?deriv(?:ative)?s?|no\s+derivative\s+works|share-?\s?alike)"
_LONG = re.compile(
    r"\bcreative\s+commons\s+(?:licen[cs]e\s*[:\-–]?\s*)?attribution(?P<elements>(?:\s*[-–,]?\s*" + _LONG_ELEMENT
    + r"){0,2})(?:\s+(?:licen[cs]e|generic))?" + _VERSION + _PORT,
    re.I,
)
_ZERO = re.compile(
    r"\bCC0\b|\bCC[\s-]zero\b|\bcreative\s+commons\s+(?:zero|cc0)\b|\bpublic\s+domain\s+dedication\b", re.I
)
_PUBLIC_DOMAIN = re.compile(r"\b(?:in|into|to|under|is|are)\s+the\s+public\s+domain\b|\bpublic\s+domain\s+mark\b", re.I)
_CC_GENERIC = re.compile(r"\bcreative\s+commons\b", re.I)

# licence element names as other languages' legal code spells them (the CC translations) → element
LOCAL_ELEMENT_NAMES: dict[str, str] = {
    "署名": "by", "非商业性使用": "nc", "禁止演绎": "nd", "相同方式共享": "sa",
    "reconocimiento": "by", "atribución": "by", "nocomercial": "nc", "no comercial": "nc",
    "sinobraderivada": "nd", "sin obra derivada": "nd", "sinderivadas": "nd", "sin derivadas": "nd",
    "compartirigual": "sa", "compartir igual": "sa",
    "pas d'utilisation commerciale": "nc", "pas de modification": "nd",
    "partage dans les mêmes conditions": "sa",
    "namensnennung": "by", "nicht kommerziell": "nc", "nicht-kommerziell": "nc", "keine bearbeitungen": "nd",
    "keine bearbeitung": "nd", "weitergabe unter gleichen bedingungen": "sa",
    "attribution": "by", "pas d’utilisation commerciale": "nc",
    "attribuzione": "by", "non commerciale": "nc", "non opere derivate": "nd", "condividi allo stesso modo": "sa",
    "atribuição": "by", "nãocomercial": "nc", "não comercial": "nc", "semderivações": "nd", "sem derivações": "nd",
    "compartilhaigual": "sa", "compartilha igual": "sa",
}  # fmt: skip
_LOCAL_ELEMENT = "|".join(re.escape(name) for name in sorted(LOCAL_ELEMENT_NAMES, key=len, reverse=True))
# a licence's elements in another language, after "Creative Commons" / "知识共享" or the language's word for
# "licence" ("bajo una licencia Reconocimiento–NoComercial 2.5 … de Creative Commons", "Lizenz vom Typ …")
_LOCAL = re.compile(
    r"(?:知识共享|creative\s+commons|\blicen[cç][ie]?a\b|\blicenza\b|\blicence\b|\blizenz\b)\s*[「“(（]?\s*"
    r"(?:licen[cs][ei]a\s+|licence\s+|lizenz\s+)?(?:vom typ\s+)?"
    rf"(?P<elements>(?:{_LOCAL_ELEMENT})(?:\s*[-–—－,]\s*(?:{_LOCAL_ELEMENT}))*)" + _VERSION,
    re.I,
)
_LOCAL_NAME = re.compile(_LOCAL_ELEMENT, re.I)


def _elements_from_long(text: str) -> list[str]:
    lowered = text.lower()
    elements = ["by"]
    if "commercial" in lowered:
        elements.append("nc")
    if "deriv" in lowered:
        elements.append("nd")
    if "share" in lowered:
        elements.append("sa")
    return elements


def from_name(text: str | None) -> License | None:
    """The licence a piece of prose names (the first one), or None.

    ``"Creative Commons"`` alone (no variant) is not enough for an id: None.
    """
    if not text:
        return None
    if ". -" in text or ". –" in text:  # a licence's elements written one a line ("Attribution." / "- Pas d’…")
        text = re.sub(r"\.\s+(?=[-–]\s)", " ", text)
    candidates: list[tuple[int, int, License]] = []  # (start, -length, licence): the first, then the longest
    for match in _SHORT.finditer(text):
        elements = [e.lower() for e in re.split(r"[\s-]+", match.group("codes")) if e]
        version = match.group("version") or match.group("version0")
        license_ = cc_license(elements, version, _port(match.group("port")))
        candidates.append((match.start(), -len(match.group(0)), license_))
    for match in _LONG.finditer(text):
        elements = _elements_from_long(match.group("elements") or "")
        license_ = cc_license(elements, match.group("version"), _port(match.group("port")))
        candidates.append((match.start(), -len(match.group(0)), license_))
    for match in _LOCAL.finditer(text):
        # the element names themselves ("Nicht-kommerziell" holds a hyphen, so no splitting on hyphens)
        names = [found.group(0).lower() for found in _LOCAL_NAME.finditer(match.group("elements"))]
        elements = ["by", *(LOCAL_ELEMENT_NAMES[n] for n in names if LOCAL_ELEMENT_NAMES.get(n, "by") != "by")]
        start = match.start()
        # "licencia …" (not "Creative Commons …") counts only with "Creative Commons" near it
        near_cc = _CC_GENERIC.search(text, max(0, start - 80), match.end() + 80)
        if not re.match(r"(?:知识共享|creative)", match.group(0), re.I) and not near_cc:
            continue
        candidates.append((start, -len(match.group(0)), cc_license(elements, match.group("version"), None)))
    for match in _ZERO.finditer(text):
        zero = License("CC0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/", ())
        candidates.append((match.start(), 0, zero))
    for match in _PUBLIC_DOMAIN.finditer(text):
        candidates.append((match.start(), 0, License(PUBLIC_DOMAIN, None, ())))
    if not candidates:
        return None
    return min(candidates, key=lambda item: (item[0], item[1]))[2]


def mentions_creative_commons(text: str) -> bool:
    return bool(_CC_GENERIC.search(text))


def _port(name: str | None) -> str | None:
    if not name:
        return None
    return PORT_NAMES.get(name.lower())


def conditions_for(license_id: str | None) -> tuple[str, ...]:
    """The conditions a licence id implies (for configured terms that name only a licence)."""
    if not license_id:
        return ()
    if license_id == ALL_RIGHTS_RESERVED:
        return ("permission-required",)
    bare = license_id.removeprefix("LicenseRef-")
    if bare.upper().startswith("CC-BY"):
        parts = bare.lower().split("-")
        return tuple(sorted(ELEMENT_CONDITIONS[p] for p in set(parts) if p in ELEMENT_CONDITIONS))
    return ()
