"""Issue 13: notices show user text literally; users get a short message, not a traceback;
no CSV leaves the app without formula neutralisation."""

from __future__ import annotations

import tomllib

from hypothesis import given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT, examples, rendered
from ui.notices import MAX_NOTICE, literal


@settings(max_examples=examples(300), deadline=None)
@given(text=st.text(st.characters(exclude_categories=("Cs",)), max_size=200))
def test_literal_shows_any_text_exactly(text):
    """What a viewer reads is the text itself (only line endings are normalised)."""
    expected = text.replace("\r\n", "\n").replace("\r", "\n")
    assert rendered(literal(text)) == expected


def test_literal_leaves_no_markdown_syntax_unescaped():
    md = literal("[Log in](https://evil.example) ![x](http://host/px.png) :red[**LOCKED**] $x$ <b>x</b> :smile:")
    outside_code = "".join(part for i, part in enumerate(md.split("`")) if i % 2 == 0)
    for ch in "[]()!*$<>:":
        assert all(outside_code[i - 1] == "\\" for i, c in enumerate(outside_code) if c == ch), (ch, md)
    assert "`https://evil.example)`" in md and "`http://host/px.png)`" in md  # links only in code spans


def test_literal_cuts_long_text():
    assert rendered(literal("x" * (MAX_NOTICE + 50))) == "x" * MAX_NOTICE + "…"


def _failing_page():
    from ui.notices import run_page

    def page():
        import streamlit as st

        st.title("Before the error")
        raise KeyError("/srv/secret/path.py")

    run_page(page)


def test_an_unexpected_error_shows_a_short_message_without_the_traceback():
    at = AppTest.from_function(_failing_page).run()
    assert not at.exception
    (error,) = at.error
    assert error.value == ("Something went wrong on this page (KeyError). Reload to try again; the details are "
                           "in the server's log.")
    assert "/srv/secret" not in error.value
    assert [t.value for t in at.title] == ["Before the error"]


def test_config_hides_error_details_and_the_tables_own_csv_download():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    assert config["client"]["showErrorDetails"] == "none"
    assert config["client"]["disableDataExport"] is True
