"""Showing text from users, files and URLs on the page: literally, never as Markdown or HTML.

Streamlit renders the body of ``st.warning``, ``st.error``, ``st.success``,
``st.caption`` and ``st.markdown`` as Markdown (links, images, ``:red[...]``
colour directives, ``:emoji:`` short codes, KaTeX between ``$``). Any text that
did not come from this code goes through :func:`literal` first, which
backslash-escapes every ASCII punctuation character (CommonMark lets any of
them be escaped), so none of that syntax can start, and white space that
Markdown would fold is kept as written.

:func:`run_page` runs the page so that an unexpected error shows a short
message instead of a traceback, and is logged on the server with its detail.
"""

from __future__ import annotations

import logging
import re
import string
from collections.abc import Callable

import streamlit as st

__all__ = ["literal", "notice", "link_notice", "run_page", "MAX_NOTICE"]

#: Longest user-supplied text shown in one notice (the rest is cut, with "…").
MAX_NOTICE = 2000
_ESCAPE = str.maketrans({c: "\\" + c for c in string.punctuation})
#: Words a Markdown renderer links by itself: URLs with a scheme, www. names, e-mail addresses.
_LINKY = re.compile(r"((?:[A-Za-z][A-Za-z0-9+.-]*:/|www\.)\S*|[^\s@]+@\S+)", re.IGNORECASE)
log = logging.getLogger("dashboard")


def _code_span(piece: str) -> str:
    """``piece`` as a Markdown code span (shown as written: no links, no escapes)."""
    fence = "`" * (max((len(run) for run in re.findall(r"`+", piece)), default=0) + 1)
    pad = " " if piece.startswith("`") or piece.endswith("`") else ""
    return f"{fence}{pad}{piece}{pad}{fence}"


def literal(text: object, limit: int = MAX_NOTICE) -> str:
    """Markdown source that renders ``text`` exactly as written.

    Every ASCII punctuation character is backslash-escaped, so no Markdown,
    HTML, ``:colour[...]`` directive, ``:emoji:`` or ``$`` math can start; and
    words a Markdown renderer would turn into links by themselves (``https://…``,
    ``www.…``, e-mail addresses: Streamlit links them even when escaped) are put
    in code spans, where nothing is interpreted.

    Parameters
    ----------
    text : object
        Anything; it is shown as ``str(text)``.
    limit : int
        Longer text is cut to this many characters and ends with "…".

    Returns
    -------
    str
        Markdown; line breaks are kept as line breaks.

    Examples
    --------
    >>> print(literal("Ignored layer '[Log in](https://evil.example)' :red[x] $x$"))
    Ignored layer \\'\\[Log in\\]\\(`https://evil.example)'` \\:red\\[x\\] \\$x\\$
    """
    value = str(text)
    if len(value) > limit:
        value = value[:limit] + "…"
    out = []
    for i, piece in enumerate(_LINKY.split(value)):
        out.append(_code_span(piece) if i % 2 else piece.translate(_ESCAPE))
    # Markdown folds single line breaks: keep them as written.
    return "".join(out).replace("\r\n", "\n").replace("\r", "\n").replace("\n", "  \n")


def notice(kind: str, text: object, where=None) -> None:
    """Show ``text`` literally in an ``st.error``/``st.warning``/``st.info``/``st.success`` box.

    Parameters
    ----------
    kind : {"error", "warning", "info", "success"}
    text : object
        The message (user-supplied parts included: it is all shown literally).
    where : Streamlit container, optional
        Defaults to the main area.
    """
    box = getattr(where if where is not None else st, kind)
    box(literal(text))


def link_notice(notices: list[str]) -> str:
    """The notices of a link's ignored parameters as one short text (plain: show it with
    :func:`literal`).

    >>> print(link_notice(["Ignored 'base': unknown basemap 'x'."]))
    Part of this link could not be used; the rest is shown:
    • Ignored 'base': unknown basemap 'x'.
    """
    return "Part of this link could not be used; the rest is shown:\n" + "\n".join(f"• {n}" for n in notices)


def run_page(page: Callable[[], None]) -> None:
    """Run ``page``; an unexpected error shows a short message (no traceback, no paths)
    and is logged on the server with its traceback.

    Streamlit's own control flow (rerun, stop) passes through: it does not derive from
    :class:`Exception`.
    """
    try:
        page()
    except Exception as exc:  # the page's last line of defence: the user gets a message, the log the detail
        log.exception("the page failed")
        st.error(f"Something went wrong on this page ({type(exc).__name__}). Reload to try again; "
                 "the details are in the server's log.")
