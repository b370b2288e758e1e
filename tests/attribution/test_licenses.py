"""Licence names and URLs → SPDX ids and conditions."""

from __future__ import annotations

import pytest

from syndicate.attribution.licenses import conditions_for, from_name, from_url

URLS = [
    ("https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0", ("attribution",)),
    ("http://creativecommons.org/licenses/by-sa/3.0/", "CC-BY-SA-3.0", ("attribution", "share-alike")),
    ("https://creativecommons.org/licenses/by-nc/2.5/", "CC-BY-NC-2.5", ("attribution", "noncommercial")),
    ("https://creativecommons.org/licenses/by-nd/2.0/", "CC-BY-ND-2.0", ("attribution", "no-derivatives")),
    ("https://creativecommons.org/licenses/by-nc-sa/4.0/deed.en", "CC-BY-NC-SA-4.0",
     ("attribution", "noncommercial", "share-alike")),
    ("http://creativecommons.org/licenses/by-nc-nd/3.0/us/", "LicenseRef-CC-BY-NC-ND-3.0-US",
     ("attribution", "no-derivatives", "noncommercial")),
    ("http://creativecommons.org/licenses/by/3.0/us/", "CC-BY-3.0-US", ("attribution",)),
    ("http://creativecommons.org/licenses/by-nc-sa/2.0/uk/", "CC-BY-NC-SA-2.0-UK",
     ("attribution", "noncommercial", "share-alike")),
    ("http://creativecommons.org/licenses/by-nd-nc/1.0/", "CC-BY-NC-ND-1.0",
     ("attribution", "no-derivatives", "noncommercial")),
    ("https://creativecommons.org/publicdomain/zero/1.0/", "CC0-1.0", ()),
    ("https://creativecommons.org/publicdomain/mark/1.0/", "CC-PDM-1.0", ()),
    ("http://rightsstatements.org/vocab/InC/1.0/", "all-rights-reserved", ("permission-required",)),
]


@pytest.mark.parametrize(("url", "spdx", "conditions"), URLS)
def test_license_urls(url: str, spdx: str, conditions: tuple[str, ...]) -> None:
    found = from_url(url)
    assert found is not None
    assert (found.id, found.conditions) == (spdx, conditions)


@pytest.mark.parametrize("url", ["https://example.com/license", "", "not a url", "https://creativecommons.org/about/"])
def test_unknown_urls(url: str) -> None:
    assert from_url(url) is None


NAMES = [
    ("Creative Commons Attribution-NoDerivatives 4.0 International", "CC-BY-ND-4.0"),
    ("licensed CC BY 4.0", "CC-BY-4.0"),
    ("CC-BY-NC-SA-4.0", "CC-BY-NC-SA-4.0"),
    ("cc by-nc-nd 3.0", "CC-BY-NC-ND-3.0"),
    ("Creative Commons Attribution-NonCommercial-NoDerivs 3.0 United States License", "LicenseRef-CC-BY-NC-ND-3.0-US"),
    ("Creative Commons Attribution 3.0 Unported License", "CC-BY-3.0"),
    ("Creative Commons Attribution-ShareAlike 2.5 Generic", "CC-BY-SA-2.5"),
    ("Creative Commons Attribution-Share Alike 3.0 Germany", "CC-BY-SA-3.0-DE"),
    ("Creative Commons Attribution 2.5 Australia", "CC-BY-2.5-AU"),
    ("CC BY-NC-ND", "LicenseRef-CC-BY-NC-ND"),
    ("CC0", "CC0-1.0"),
    ("Creative Commons Zero", "CC0-1.0"),
    ("released into the public domain", "LicenseRef-Public-Domain"),
]


@pytest.mark.parametrize(("text", "spdx"), NAMES)
def test_license_names(text: str, spdx: str) -> None:
    found = from_name(text)
    assert found is not None and found.id == spdx


@pytest.mark.parametrize("text", ["Creative Commons license", "a CC of the email", "ACCBY", "copyright law", ""])
def test_no_license_named(text: str) -> None:
    assert from_name(text) is None


def test_conditions_for_configured_ids() -> None:
    assert conditions_for("CC-BY-NC-4.0") == ("attribution", "noncommercial")
    assert conditions_for("LicenseRef-CC-BY-NC-ND-3.0-US") == ("attribution", "no-derivatives", "noncommercial")
    assert conditions_for("all-rights-reserved") == ("permission-required",)
    assert conditions_for("permission") == ()
    assert conditions_for(None) == ()


def test_licence_names_in_other_languages() -> None:
    """The CC licences as their translations name them (issue #17). Kills: LOCAL_ELEMENT_NAMES or _LOCAL."""
    from syndicate.attribution.licenses import from_name

    named = {
        "本文采用知识共享署名-非商业性使用-相同方式共享 4.0 国际许可协议进行许可。": "CC-BY-NC-SA-4.0",
        "Licencia Creative Commons Reconocimiento-NoComercial-SinObraDerivada 4.0": "CC-BY-NC-ND-4.0",
        "Creative Commons Namensnennung - Nicht kommerziell 4.0": "CC-BY-NC-4.0",
        "Creative Commons Attribuzione - Condividi allo stesso modo 4.0": "CC-BY-SA-4.0",
    }
    for text, license_id in named.items():
        found = from_name(text)
        assert found is not None and found.id == license_id, text
