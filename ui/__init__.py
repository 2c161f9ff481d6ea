"""The page's Streamlit side, beside ``dashboard.py``: components, panels, notices and
shims that need ``streamlit`` (the only package besides dashboard.py that knows it).
``geo/`` and ``layers/`` never import it."""
