"""Languages: every catalog complete, the person's choice first, right-to-left where needed."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po
from flask.testing import FlaskClient

from consult.config import LANGUAGES, ROOT
from consult.i18n import LANGUAGE_NAMES

CATALOGS = {
    lang: ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po" for lang in LANGUAGES
}


def _incomplete(path: Path) -> list[str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return [
        message.id if isinstance(message.id, str) else message.id[0]
        for message in catalog
        if message.id
        and (
            message.fuzzy
            or not (message.string if isinstance(message.string, str) else all(message.string))
        )
    ]


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_shipped_catalog_is_complete(language: str) -> None:
    path = CATALOGS[language]
    assert path.exists(), f"missing catalog {path}"
    assert _incomplete(path) == []


def test_catalogs_know_every_string_in_the_template() -> None:
    with (ROOT / "translations" / "messages.pot").open("rb") as handle:
        template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    for language, path in CATALOGS.items():
        with path.open("rb") as handle:
            ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
        assert template_ids <= ids, f"{language} lacks {sorted(template_ids - ids)[:3]}"


def _extracted_from_sources() -> set[str]:
    """Every string the code and templates mark for translation, read as pybabel reads them."""
    with (ROOT / "babel.cfg").open() as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "N_": None}
    extracted = extract_from_dir(ROOT, method_map, options_map, keywords=keywords)
    return {
        message if isinstance(message, str) else message[0] for _f, _l, message, *_ in extracted
    }


def test_the_template_holds_every_string_marked_in_the_sources() -> None:
    with (ROOT / "translations" / "messages.pot").open("rb") as handle:
        template_ids = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    missing = _extracted_from_sources() - template_ids
    assert not missing, f"run `flask translate update`; not in the catalogs: {sorted(missing)[:5]}"


@pytest.mark.parametrize(
    ("language", "direction", "heading"),
    [
        ("de", "ltr", "Beratung"),
        ("en", "ltr", "Get advice from several services in one visit"),
        ("ar", "rtl", None),
        ("fa", "rtl", None),
        ("uk", "ltr", None),
        ("ru", "ltr", None),
        ("tr", "ltr", None),
    ],
)
def test_home_page_speaks_each_language(
    client: FlaskClient, language: str, direction: str, heading: str | None
) -> None:
    page = client.get(f"/lang/{language}", follow_redirects=True).get_data(as_text=True)
    assert f'<html lang="{language}" dir="{direction}">' in page
    if heading:
        assert heading in page
    if language != "en":
        assert "Get advice from several services in one visit" not in page


def test_choice_beats_browser_which_beats_default(client: FlaskClient) -> None:
    assert 'lang="de"' in client.get("/").get_data(as_text=True)
    assert 'lang="uk"' in client.get("/", headers={"Accept-Language": "uk,en;q=0.5"}).get_data(
        as_text=True
    )
    client.get("/lang/fa")
    page = client.get("/", headers={"Accept-Language": "uk"}).get_data(as_text=True)
    assert 'lang="fa" dir="rtl"' in page


def test_language_switcher_names_languages_in_their_own_script(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    for code, name in LANGUAGE_NAMES.items():
        assert f'lang="{code}" hreflang="{code}"' in page
        assert name in page
    assert LANGUAGE_NAMES["ar"] == "العربية"
    assert LANGUAGE_NAMES["uk"] == "Українська"


def test_language_switch_goes_back_only_to_local_pages(client: FlaskClient) -> None:
    assert client.get("/lang/tr?next=/healthz").headers["Location"] == "/healthz"
    for evil in ("https://evil.example/", "//evil.example/", "/\\evil.example"):
        assert client.get(f"/lang/tr?next={evil}").headers["Location"] == "/"
    client.get("/lang/xx")
    assert 'lang="tr"' in client.get("/").get_data(as_text=True)
