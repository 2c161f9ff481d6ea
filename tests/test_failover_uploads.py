"""A page that comes back from a server process that stopped (a replica gone behind nginx)
brings its uploader's value with it: files this process never had arrive as Streamlit's
placeholders with only an id. The import panel skips them instead of failing the page (the
browser names them for the user: tests/browser/test_replicas_browser.py)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest


def _page():
    import streamlit as st
    from streamlit.runtime.uploaded_file_manager import DeletedFile

    from ui.imports import current_uploads

    st.session_state["uploads"] = [DeletedFile("a-file-id-of-another-process")]
    st.text(f"imports: {len(current_uploads())}")


def test_files_of_another_process_are_skipped_not_a_crash():
    at = AppTest.from_function(_page, default_timeout=30)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert [t.value for t in at.text] == ["imports: 0"]
