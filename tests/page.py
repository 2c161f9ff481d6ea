"""Helpers for testing the page with Streamlit's AppTest.

AppTest runs dashboard.py without a browser: it sees the widgets and, as unknown
elements, the browser components' data. :func:`browser_state` is the state the
page sent to the browser on its last run (what the map, the timeline, the table
and the tour panel apply), :func:`query` the URL the browser writes from it.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs

from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def run_page(timeout: float = 60, **query) -> AppTest:
    """Run the page once with ``query`` as its URL parameters; fails on an exception."""
    at = AppTest.from_file(str(ROOT / "dashboard.py"), default_timeout=timeout)
    for k, v in query.items():
        at.query_params[k] = v
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _walk(node):
    children = getattr(node, "children", None)
    if isinstance(children, dict):
        children = children.values()
    for child in children or ():
        yield child
        yield from _walk(child)


def component_data(at: AppTest, key: str):
    """The data of the browser component ``key`` (its JSON, parsed), or None if absent."""
    for el in _walk(at._tree):
        if type(el).__name__ == "UnknownElement" and el.type == "bidi_component" and el.key == key:
            kind = el.proto.WhichOneof("data")
            text = el.proto.mixed.json if kind == "mixed" else el.proto.json if kind == "json" else ""
            return json.loads(text) if text else None
    return None


def browser_state(at: AppTest) -> dict:
    """The state the page sent to the browser on its last run."""
    data = component_data(at, "dash_state")
    assert data is not None and data["kind"] == "state", "the page sent no state to the browser"
    return data["state"]


def query(at: AppTest) -> dict[str, str]:
    """The URL parameters the browser writes (from the state's ``query``), one value each."""
    return {k: v[-1] for k, v in parse_qs(browser_state(at)["query"], keep_blank_values=True).items()}


def pills(at: AppTest, key: str):
    return next(p for p in at.sidebar.pills if p.key == key)


def counts(at: AppTest) -> dict[str, str]:
    """Category label -> count as the events toggles show it ("Protest · 1")."""
    return dict(opt.rsplit(" · ", 1) for opt in pills(at, "cats").options)


def shown_layers(at: AppTest) -> set[str]:
    return set(browser_state(at)["layers"])


def send(at: AppTest, event: str, value, key: str = "dash_state") -> AppTest:
    """Run the page as if the browser had sent the trigger ``event`` with ``value`` from
    the component ``key`` (as ``setTriggerValue`` does: the page's callbacks run, then
    the script). Uses Streamlit's naming of a component's trigger widget."""
    from compat import trigger_widget_id

    element = next(el for el in _walk(at._tree)
                   if type(el).__name__ == "UnknownElement" and el.type == "bidi_component" and el.key == key)
    states = at._tree.get_widget_states()
    trigger = states.widgets.add()
    trigger.id = trigger_widget_id(element.proto.id)
    trigger.json_trigger_value = json.dumps([{"event": event, "value": value}])
    at._run(states)
    assert not at.exception, [e.value for e in at.exception]
    return at
