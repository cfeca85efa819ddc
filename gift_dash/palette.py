"""The one look of every chart, page and briefing: theme colours, event kinds, ink and type sizes."""

from __future__ import annotations

# Okabe & Ito (2008) colour-blind-safe palette, one colour per theme. No chart tells themes apart by colour alone:
# the Overview gives each theme a panel headed by its name, the briefing labels each bar.
THEME_COLOURS = {
    "prevention": "#0072B2",  # blue
    "protection": "#009E73",  # bluish green
    "prosecution": "#D55E00",  # vermillion
    "cooperation": "#E69F00",  # orange
}
# Colours that are not about themes come from the rest of the Okabe–Ito set, so no chart borrows a theme's colour.
# Annex II events vs the other preparatory events: told apart by colour and marker shape (plotly's and Vega's
# symbol names agree for these two).
EVENT_KIND_STYLE = {
    True: {"name": "Annex II regional event", "colour": "#56B4E9", "symbol": "circle"},
    False: {"name": "Other preparatory event", "colour": "#CC79A7", "symbol": "diamond"},
}
NEUTRAL = "#555555"
SECOND_SERIES = "#56B4E9"  # sky blue
HEATMAP_SCALE = [[0.0, "#f7fbff"], [0.5, "#6baed6"], [1.0, "#08306b"]]  # one hue, light to dark
LAND, BORDERS, SEA = "#eeeeee", "#bbbbbb", "#f7fbff"
GRID = "#e5e5e5"

FONT_SIZE = 17  # readable from the back of a room on a projector
TITLE_SIZE = 21
TICK_SIZE = 15  # axis ticks, map labels, legends: never under 14 px
FONT_FAMILY = "system-ui, Segoe UI, Roboto, Helvetica, Arial, sans-serif"  # the reader's own fonts: none fetched
# Every text colour is set on the chart: Streamlit's chart themes would otherwise draw ticks, axis titles and
# legends in their own light grey, which a projector washes out.
INK = "#111111"
SOFT_INK = "#333333"  # subtitles (the n), still 12.6:1 on white
