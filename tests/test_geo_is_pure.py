"""``geo/`` is pure Python: no Streamlit, no network, no subprocess.

Imports are read with :mod:`ast` (not by searching the text), so a comment or a
string that mentions a module does not count, and ``from urllib import request``
does.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GEO = Path(__file__).resolve().parents[1] / "geo"
#: Modules (and their submodules) that geo/ must not import.
FORBIDDEN = ("streamlit", "subprocess", "urllib.request", "requests")


def imported_modules(source: str) -> set[str]:
    """Dotted names of every module a Python source imports (``from a import b`` gives
    ``a`` and ``a.b``, since ``b`` may be a submodule)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def forbidden_imports(source: str) -> list[str]:
    """The imports of ``source`` that are one of :data:`FORBIDDEN` or inside one."""
    return sorted(name for name in imported_modules(source)
                  if any(name == bad or name.startswith(bad + ".") for bad in FORBIDDEN))


@pytest.mark.parametrize("source, expected", [
    ("import subprocess", ["subprocess"]),
    ("from urllib import request", ["urllib.request"]),
    ("import urllib.request as r", ["urllib.request"]),
    ("from requests.adapters import HTTPAdapter", ["requests.adapters", "requests.adapters.HTTPAdapter"]),
    ("import streamlit as st", ["streamlit"]),
    ("def f():\n    import subprocess\n", ["subprocess"]),
    ("from urllib.parse import urlparse\nimport requests_cache_lookalike", []),
    ("# import subprocess\ntext = 'import streamlit'", []),
])
def test_the_checker_finds_imports_not_mentions(source, expected):
    assert forbidden_imports(source) == expected


def test_geo_imports_no_streamlit_network_or_subprocess():
    modules = sorted(GEO.rglob("*.py"))
    assert len(modules) > 10
    bad = {path.relative_to(GEO.parent).as_posix(): found for path in modules
           if (found := forbidden_imports(path.read_text(encoding="utf-8")))}
    assert bad == {}
