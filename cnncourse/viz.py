"""Drawing primitives of the lecture notebooks and the widgets: grids of numbers and images.
(Figures of training results - learning curves, confusion matrices, filters - are in ``plots``.)

- ``draw_grid(ax, values)`` draws a numeric grid (a 2D array, or a 1D array as one row) with
  each value written in its cell and returns a ``GridView`` that can be updated in place
  (``set_values``, ``highlight``, ``shade``) - what the widgets' steppers use.
  ``numbers_fit(values)`` is the one rule for when numbers are written in the cells.
- ``show_images(images, titles)`` lays images out in a grid: the course's one image grid
  (``plots.image_grid``, ``plots.plot_filters`` and ``plots.plot_feature_maps`` use it).
- ``new_figure(w, h)`` makes a matplotlib Figure that is *not* registered with pyplot (so it is
  never shown twice by the inline backend); ``figure_png(fig)`` renders it to PNG bytes for an
  ``ipywidgets.Image``: swapping that image's bytes is how the widgets update without flicker.
"""
from __future__ import annotations

import io

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.text import Text

from .fonts import use_hangul_font   # public here too: cnncourse.viz.use_hangul_font()
from .i18n import _

use_hangul_font()                     # Korean titles and labels in every figure the course draws

__all__ = ["format_cell", "numbers_fit", "GridView", "draw_grid", "show_images", "as_image",
           "add_colorbar",
           "new_figure", "figure_png", "WINDOW_COLOR", "CURRENT_COLOR", "PAD_COLOR",
           "use_hangul_font"]

WINDOW_COLOR = "#d62728"      # the kernel's current window (red)
CURRENT_COLOR = "#ff7f0e"     # the output cell being computed (orange)
PAD_COLOR = "#bbbbbb"         # padding cells (grey)
# Numbers are written in a grid's cells only when they stay readable: integers ("12") are
# short, decimals ("-0.537") need about twice the width.
MAX_SIDE_FOR_NUMBERS = {"integers": 12, "decimals": 8}
MAX_CELLS_FOR_LINES = 1600    # above this many cells, cell borders would hide the picture


def numbers_fit(values) -> bool:
    """Whether the values of a grid (H,W) or (L,) are written in its cells: when its longer
    side has at most 12 cells for integers, 8 for decimals (NaN cells are not counted)."""
    values = np.asarray(values, dtype=float)
    finite = values[np.isfinite(values)]
    kind = "integers" if np.all(finite == np.round(finite)) else "decimals"
    return max(values.shape, default=0) <= MAX_SIDE_FOR_NUMBERS[kind]


def format_cell(v) -> str:
    """Short text for one grid cell: integers without decimals, others with 3 significant digits.

    NaN (a cell not computed yet) gives an empty string.
    """
    v = float(v)
    if np.isnan(v):
        return ""
    if v == 0:
        return "0"            # also turns -0.0 into "0"
    if v.is_integer() and abs(v) < 1e6:
        return f"{int(v)}"
    return f"{v:.3g}"


class GridView:
    """A grid of numbers drawn on a matplotlib Axes, updatable in place.

    values: (H, W) or (L,) (drawn as one row). NaN cells are drawn blank ("not computed yet").
    show_values: write the numbers in the cells; default ``numbers_fit(values)``.
    Keeps the image, the text artists and the highlight rectangles so that a widget can move a
    window or change values with ``set_data``/``set_text`` instead of redrawing the Axes.
    """

    def __init__(self, ax, values, *, cmap="Blues", vmin=None, vmax=None, title=None,
                 show_values=None, fmt=format_cell, fontsize=None, grid_lines=True):
        values = _as_grid(values)
        self.ax, self.fmt = ax, fmt
        finite = values[np.isfinite(values)]
        lo = float(finite.min()) if finite.size else 0.0
        hi = float(finite.max()) if finite.size else 1.0
        vmin = lo if vmin is None else vmin
        vmax = hi if vmax is None else vmax
        if vmax <= vmin:
            vmin, vmax = vmin - 1.0, vmax + 1.0
        cmap = _get_cmap(cmap).with_extremes(bad="white")
        self.norm = mcolors.Normalize(vmin=vmin, vmax=vmax)
        self.image = ax.imshow(np.ma.masked_invalid(values), cmap=cmap, norm=self.norm,
                               interpolation="nearest")
        h, w = values.shape
        ax.set_xticks([])
        ax.set_yticks([])
        if grid_lines and h * w <= MAX_CELLS_FOR_LINES:
            ax.set_xticks(np.arange(-0.5, w, 1), minor=True)
            ax.set_yticks(np.arange(-0.5, h, 1), minor=True)
            ax.grid(which="minor", color="#888888", linewidth=0.5)
            ax.tick_params(which="minor", length=0)
        if title:
            ax.set_title(title, fontsize=10)
        if show_values is None:
            show_values = numbers_fit(values)
        self.texts = None
        if show_values:
            self.fontsize = fontsize or _font_size(h, w)
            self._fit = (None, None)
            self.texts = [[ax.add_artist(_CellText(self, j, i)) for j in range(w)]
                          for i in range(h)]
        self.highlights = {}
        self.set_values(values)

    @property
    def shape(self):
        return self.image.get_array().shape

    def set_values(self, values):
        """Replace the values (same shape); the colours and the written numbers follow."""
        values = _as_grid(values)
        if values.shape != self.shape:
            raise ValueError(_("set_values: expected shape {expected}, got {shape}; "
                               "draw a new grid for a new shape").format(expected=self.shape,
                                                                         shape=values.shape))
        self.values = values
        self.image.set_data(np.ma.masked_invalid(values))
        if self.texts is not None:
            cmap = self.image.get_cmap()
            for i, row in enumerate(self.texts):
                for j, text in enumerate(row):
                    v = values[i, j]
                    text.set_text(self.fmt(v))
                    if np.isfinite(v):
                        r, g, b, _alpha = cmap(self.norm(v))
                        text.set_color("white" if 0.299 * r + 0.587 * g + 0.114 * b < 0.5
                                       else "black")

    def fitted_fontsize(self, renderer) -> float:
        """The size the numbers are drawn at: ``fontsize`` (default by grid size), smaller
        when the longest number would not fit its cell at the cell size this drawing has."""
        from matplotlib.font_manager import FontProperties

        origin = self.ax.transData.transform((0, 0))
        cell_w, cell_h = np.abs(self.ax.transData.transform((1, 1)) - origin)
        strings = sorted({t.get_text() for row in self.texts for t in row if t.get_text()})
        key = (round(float(cell_w), 2), round(float(cell_h), 2), tuple(strings),
               renderer.points_to_pixels(1.0))
        if self._fit[0] != key:
            prop = FontProperties(size=self.fontsize)
            widest = max((renderer.get_text_width_height_descent(t, prop, ismath=False)[0]
                          for t in strings), default=0.0)
            tall = renderer.points_to_pixels(self.fontsize)
            scale = min(1.0, CELL_TEXT_SHARE * cell_w / widest if widest else 1.0,
                        CELL_TEXT_SHARE * cell_h / tall if tall else 1.0)
            self._fit = (key, self.fontsize * scale)
        return self._fit[1]

    def highlight(self, row, col, height=1, width=1, *, color=WINDOW_COLOR, name="window",
                  linewidth=3):
        """Outline the block of cells [row:row+height, col:col+width]; a second call with the
        same name moves the rectangle (no new artist)."""
        xy = (col - 0.5, row - 0.5)
        rect = self.highlights.get(name)
        if rect is None:
            rect = Rectangle(xy, width, height, fill=False, edgecolor=color,
                             linewidth=linewidth, zorder=5, clip_on=False)
            self.ax.add_patch(rect)
            self.highlights[name] = rect
        else:
            rect.set_xy(xy)
            rect.set_width(width)
            rect.set_height(height)
            rect.set_visible(True)
        return rect

    def shade(self, rows=(), cols=(), *, color=WINDOW_COLOR, alpha=0.25, hatch=None):
        """Shade whole rows and columns (e.g. the ones a kernel never visits). Returns patches."""
        h, w = self.shape
        patches = []
        for r in rows:
            patches.append(Rectangle((-0.5, r - 0.5), w, 1, color=color, alpha=alpha,
                                     hatch=hatch, zorder=3))
        for c in cols:
            patches.append(Rectangle((c - 0.5, -0.5), 1, h, color=color, alpha=alpha,
                                     hatch=hatch, zorder=3))
        for p in patches:
            self.ax.add_patch(p)
        return patches

    def outline(self, row, col, height, width, *, color="black", linewidth=2, linestyle="-"):
        """A fixed outline (e.g. where the real input sits inside the padding)."""
        rect = Rectangle((col - 0.5, row - 0.5), width, height, fill=False, edgecolor=color,
                         linewidth=linewidth, linestyle=linestyle, zorder=4)
        self.ax.add_patch(rect)
        return rect


def draw_grid(ax, values, **kwargs) -> GridView:
    """Draw ``values`` ((H,W) or (L,)) on ``ax`` with each number in its cell; see GridView."""
    return GridView(ax, values, **kwargs)


def show_images(images, titles=None, *, cmap="gray", ncols=None, size=3.0, colorbar=False,
                suptitle=None, vmin=None, vmax=None, fig=None, captions=None,
                caption_colors=None, fontsize=10):
    """Images in a grid, ``ncols`` per row (default: all in one row); returns (fig, axes).

    images: a sequence of (H,W), (H,W,1) or (H,W,3) arrays, each drawn on its own scale unless
    vmin/vmax are given. Grayscale uses ``cmap``; with colorbar=True each gets its own colour
    bar (useful for feature maps with negative values). titles go above the images, captions
    below (in caption_colors). Uses pyplot (so the inline backend shows it) unless a Figure is
    given.
    """
    images = [as_image(img) for img in images]
    n = len(images)
    ncols = ncols or n
    nrows = -(-n // ncols)
    if fig is None:
        import matplotlib.pyplot as plt
        fig = plt.figure(figsize=(size * ncols, size * nrows + (0.4 if suptitle else 0)))
    axes = fig.subplots(nrows, ncols, squeeze=False).ravel()
    for k, ax in enumerate(axes):
        ax.set_xticks([])
        ax.set_yticks([])
        if k >= n:
            ax.set_visible(False)
            continue
        img = images[k]
        im = ax.imshow(img, cmap=None if img.ndim == 3 else cmap, vmin=vmin, vmax=vmax,
                       interpolation="nearest" if max(img.shape[:2]) <= 64 else "antialiased")
        if titles is not None and k < len(titles):
            ax.set_title(titles[k], fontsize=fontsize)
        if captions is not None and k < len(captions):
            ax.set_xlabel(captions[k], color=caption_colors[k] if caption_colors else None)
        if colorbar and img.ndim == 2:
            add_colorbar(im, ax)
    if suptitle:
        fig.suptitle(suptitle, fontsize=fontsize + 2)
    fig.tight_layout()
    return fig, axes[:n]


def add_colorbar(mappable, ax, *, size="5%", pad=0.08):
    """A colour bar beside ``ax`` exactly as tall as the picture drawn in it (matplotlib's
    default bar spans the Axes' whole slot, taller than a wide picture); returns it."""
    from mpl_toolkits.axes_grid1 import make_axes_locatable

    cax = make_axes_locatable(ax).append_axes("right", size=size, pad=pad)
    return ax.figure.colorbar(mappable, cax=cax)


def as_image(img):
    """(H,W), (H,W,3) or (H,W,4) as given; (H,W,1) -> (H,W)."""
    img = np.asarray(img)
    if img.ndim == 3 and img.shape[-1] == 1:
        img = img[..., 0]
    if img.ndim not in (2, 3):
        raise ValueError(_("expected an image of shape (H, W), (H, W, 1) or (H, W, 3), "
                           "got {shape}").format(shape=img.shape))
    return img


def new_figure(width, height) -> Figure:
    """A Figure with an Agg canvas, not managed by pyplot (never auto-displayed)."""
    fig = Figure(figsize=(width, height))
    FigureCanvasAgg(fig)
    return fig


def figure_png(fig, dpi=90, tight=True) -> bytes:
    """Render a Figure to PNG bytes (for ipywidgets.Image); tight=False is faster when the
    axes were placed by hand."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight" if tight else None)
    return buf.getvalue()


# ----------------------------------------------------------------------------- internals
CELL_TEXT_SHARE = 0.88        # a number takes at most this share of its cell's width and height


class _CellText(Text):
    """One number of a GridView: drawn at the grid's fitted size, so that the longest number
    fits its cell whatever the cell's size in this drawing (no "0.9960.137")."""

    def __init__(self, grid, x, y):
        super().__init__(x, y, "", ha="center", va="center", fontsize=grid.fontsize)
        self.grid = grid

    def draw(self, renderer):
        if self.get_visible() and self.get_text():
            self.set_fontsize(self.grid.fitted_fontsize(renderer))
        super().draw(renderer)


def _as_grid(values):
    values = np.asarray(values, dtype=float)
    if values.ndim == 1:
        return values[None, :]
    if values.ndim != 2:
        raise ValueError(_("a grid is a 1D (L,) or 2D (H,W) array, got shape {shape}").format(
            shape=values.shape))
    return values


def _font_size(h, w):
    n = max(h, w)
    return 11 if n <= 6 else 9 if n <= 10 else 7 if n <= 14 else 5


def _get_cmap(name):
    from matplotlib import colormaps
    return colormaps[name] if isinstance(name, str) else name
