"""Licences by URL and by name, rights claims and how they combine, recognizer rows from a configuration.

Written against the survivors of issue #21's mutation run over ``attribution/``.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from syndicate.attribution.licenses import License, cc_license, conditions_for, from_name, from_url
from syndicate.attribution.rights import RightsClaim, claim_from_config, combine, merge
from syndicate.models import Notice, Rights


def test_licence_urls_with_www_a_port_and_the_public_domain_tools() -> None:
    """Kills ``"www."`` compared as ``"WWW."``, the port dropped, the public-domain kind ignored."""
    url = "https://www.creativecommons.org/licenses/by/4.0/"
    assert from_url(url) == License("CC-BY-4.0", url, ("attribution",))
    assert from_url(" https://WWW.CreativeCommons.org/licenses/BY-SA/3.0/de/ ") == License(
        "CC-BY-SA-3.0-DE", "https://WWW.CreativeCommons.org/licenses/BY-SA/3.0/de/", ("attribution", "share-alike"))
    assert from_url("https://creativecommons.org/licenses/by-nc/3.0/us/").id == "LicenseRef-CC-BY-NC-3.0-US"
    assert from_url("https://creativecommons.org/publicdomain/zero/1.0/").id == "CC0-1.0"
    assert from_url("https://creativecommons.org/publicdomain/mark/1.0/").id == "CC-PDM-1.0"
    assert from_url("https://creativecommons.org/publicdomain/certification/1.0/").id == "CC-PDDC"
    assert from_url("https://creativecommons.org/licenses/xx/4.0/") is None
    assert from_url("http://[bad") is None


def test_licence_urls_that_are_not_creative_commons() -> None:
    url = " http://rightsstatements.org/vocab/NoC-US/1.0/ "
    assert from_url(url) == License("LicenseRef-Public-Domain", url.strip(), ())
    assert from_url("http://www.rightsstatements.org/vocab/InC/1.0") == License(
        "all-rights-reserved", "http://www.rightsstatements.org/vocab/InC/1.0", ("permission-required",))


def test_cc_licence_ids_urls_and_conditions() -> None:
    assert cc_license(["nd", "by"], "4.0") == License(
        "CC-BY-ND-4.0", "https://creativecommons.org/licenses/by-nd/4.0/", ("attribution", "no-derivatives"))
    assert cc_license(["sa"], "3.0", "us") == License(
        "LicenseRef-CC-BY-SA-3.0-US", "https://creativecommons.org/licenses/by-sa/3.0/us/",
        ("attribution", "share-alike"))
    assert cc_license(["by", "nc"], None) == License("LicenseRef-CC-BY-NC", None, ("attribution", "noncommercial"))


def _local(gap: int) -> str:
    """"Creative Commons." then a "licencia …" naming the elements, its start ``gap`` characters after "C"."""
    text = "Creative Commons." + "-" * (gap - 18) + " licencia Reconocimiento-NoComercial 2.5"
    assert text.index("licencia") == gap
    return text


def test_a_licence_in_another_language_counts_only_with_creative_commons_within_80_characters() -> None:
    """Kills the reach made 81 characters (and the start dropped from it)."""
    found = from_name(_local(80))
    assert found is not None and found.id == "CC-BY-NC-2.5"
    assert from_name(_local(81)) is None
    spanish = from_name("Publicado bajo una licencia Reconocimiento-NoComercial 2.5 de Creative Commons")
    assert spanish is not None and spanish.id == "CC-BY-NC-2.5"


def test_a_look_alike_letter_in_a_local_element_name_is_not_an_element() -> None:
    """"ſ" (long s) matches "s" case-insensitively but is no element name once lower-cased: the
    licence is the bare BY one, and nothing raises. Kills ``LOCAL_ELEMENT_NAMES.get(n, "by")`` made ``get(n, None)``."""
    assert from_name("Creative Commons licencia ſin obra derivada").id == "LicenseRef-CC-BY"
    assert from_name("Creative Commons licencia sin obra derivada").id == "LicenseRef-CC-BY-ND"


@pytest.mark.parametrize(
    ("license_id", "conditions"),
    [
        (None, ()),
        ("", ()),
        ("all-rights-reserved", ("permission-required",)),
        ("CC-BY-NC-ND-4.0", ("attribution", "no-derivatives", "noncommercial")),
        ("LicenseRef-CC-BY-SA-3.0-US", ("attribution", "share-alike")),
        ("CC0-1.0", ()),
        ("permission", ()),
    ],
)
def test_conditions_for(license_id: str | None, conditions: tuple[str, ...]) -> None:
    assert conditions_for(license_id) == conditions


def test_configured_terms_as_a_claim() -> None:
    """Kills the licence id read from a configured licence URL dropped."""
    url_only = SimpleNamespace(license=None, license_url="https://creativecommons.org/licenses/by-nd/4.0/")
    assert claim_from_config(url_only) == RightsClaim(
        license="CC-BY-ND-4.0", license_url="https://creativecommons.org/licenses/by-nd/4.0/",
        conditions=("attribution", "no-derivatives"))
    unknown = SimpleNamespace(license=None, license_url="https://example.com/terms")
    assert claim_from_config(unknown) == RightsClaim(license_url="https://example.com/terms")
    full = SimpleNamespace(license="permission", license_url=None, conditions=["link-to-original", "bogus"],
                           holder="Harbor Times", statement="Republish with a link.")
    assert claim_from_config(full) == RightsClaim(license="permission", conditions=("link-to-original",),
                                                  holder="Harbor Times", statement="Republish with a link.")
    assert claim_from_config(None) == RightsClaim()


def test_combine_takes_each_fact_from_the_first_level_that_has_it() -> None:
    """Kills ``statement = statement or level.statement`` made ``statement = None``."""
    rights = combine([
        RightsClaim(holder="A"),
        RightsClaim(license="CC-BY-4.0", conditions=("attribution",), statement="first",
                    notices=(Notice("copyright", "© A"),)),
        RightsClaim(license="CC0-1.0", holder="B", statement="second", notices=(Notice("copyright", "© A"),)),
    ])
    assert rights == Rights(holder="A", statement="first", license="CC-BY-4.0", license_url=None,
                            conditions=("attribution",), notices=(Notice("copyright", "© A"),))
    assert combine([RightsClaim(), RightsClaim(statement="only")]).statement == "only"


def test_merge_with_configured_terms() -> None:
    """Configured terms win; holder, statement from the first copy that has one; notices sorted.
    Kills the holder dropped (both places) and the notices not sorted."""
    notices = (Notice("fair-use", "z"), Notice("copyright", "b"), Notice("copyright", "a"))
    copies = [
        Rights(holder=None, statement=None, license="CC-BY-4.0", conditions=("attribution",), notices=notices[:1]),
        Rights(holder="Other Holder", statement="Other statement", license="CC0-1.0", notices=notices[1:]),
    ]
    merged = merge(copies, [True, False], None)
    assert merged == Rights(holder="Other Holder", statement="Other statement", license="CC-BY-4.0",
                            conditions=("attribution",),
                            notices=(Notice("copyright", "a"), Notice("copyright", "b"), Notice("fair-use", "z")))
    own_holder = merge([Rights(holder="Mine"), copies[1]], [True, False], 1)
    assert own_holder.holder == "Mine" and own_holder.statement == "Other statement"


def test_merge_without_configured_terms() -> None:
    copies = [
        Rights(holder="First", conditions=("noncommercial",)),
        Rights(holder="Second", license="CC-BY-4.0", statement="S", conditions=("attribution",)),
        Rights(license="CC-BY-4.0", license_url="https://creativecommons.org/licenses/by/4.0/"),
    ]
    merged = merge(copies, [False, False, False], None)
    assert merged == Rights(holder="Second", statement="S", license="CC-BY-4.0",
                            license_url="https://creativecommons.org/licenses/by/4.0/",
                            conditions=("attribution", "noncommercial"), notices=())
    assert merge([Rights(holder="First"), Rights()], [False, False], None).holder == "First"
    assert merge([], [], None) == Rights()
