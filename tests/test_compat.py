"""The private parts of other packages the dashboard relies on (compat.py): each test
fails if the behaviour relied on changes in a new version."""

from __future__ import annotations

import inspect
import warnings

import pytest
import streamlit_folium

import compat
from geo.dataset import load_dataset
from layers.compose import build_map
from tests.conftest import ROOT


def test_a_primed_map_gives_st_folium_the_same_arguments_every_time(monkeypatch):
    """Without priming, st_folium's first render of a map adds the map's styles to the
    header that later renders repeat: the browser would receive the map twice."""
    calls = []
    monkeypatch.setattr(streamlit_folium, "_component_func", lambda **kw: calls.append(kw))
    layers = load_dataset(ROOT / "data").layers
    unprimed = build_map(layers)
    for _ in range(2):
        streamlit_folium.st_folium(unprimed, key="map", height=600, use_container_width=True, returned_objects=[])
    assert calls[0]["header"] != calls[1]["header"]  # the behaviour prime_map works around
    calls.clear()
    primed = compat.prime_map(build_map(layers))
    for _ in range(3):
        streamlit_folium.st_folium(primed, key="map", height=600, use_container_width=True, returned_objects=[])
    keys = [k for k in calls[0] if k != "on_change"]
    assert all({k: c[k] for k in keys} == {k: calls[0][k] for k in keys} for c in calls)


class _Session:
    def __init__(self, known):
        self.known = set(known)

    def has_fragment(self, fragment_id):
        return fragment_id in self.known


def test_a_rerun_of_an_unknown_fragment_becomes_a_whole_run_with_the_same_widgets():
    from streamlit.proto.ClientState_pb2 import ClientState

    state = ClientState(fragment_id="f1", query_string="a=1")
    state.widget_states.widgets.add(id="w", bool_value=True)
    full = compat.full_run_for_unknown_fragment(_Session(known=()), state)
    assert full.fragment_id == "" and full.query_string == "a=1" and full.widget_states == state.widget_states
    assert state.fragment_id == "f1"  # the original is left alone
    assert compat.full_run_for_unknown_fragment(_Session(known={"f1"}), state) is state
    assert compat.full_run_for_unknown_fragment(_Session(known=()), None) is None


def test_streamlit_still_drops_a_rerun_of_an_unknown_fragment_and_the_patch_goes_first():
    from streamlit.runtime.app_session import AppSession

    compat.rerun_unknown_fragments_in_full()
    patched = AppSession.request_rerun
    assert patched._dashboard_patch
    compat.rerun_unknown_fragments_in_full()  # twice: one patch
    assert AppSession.request_rerun is patched
    original = inspect.getclosurevars(patched).nonlocals["original"]
    assert "has_fragment(fragment_id)" in inspect.getsource(original)


def test_branca_templates_expose_their_script_macro():
    import folium

    template = folium.FeatureGroup()._template
    assert callable(compat.script_macro(template)) and "script" in compat.template_macros(template)


def test_the_trigger_widget_id_is_streamlits():
    assert compat.trigger_widget_id("$$ID-abc-dash_state").endswith("events")


def test_a_version_other_than_the_tested_one_is_named_in_a_warning():
    with pytest.warns(RuntimeWarning, match=r"streamlit 1\.67\.0 is installed; compat\.py was tested with 0\.1"):
        compat.check_versions({"streamlit": "0.1"})
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert compat.check_versions() == []
