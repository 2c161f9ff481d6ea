"""Map views as images for slides: drawn on the server with geopandas and matplotlib.

:func:`render_view_png` draws one view (layers, window, bounds, selection) to a
PNG; :func:`tour_images_zip` draws every tour step into one ZIP. Pure Python:
no Streamlit, no browser, no network, no tiles.
"""

from slides.bundle import step_filename, tour_images_zip
from slides.image import DEFAULT_BOUNDS, DEFAULT_SIZE, MAX_SIDE, MIN_SIDE, render_view, render_view_png

__all__ = ["render_view_png", "render_view", "tour_images_zip", "step_filename", "DEFAULT_BOUNDS", "DEFAULT_SIZE",
           "MIN_SIDE", "MAX_SIDE"]
