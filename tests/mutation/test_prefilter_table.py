"""The recognizer table's pre-check, built fresh in the test (the built-in table's is built once per
process, before mutmut's children start, so only a fresh one runs a mutant of its constructor).

Written against the survivors of issue #21's mutation run over ``attribution/``: the pre-check
must never drop a row whose regex matches, and must drop a row whose required text is absent.
"""

from __future__ import annotations

from syndicate.attribution.notices import Table
from syndicate.attribution.recognizers import Recognizer


def _row(name: str, pattern: str) -> Recognizer:
    return Recognizer(f"en.{name}", "appeal", pattern, "")


ROWS = (
    _row("a-dues", r"reader dues"),
    _row("b-anything", r"^\W*\w+\W*$"),  # requires no literal: always tried
    _row("c-either", r"(?:patreon|paypal)\.com"),
    _row("d-dotless", r"bitte"),
)


def test_the_table_pre_check_keeps_every_row_that_matches_and_only_those_that_may() -> None:
    """Kills the literals' rows built from None, ``lits or ()`` made ``lits and ()`` (no literal indexed),
    and required_literals failing on a regex that requires none."""
    check = Table.of(ROWS).prefilter
    assert check.possible_rows("Support us: READER DUES keep us going") == [0, 1]
    assert check.possible_rows("Give via PayPal.com today") == [1, 2]
    assert check.possible_rows("nothing here") == [1]
    assert check.possible_rows("BİTTE spenden") == [1, 3]  # dotted capital I folds as re.IGNORECASE reads it
    for text in ("Support us: READER DUES", "x patreon.com y", "word", "BİTTE"):
        matching = [i for i, row in enumerate(ROWS) if row.regex.search(text)]
        assert set(matching) <= set(check.possible_rows(text)), text


def test_the_literals_of_a_pattern_never_seen_before() -> None:
    """A compiled pattern the shipped analysis does not hold is read on the spot (each call here a new one:
    the readings are cached per pattern). Kills the shipped analysis looked up for None."""
    import re
    import uuid

    from syndicate.attribution.prefilter import required_literals

    token = uuid.uuid4().hex
    assert required_literals(re.compile(f"reader dues {token}", re.I)) == frozenset({f"reader dues {token}"})
    assert required_literals(re.compile(rf"(?:patreon|paypal)\.com/{token}")) == frozenset(
        {f"patreon.com/{token}", f"paypal.com/{token}"})
