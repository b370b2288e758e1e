"""News agencies (wires) as data, and the recognizer rows built from them.

``agencies.toml`` beside this module lists the agencies (AFP, Reuters, EFE, ANSA, dpa, Xinhua/新华社,
Lusa, Agência Brasil…) with the names they are credited by. Three shapes of credit are read at the
end of a body, in any language, without a verb:

- in brackets, with or without a lead-in: "(EFE)", "(mit Material von dpa)", "(avec AFP)",
  "（来源：新华社）", "(Con información de EFE)";
- with a lead-in and no brackets: "Con información de EFE.", "Com informações da Agência Brasil.",
  "Mit Material von dpa", "With reporting from AFP", "Quelle: dpa", "来源：新华社";
- the agency's name alone after the last sentence: "… não participam da reunião. EFE".

The same list lets the facts reader see a wire in other notices: a copyright line whose holder is an
agency ("Copyright 2014 AP. All rights reserved.") and a byline whose affiliation is one
("Article By A and B, Reuters") give the agency as the original publisher too.
"""

from __future__ import annotations

import re
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

from syndicate.normalize.text import fold

AGENCIES_FILE = Path(__file__).with_name("agencies.toml")

# lead-ins before an agency's name, in the seven languages (bracketed credits may also use "avec"/"with")
_LEAD_INS = (
    r"con\s+informaci[oó]n(?:es)?\s+de", r"con\s+datos\s+de", r"fuente\s*[:：]",
    r"com\s+informa[cç][oõ]es\s+d[aoe]s?", r"fonte\s*[:：]",
    r"mit\s+material\s+(?:von|der|des)", r"quelle\s*[:：]",
    r"with\s+(?:additional\s+)?reporting\s+(?:from|by)", r"with\s+(?:files|wires)\s+from", r"source\s*[:：]",
    r"来源\s*[:：]", r"來源\s*[:：]",
)
# lead-ins read only in brackets: alone they are prose ("Il a parlé avec AFP")
_BRACKET_LEAD_INS = (r"avec\s+(?:l[’']\s*)?", r"d[’']apr[eè]s\s+", r"with\s+")
# a "read more" label glued after a bracketed credit, with the headlines it lists: "(Con información de AFP y EFE)SEGUIR
# LEYENDO:Elon Musk habló …" (Infobae)
_READ_MORE = (r"seguir leyendo|leer m[aá]s|lea tambi[eé]n|lee tambi[eé]n|leia tamb[eé]m|leia mais|lire aussi|read more|"
              r"weiterlesen|leggi anche")
_ARTICLE = (r"(?:(?:la|el|the|der|die|da|do|das|dos|del|l[’'])\s*)?"
            r"(?:(?:agencia|agência|agenzia|agence|nachrichtenagentur|news\s+agency)\s+)?")


@cache
def _data() -> tuple[tuple[str, tuple[str, ...]], ...]:
    with AGENCIES_FILE.open("rb") as handle:
        data: dict[str, Any] = tomllib.load(handle)
    return tuple((str(a["publisher"]), tuple(str(n) for n in a["names"])) for a in data.get("agency", ()))


def _names() -> list[str]:
    # longest first (a name before its prefix), ties by name: the same pattern in every process
    return sorted({name for _, names in _data() for name in names}, key=lambda name: (-len(name), name))


@cache
def _folded() -> dict[str, str]:
    """Every name an agency goes by (folded, and "the …"/short forms) → the name it is recorded by."""
    found = {fold(name): publisher for publisher, names in _data() for name in names}
    found.update({fold("AP"): "AP", fold("The Associated Press"): "AP"})
    return found


def publisher_of(name: str | None) -> str | None:
    """The agency a name (a copyright holder, a byline's affiliation) is, or None."""
    if not name:
        return None
    return _folded().get(fold(re.sub(r"(?i)^the\s+", "", name.strip(" .,;:"))))


def rows() -> list[dict[str, Any]]:
    """The recognizer rows (as a phrases file's ``[[row]]`` tables) built from the list."""
    names = "|".join(re.escape(n) for n in _names())
    agency = rf"(?-i:{names})"
    more = rf"(?:\s*(?:/|,|&|\band\b|\by\b|\be\b|\bund\b|\bet\b)\s*{agency})*"
    free = "|".join(_LEAD_INS)
    bracketed = "|".join((*_LEAD_INS, *_BRACKET_LEAD_INS))
    return [
        {"id": "wire-credit.bracket", "kind": "attribution", "scope": "clause", "where": "tail",
         "pattern": rf"[(（]\s*(?:(?:{bracketed})\s*)?{_ARTICLE}(?P<publisher>{agency}){more}\s*[)）]"
                    rf"(?:\s*(?:{_READ_MORE})\s*:.{{1,600}})?[\s.。]*$",
         "example": "Il a été retrouvé vivant dimanche. (avec AFP)"},
        {"id": "wire-credit.lead-in", "kind": "attribution", "scope": "clause", "where": "tail",
         "pattern": rf"(?:^|(?<=[\s.。]))(?:{free})\s*{_ARTICLE}(?P<publisher>{agency}){more}[\s.。]*$",
         "example": "La CIDH reafirmó su compromiso. Con información de EFE."},
        {"id": "wire-credit.name-alone", "kind": "attribution", "scope": "clause", "where": "tail",
         "pattern": rf"(?:^|(?<=[.!?。”\"»]\s))(?P<publisher>{agency}){more}[\s.]*$",
         "example": "As autoridades do Paraguai não participam da reunião. EFE"},
    ]
