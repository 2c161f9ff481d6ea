"""The browser code's unit tests (tests/js) check it against cases that the Python
twins of the same rules compute; this test fails when the committed cases are not
what Python computes now (rerun ``python -m tests.js.make_fixtures``)."""

from __future__ import annotations

import json

from tests.js.make_fixtures import FIXTURE, cases


def test_the_browser_tests_cases_are_what_python_computes_now():
    committed = json.loads(FIXTURE.read_text(encoding="utf-8"))
    assert committed == json.loads(json.dumps(cases(), sort_keys=True))
