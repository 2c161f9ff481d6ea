"""Every use of another package's private API, in one place.

The dashboard relies on a few internals of Streamlit, streamlit-folium and branca
that their documentation does not promise. Each is here, behind a function, with a
test in ``tests/test_compat.py`` that fails if the behaviour it relies on changes.
At import, the installed versions are compared with the ones tested
(:data:`TESTED`); a different version gets a warning naming what to check.

- :func:`script_macro` (branca): the compiled ``script`` macro of an element's
  template, so that layers render their scripts without compiling Jinja
  templates again on every run (``layers/_script.py``).
- :func:`prime_map` (streamlit-folium): renders a map once as ``st_folium``
  does; st_folium's first render of a map differs from its later ones, so a
  cached map would otherwise be sent twice.
- :func:`rerun_unknown_fragments_in_full` (Streamlit): a rerun request for a
  fragment the session does not know (after a server restart) runs the whole
  page instead of being dropped.
- :func:`trigger_widget_id` (Streamlit): the widget id under which a
  components-v2 component's trigger values travel (the AppTest helpers use it
  to play the browser's part).

Nothing in ``geo/`` imports this module.
"""

from __future__ import annotations

import warnings
from importlib import metadata

__all__ = ["TESTED", "check_versions", "script_macro", "prime_map", "rerun_unknown_fragments_in_full",
           "full_run_for_unknown_fragment", "trigger_widget_id"]

#: Package -> the version these shims were written and tested against (requirements.txt).
TESTED = {"streamlit": "1.67.0", "streamlit-folium": "0.27.4", "branca": "0.8.2"}


def check_versions(tested: dict[str, str] = TESTED) -> list[str]:
    """Warn about each installed package whose version is not the tested one; return the warnings."""
    out = []
    for package, version in tested.items():
        try:
            installed = metadata.version(package)
        except metadata.PackageNotFoundError:
            continue
        if installed != version:
            message = (f"{package} {installed} is installed; compat.py was tested with {version}. Its shims use "
                       f"private parts of {package}: run tests/test_compat.py and read compat.py before relying "
                       f"on this version (or install the version in requirements.txt).")
            warnings.warn(message, RuntimeWarning, stacklevel=2)
            out.append(message)
    return out


check_versions()


# --- branca ------------------------------------------------------------------------------


def script_macro(template):
    """The compiled ``script`` macro of a branca element's Jinja template, or None."""
    return template.module.__dict__.get("script")


def template_macros(template) -> set[str]:
    """The names of the macros a branca element's template defines."""
    return {k for k, v in template.module.__dict__.items() if callable(v) and not k.startswith("_")}


# --- streamlit-folium --------------------------------------------------------------------


def prime_map(m):
    """Render the folium map ``m`` once as ``st_folium`` does (folium's render, then its
    map string), so that every later ``st_folium`` message of it is the same."""
    import streamlit_folium

    m.get_root().render()
    m.render()
    streamlit_folium._get_map_string(m)
    return m


# --- Streamlit ---------------------------------------------------------------------------


def full_run_for_unknown_fragment(session, client_state):
    """``client_state`` as it should run: a copy without its fragment id when ``session``
    does not know that fragment (Streamlit would drop the request), else itself."""
    if client_state is None or not client_state.fragment_id or session.has_fragment(client_state.fragment_id):
        return client_state
    full = type(client_state)()
    full.CopyFrom(client_state)
    full.ClearField("fragment_id")
    return full


def rerun_unknown_fragments_in_full() -> None:
    """Run the whole page when the browser asks to rerun a fragment this session does not know.

    Streamlit drops such a request ("The fragment with id ... does not exist anymore").
    After a server restart the reconnected browser asks at once for a whole run
    (``static/js/dash-page.js``), but a click made while that first run is still under
    way asks for a rerun of a fragment the new session has not registered yet, and was
    lost. A full run with the same widget values applies it. Installed by the page's
    first run in each server process (the browser's reconnect run, at the latest).
    """
    from streamlit.runtime.app_session import AppSession

    original = AppSession.request_rerun
    if getattr(original, "_dashboard_patch", False):
        return

    def request_rerun(self, client_state):
        return original(self, full_run_for_unknown_fragment(self, client_state))

    request_rerun._dashboard_patch = True
    AppSession.request_rerun = request_rerun


def trigger_widget_id(component_id: str) -> str:
    """The widget id of a components-v2 component's trigger values (``component_id`` is
    the element's id)."""
    from streamlit.components.v2.bidi_component.main import _make_trigger_id

    return _make_trigger_id(component_id, "events")
