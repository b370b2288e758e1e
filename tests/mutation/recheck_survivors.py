"""Re-check the survivors of the last ``mutmut run`` against the tests as they are now.

mutmut records which tests reach a function when it starts; tests written afterwards (to kill its
survivors) are not picked for a mutant until a new, long run. This runs each survivor of
``mutants/`` against the given test files straight away: the mutated copy in ``mutants/`` obeys
``MUTANT_UNDER_TEST``, so no re-generation is needed.

    .venv/bin/python tests/mutation/recheck_survivors.py [--untested] PREFIX TEST_FILE...
    # e.g. PREFIX syndicate.crosspost.ledger with tests/mutation/test_ledger_rows.py

``--in-process`` runs them all in this one Python process (mutmut's trampoline reads
``MUTANT_UNDER_TEST`` at every call), seconds faster per mutant: the mutated function's cache, if
it has one, is cleared before each mutant.

``--untested`` also runs the mutants no test of the selection reached when the run started ("no
tests"): the mutants of a function the new tests are the first to call.

``--names FILE``: run the mutants listed in FILE (one a line) whatever their result, e.g. every
mutant of one function (``grep -o`` over its ``.py.meta``), none of them run by ``mutmut`` yet.

Only the tests named after the mutated function run (``KEYWORDS``; all of them for a function
not listed), so that a survivor costs seconds. Prints one line per survivor and the totals.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MUTANTS = ROOT / "mutants"


# mutated function -> the tests (pytest -k) written for it in tests/mutation
KEYWORDS = {
    "x_take_over": "take_over", "x_sent_within": "sent_within", "x_due_ids": "due_ids",
    "x_left_behind": "left_behind", "x_orphaned": "left_behind",
    "x_count_states": "count_states", "x_counts_by_target": "counts_by_target",
    "x_keep_sending": "keep_sending", "x_finish": "finish", "x_claim": "claim", "x_fail": "fail",
    "x_list_deliveries": "list_deliveries", "x_release": "release",
    "x_decide_by_hand": "release", "x_back_to_pending": "back_to_pending",
    "x_as_utc": "as_utc", "x__iso": "iso", "x_row_json": "row_json", "x_utcnow": "release_without",
    "x__grants": "agreement", "x_decide": "withdrawn_article",
}


SURVIVED, NO_TESTS = 0, 33  # mutmut's exit codes in mutants/**/*.py.meta


def survivors(codes: tuple[int, ...] = (SURVIVED,)) -> list[str]:
    found = []
    for meta in sorted(MUTANTS.glob("syndicate/**/*.py.meta")):
        data = json.loads(meta.read_text(encoding="utf-8"))
        found += [name for name, code in data["exit_code_by_key"].items() if code in codes]
    return found


def _in_process(name: str, test_files: list[str], select: list[str]) -> bool:
    """Run the tests against one mutant here; True when they fail (the mutant is killed)."""
    import importlib

    import pytest

    module_name, function = name.rsplit(".", 1)
    function = function.rsplit("__mutmut_", 1)[0].removeprefix("x_")
    os.environ["MUTANT_UNDER_TEST"] = name
    try:
        module = importlib.import_module(module_name)
        original = getattr(module, function.split("ǁ")[0], None)
        if hasattr(original, "cache_clear"):
            original.cache_clear()
        code = pytest.main(["-x", "-q", "-p", "no:cacheprovider", "--no-header", "--no-summary", "--tb=no", *select,
                            *test_files])
    finally:
        os.environ["MUTANT_UNDER_TEST"] = ""
        if hasattr(original, "cache_clear"):
            original.cache_clear()
    return code != 0


def main(
    prefix: str, test_files: list[str], *, untested: bool = False, in_process: bool = False, listed: str | None = None
) -> int:
    for name in test_files:  # the tests as they are now, beside the mutated code
        target = MUTANTS / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target)
    shutil.copy2(ROOT / "tests" / "crosspost" / "crosspost_helpers.py", MUTANTS / "tests" / "crosspost")
    killed = 0
    codes = (SURVIVED, NO_TESTS) if untested else (SURVIVED,)
    chosen = Path(listed).read_text(encoding="utf-8").split() if listed else survivors(codes)
    names = [name for name in chosen if name.startswith(prefix)]
    if in_process:
        os.chdir(MUTANTS)
        sys.path.insert(0, str(MUTANTS))
    for name in names:
        function = name.rsplit(".", 1)[1].rsplit("__mutmut_", 1)[0]
        select = ["-k", KEYWORDS[function]] if function in KEYWORDS else []
        if in_process:
            failed = _in_process(name, test_files, select)
        else:
            env = {**os.environ, "MUTANT_UNDER_TEST": name, "PYTHONPATH": str(MUTANTS)}
            done = subprocess.run(
                [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *select, *test_files],
                cwd=MUTANTS, env=env, capture_output=True, text=True, timeout=600,
            )
            failed = done.returncode != 0
        verdict = "killed" if failed else "survives"
        killed += failed
        print(f"{verdict:8} {name}", flush=True)
    print(f"{killed} of {len(names)} {'mutants' if listed else 'survivors'} killed by {' '.join(test_files)}")
    return 0


if __name__ == "__main__":
    arguments = sys.argv[1:]
    untested, in_process = "--untested" in arguments, "--in-process" in arguments
    listed = None
    if "--names" in arguments:
        at = arguments.index("--names")
        listed = arguments[at + 1]
        del arguments[at : at + 2]
    arguments = [a for a in arguments if a not in ("--untested", "--in-process")]
    raise SystemExit(main(arguments[0], arguments[1:], untested=untested, in_process=in_process, listed=listed))
