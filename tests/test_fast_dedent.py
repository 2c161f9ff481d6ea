"""layers.fast_dedent gives textwrap.dedent's result, and streamlit-folium uses it."""

import textwrap

import folium
import streamlit_folium
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.fast_dedent import dedent, install

#: Lines built from the characters that matter to dedent: spaces, tabs, other
#: whitespace that is not a margin, and text.
LINE = st.lists(st.sampled_from([" ", "\t", "  ", "\r", "\x0b", "a", "b", "{", "\u00a0"]), max_size=8).map("".join)


@given(st.lists(st.tuples(st.sampled_from(["", " ", "  ", "\t", " \t", "    "]), LINE), max_size=12))
@settings(max_examples=600, deadline=None)
def test_same_result_as_textwrap(parts):
    text = "\n".join(prefix + body for prefix, body in parts)
    assert dedent(text) == textwrap.dedent(text)


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_same_result_on_any_text(text):
    assert dedent(text) == textwrap.dedent(text)


def test_examples_from_textwrap_docs_and_edges():
    cases = ["", "\n", "  \n  ", "    hello\n      world\n", "\thello\n\t\tthere", "  a\n\tb",
             "    a\n\n    b\n  \t\n    c", "x\n    y", "  \n  a", "   a\n   ", "\ta\n    b"]
    for text in cases:
        assert dedent(text) == textwrap.dedent(text), repr(text)


def test_streamlit_folium_uses_it_and_output_is_unchanged():
    m = folium.Map(location=[40, 45], zoom_start=7)
    fg = folium.FeatureGroup(name="x")
    folium.Marker([40.2, 44.5], tooltip="Yerevan").add_to(fg)
    streamlit_folium.dedent = textwrap.dedent
    try:
        before = streamlit_folium._get_feature_group_string(fg, map=m, idx=0)
        install()
        assert streamlit_folium.dedent is dedent
        after = streamlit_folium._get_feature_group_string(fg, map=m, idx=0)
    finally:
        install()
    assert after == before
    assert "map_div.addLayer(feature_group_feature_group_0);" in after
