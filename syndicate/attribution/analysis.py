"""Write :data:`syndicate.attribution.prefilter.ANALYSIS_FILE`: the pre-check's readings of the built-in
rows' regexes, so that a process does not parse them all again at start-up.

    python -m syndicate.attribution.analysis            # after changing phrases/*.toml or the agencies
"""

from __future__ import annotations

import json
from typing import Any

from syndicate.attribution import prefilter
from syndicate.attribution.recognizers import RECOGNIZERS


def built_in_analysis() -> dict[str, Any]:
    """Each built-in row's regex → its readings, computed now."""
    return {prefilter.analysis_key(row.source): prefilter.analyse(row.source) for row in RECOGNIZERS}  # none compiled


def main() -> None:
    found = built_in_analysis()
    dump = json.dumps
    lines = (f"{dump(k, ensure_ascii=False)}: {dump(v, ensure_ascii=False)}" for k, v in sorted(found.items()))
    text = "{\n" + ",\n".join(lines) + "\n}\n"  # one row a line
    prefilter.ANALYSIS_FILE.write_text(text, encoding="utf-8")
    print(f"{prefilter.ANALYSIS_FILE}: {len(found)} rows")


if __name__ == "__main__":
    main()
