"""Benchmark of one date-window change: ours against the usual streamlit-folium approach (issue #7).

Run with ``make bench``; see ``bench/README.md``.
"""
