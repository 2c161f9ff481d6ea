"""Shared test set-up: tests under tests/browser/ carry the ``browser`` marker."""

import os
import re
from pathlib import Path

import pytest
from hypothesis import settings

ROOT = Path(__file__).resolve().parents[1]

#: Hypothesis: the full number of examples in CI (CI=true, as .ci/run sets it) or with
#: HYPOTHESIS_PROFILE=full; a fifth of it (at least 10) otherwise, for a quick local run.
FULL_PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "full" if os.environ.get("CI") else "quick") == "full"
settings.register_profile("full", deadline=None, print_blob=True)
settings.register_profile("quick", deadline=None)
settings.load_profile("full" if FULL_PROFILE else "quick")


def examples(full: int) -> int:
    """How many examples a property test runs: ``full`` in the full profile, a fifth otherwise."""
    return full if FULL_PROFILE else max(10, full // 5)


def rendered(markdown: str) -> str:
    """The text a viewer reads from Markdown made by ``ui.notices.literal`` (AppTest gives
    the Markdown source): backslash escapes resolved, code spans as their content, hard
    line breaks as newlines."""
    text = markdown.replace("  \n", "\n")
    out, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            out.append(text[i + 1])
            i += 2
        elif ch == "`":
            fence = re.match(r"`+", text[i:]).group()
            end = re.compile(rf"(?<!`){fence}(?!`)").search(text, i + len(fence))
            body = text[i + len(fence):end.start()]
            if len(body) > 1 and body.startswith(" ") and body.endswith(" "):
                body = body[1:-1]
            out.append(body)
            i = end.end()
        else:
            out.append(ch)
            i += 1
    return "".join(out)


def pytest_collection_modifyitems(items):
    for item in items:
        if "browser" in Path(str(item.fspath)).parts:
            item.add_marker(pytest.mark.browser)
