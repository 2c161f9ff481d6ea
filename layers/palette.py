"""Colours. Event categories use the Okabe–Ito palette, which stays
distinguishable with the common forms of colour-blindness."""

CATEGORY_COLORS: dict[str, str] = {
    "diplomacy": "#0072B2",
    "protest": "#E69F00",
    "blockade": "#D55E00",
    "legal": "#CC79A7",
    "armed-clash": "#000000",
    "imported": "#009E73",
}

COUNTRY_FILL = {"armenia": "#eadfc8", "azerbaijan": "#d6e3cf"}
KARABAKH = "#6a3d9a"
CORRIDOR_FILL = "#F0E442"
CORRIDOR_LINE = "#8c7d00"
ROAD = "#333333"
WATER = "#8fc1e3"
WATER_LINE = "#4a90c2"
BORDER = "#666666"
PLACE = "#444444"
VENUE = "#56B4E9"
