"""A line-based ``textwrap.dedent`` for streamlit-folium's script handling.

``st_folium`` passes the script of the map and of every dynamic FeatureGroup
through :func:`textwrap.dedent`. On Python 3.11 that runs two multi-line
regular expressions over every character, about 12 ns each: with 10,000
events in the window the event layer's script is ~0.7 MB and dedent alone
took ~9 ms of a ~44 ms rerun, for text it leaves unchanged (the script has
unindented lines, so there is no common margin).

:func:`dedent` gives the same result as Python 3.11's ``textwrap.dedent``
(checked with Hypothesis in ``tests/test_fast_dedent.py``) by working on
lines with ``str`` methods. :func:`install` makes streamlit-folium use it.
"""

from __future__ import annotations

import textwrap

__all__ = ["dedent", "install"]

_BLANK = " \t"


def dedent(text: str) -> str:
    """Remove any common leading whitespace from every line in ``text``.

    Same contract and result as :func:`textwrap.dedent` (Python 3.11): lines
    made only of spaces and tabs become empty, and the longest run of leading
    spaces and tabs common to all other lines is removed. Only ``"\\n"`` ends
    a line.

    >>> dedent("    a\\n      b\\n  \\n    c")
    'a\\n  b\\n\\nc'
    >>> dedent("x\\n    y")
    'x\\n    y'
    """
    lines = text.split("\n")
    margin = None
    for i, line in enumerate(lines):
        if not line:
            continue
        body = line.lstrip(_BLANK)
        if not body:  # only spaces and tabs
            lines[i] = ""
            continue
        indent = line[: len(line) - len(body)]
        if margin is None:
            margin = indent
        elif indent.startswith(margin):
            pass
        elif margin.startswith(indent):
            margin = indent
        else:
            for j, (x, y) in enumerate(zip(margin, indent)):
                if x != y:
                    margin = margin[:j]
                    break
    if margin:
        cut = len(margin)
        lines = [line[cut:] if line.startswith(margin) else line for line in lines]
    return "\n".join(lines)


def install() -> None:
    """Make ``streamlit_folium`` (which imports ``dedent`` by name) use :func:`dedent`.

    Idempotent. Does nothing if a future streamlit-folium stops importing
    ``textwrap.dedent`` by name.
    """
    import streamlit_folium

    if getattr(streamlit_folium, "dedent", None) in (textwrap.dedent, dedent):
        streamlit_folium.dedent = dedent

