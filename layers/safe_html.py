"""Turning untrusted text into safe HTML fragments.

Text from data files and imports is never trusted as HTML. Everything that
ends up in a popup or tooltip goes through :func:`esc`, and links through
:func:`link`, which only accepts http(s) URLs (:func:`geo.urls.http_url`, the one
check every part of the app uses).

folium puts popup HTML inside a JavaScript template literal, so besides the
usual ``& < > " '`` the backtick and ``$`` are escaped as well.
"""

from __future__ import annotations

import html

from geo.urls import http_url

_EXTRA = str.maketrans({"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"})


def esc(value: object) -> str:
    """Escape any value for use as HTML text or an attribute value.

    Examples
    --------
    >>> esc('<img src=x onerror="alert(1)">`${x}`')
    '&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#96;&#36;&#123;x&#125;&#96;'
    """
    if value is None:
        return ""
    return html.escape(str(value), quote=True).translate(_EXTRA)


#: The one http(s) URL check (:func:`geo.urls.http_url`): a safe absolute http(s) URL, or None.
safe_url = http_url


def link(url: object, label: object | None = None) -> str:
    """An ``<a>`` opening in a new tab, or the escaped label/URL as plain text
    when the URL is not http(s).

    >>> link("javascript:alert(1)", "x")
    'x'
    """
    target = safe_url(url)
    text = esc(label if label not in (None, "") else url)
    if target is None:
        return text
    return f'<a href="{esc(target)}" target="_blank" rel="noopener noreferrer">{text}</a>'


#: Browser-side twins of :func:`esc`/:func:`link`, shared by the layers' scripts:
#: ``el`` makes an element holding text (never HTML), ``links`` appends
#: ``[label, url]`` pairs, as links only for http(s) URLs, else as text.
DOM_JS = """
    function el(tag, text, cls) {
        var e = document.createElement(tag);
        if (text) { e.textContent = text; }
        if (cls) { e.className = cls; }
        return e;
    }
    function links(parent, sources, sep) {
        sources.forEach(function (s, j) {
            if (j) { parent.appendChild(document.createTextNode(sep)); }
            if (/^https?:[/][/]/i.test(s[1])) {
                var a = el("a", s[0]);
                a.href = s[1]; a.target = "_blank"; a.rel = "noopener noreferrer";
                parent.appendChild(a);
            } else {
                parent.appendChild(document.createTextNode(s[0]));
            }
        });
    }
"""
