"""The one check for links: an absolute http(s) URL with a host, made safe to put in a page.

Used by the loaders and importers in ``geo/`` (a source link must pass it, or
it is kept as text), and by ``layers/`` and the page before anything becomes
an ``href``.
"""

from __future__ import annotations

from urllib.parse import urlsplit

__all__ = ["http_url"]

#: Characters that may not appear raw in a URL put in a page: percent-encoded by :func:`http_url`.
_UNSAFE = {c: f"%{ord(c):02X}" for c in " \"'<>`{}|\\^"}
_UNSAFE.update({chr(i): f"%{i:02X}" for i in range(0x20)})
_UNSAFE["\x7f"] = "%7F"
_ENCODE = str.maketrans(_UNSAFE)
#: Longest URL kept as a link (browsers and servers refuse much longer ones anyway).
MAX_URL_LENGTH = 8192


def http_url(value: object) -> str | None:
    """Return ``value`` as a safe absolute http(s) URL, or None if it is not one.

    Surrounding white space is removed; spaces, quotes, ``<``, ``>``, backticks,
    braces, backslashes and control characters inside are percent-encoded (as a
    browser would send them), so the result can go into an ``href`` as it is.

    Parameters
    ----------
    value : object
        Anything; only a string can be a URL.

    Returns
    -------
    str or None
        The URL, or None when it is not text, not http/https, has no host, or
        is longer than 8,192 characters.

    Examples
    --------
    >>> http_url(" https://icj-cij.org/node/202552 ")
    'https://icj-cij.org/node/202552'
    >>> http_url("https://example.org/?q=<script>")
    'https://example.org/?q=%3Cscript%3E'
    >>> [http_url(u) for u in ("javascript:alert(1)", "//example.org/x", "ftp://example.org", "https://")]
    [None, None, None, None]
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    if not text or len(text) > MAX_URL_LENGTH:
        return None
    try:
        parts = urlsplit(text)
        host = parts.hostname
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc or not host:
        return None
    return text.translate(_ENCODE)
