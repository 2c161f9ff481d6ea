"""Pure-Python data layer of the dashboard: loading, validation and geometry.

Nothing here imports Streamlit, ``layers/`` or the page.
"""
