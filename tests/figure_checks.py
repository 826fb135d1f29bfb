"""Checks on a rendered matplotlib figure, from the extents of what was drawn (issue 15: overlapping
numbers, cut labels, colour bars taller than their plots). A figure is drawn once with its own
canvas (Agg), then every visible text's box is measured in display pixels."""
from __future__ import annotations

import itertools

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text


def _renderer(fig):
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    return fig.canvas.get_renderer()


def visible_texts(fig):
    """(text, bbox in pixels) of every visible, non-empty Text artist of the figure."""
    renderer = _renderer(fig)
    found = []
    for artist in fig.findobj(Text):
        if not artist.get_visible() or not artist.get_text().strip():
            continue
        if artist.axes is not None and not artist.axes.get_visible():
            continue
        found.append((artist.get_text(), artist.get_window_extent(renderer)))
    return found


def overlapping_texts(fig, tolerance=0.5):
    """Pairs of texts whose boxes overlap by more than ``tolerance`` pixels each way, as
    (text a, text b) - e.g. ('0.996', '0.137') when two numbers run into each other."""
    texts = visible_texts(fig)
    pairs = []
    for (ta, a), (tb, b) in itertools.combinations(texts, 2):
        dx = min(a.x1, b.x1) - max(a.x0, b.x0)
        dy = min(a.y1, b.y1) - max(a.y0, b.y0)
        if dx > tolerance and dy > tolerance:
            pairs.append((ta, tb))
    return pairs


def numbers_wider_than_cells(grid):
    """Texts of a viz.GridView wider than the cell they are written in (pixels)."""
    fig = grid.ax.figure
    renderer = _renderer(fig)
    h, w = grid.shape
    box = grid.ax.get_window_extent(renderer)
    cell = box.width / w
    return [t.get_text() for row in (grid.texts or []) for t in row
            if t.get_text() and t.get_window_extent(renderer).width > cell]


def image_box(ax):
    """The pixel box an Axes' image really occupies (its aspect applied)."""
    _renderer(ax.figure)
    return ax.get_window_extent()
