"""Pooling stepper: max/average pooling window by window, and what a one-pixel shift changes.

``PoolingStepper(x, pool_size=2, stride=None, mode="max")`` shows three panels:

1. the input (H,W) - or the input shifted one pixel right when "shift" is on - with the current
   pooling window outlined and, for max pooling, a dot on every input value that is passed on;
2. the pooled output (OH,OW) with the current output cell outlined;
3. which outputs change when the input moves one pixel right (1 = changed): the invariance of
   max pooling to small shifts (불변성, S33), and how much of the input it throws away (S34).

Everything it draws is computed by ``cnncourse.ops`` (``pool2d``, ``shift``,
``kept_by_max_pool``); the methods ``output()``, ``shifted_output()``, ``changed_mask()``,
``kept_mask()`` return those arrays.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import ops, viz
from ..i18n import N_, _
from ._base import CourseWidget

__all__ = ["PoolingStepper"]

MODES = ("max", "avg")
MAX_DOTS_SIDE = 32           # above this input size the "kept" dots would hide the picture
DOT_COLOR = "#00e05a"        # the kept values: a vivid green, black-edged, on any grey
DOT_SHARE = 0.7              # a dot's diameter, as a share of a cell's side ...
DOT_SHARE_BESIDE_NUMBERS = 0.3   # ... or, in a corner of a cell that shows its number
POOL_TITLES = {"max": N_("max pool"), "avg": N_("avg pool")}    # panel 2's title
VALUE_NAMES = {"max": N_("max"), "avg": N_("mean")}               # what a window gives
CMAP = "gray"                # black = small, white = large: a photo looks like the photo


class PoolingStepper(CourseWidget):
    """Step through max/average pooling of a 2D map and toggle a one-pixel shift.

    x: (H,W) array (a small grid of numbers or a grayscale photo). pool_size: window side F.
    stride: None means "equal to the pool size" (non-overlapping windows, the Keras default).
    mode: "max" or "avg". Display with ``display(stepper)`` or just ``stepper`` as a cell's value.
    """

    def __init__(self, x, pool_size=2, stride=None, mode="max"):
        super().__init__()
        x = np.asarray(x, dtype=float)
        if x.ndim != 2:
            raise ValueError(_("PoolingStepper takes one 2D map (H,W), got shape {shape}; "
                               "for a colour photo pass one channel or a grayscale version")
                             .format(shape=x.shape))
        if mode not in MODES:
            raise ValueError(_("mode must be 'max' or 'avg', got {mode!r}").format(mode=mode))
        try:
            ops.pool2d(x, pool_size, stride, mode)      # the window must fit: ops says why not
        except ValueError as err:
            raise ValueError(f"pool_size={pool_size!r}: {err}") from None
        side = min(x.shape)                             # the sliders' range
        if stride is not None and not 1 <= stride <= side:
            raise ValueError(_("stride must be between 1 and {side}, got {stride}").format(
                side=side, stride=stride))
        self.x = x
        self._vmin, self._vmax = float(x.min()), float(x.max())

        self.mode = widgets.ToggleButtons(options=[(_("max pooling"), "max"),
                                                   (_("average pooling"), "avg")], value=mode,
                                          description=_("mode"))
        wide = {"description_width": "initial"}          # labels are never cut short
        self.pool_size = widgets.IntSlider(value=pool_size, min=1, max=side,
                                           description=_("pool size F"), style=wide)
        self.tie_stride = widgets.Checkbox(value=stride is None,
                                           description=_("stride = pool size (Keras default)"),
                                           indent=False, layout=widgets.Layout(width="auto"))
        self.stride = widgets.IntSlider(value=pool_size if stride is None else stride, min=1,
                                        max=side, description=_("stride S"), style=wide,
                                        disabled=stride is None)
        self.step = widgets.IntSlider(value=0, min=0, max=0, description=_("window"))
        self.play = widgets.Play(interval=600, min=0, max=0, description=_("play"))
        widgets.jslink((self.play, "value"), (self.step, "value"))
        self.shift = widgets.ToggleButton(value=False, description=_("shift input 1 px right"),
                                          icon="arrow-right",
                                          layout=widgets.Layout(width="auto"))
        self.info = widgets.HTML()

        self.fig = viz.new_figure(12, 4.2)
        self.ax_in, self.ax_out, self.ax_changed = self.fig.subplots(1, 3)
        self.in_view = viz.draw_grid(self.ax_in, x, cmap=CMAP, vmin=self._vmin,
                                     vmax=self._vmax)
        self.kept_dots = self.ax_in.scatter([], [], s=self.dot_size(), c=DOT_COLOR,
                                            edgecolors="black", zorder=6,
                                            linewidths=min(1.0, 0.12 * self.dot_size() ** 0.5))
        self.out_view = None
        self.changed_view = None
        self._shape = None
        self._shape_mode = None

        for w in (self.mode, self.pool_size, self.stride, self.shift):
            w.observe(self._safely(self._on_params), names="value")
        self.tie_stride.observe(self._safely(self._on_tie), names="value")
        self.step.observe(self._safely(self._render), names="value")

        controls = widgets.VBox([
            self.mode,
            widgets.HBox([self.pool_size, self.stride, self.tie_stride]),
            widgets.HBox([self.play, self.step, self.shift]),
        ])
        self.widget = widgets.VBox([controls, self.figure_view, self.info, self.errors])
        self._safely(self._on_params)()

    # ------------------------------------------------------------------ numbers (for tests)
    def params(self):
        """(pool_size, stride) currently selected."""
        p = self.pool_size.value
        return p, (p if self.tie_stride.value else self.stride.value)

    def shifted_input(self):
        """The input moved one pixel right; the column coming in on the left takes the
        input's smallest value (its background): ops.shift(x, 0, 1, fill=x.min())."""
        return ops.shift(self.x, 0, 1, fill=self.x.min())

    def shown_input(self):
        """What panel 1 shows: the input, or the shifted input when "shift" is on."""
        return self.shifted_input() if self.shift.value else self.x

    def output(self):
        """Pooling of the original input: ops.max_pool2d / avg_pool2d(x, F, S)."""
        p, s = self.params()
        return ops.pool2d(self.x, p, s, self.mode.value)

    def shifted_output(self):
        """Pooling of the input shifted one pixel right."""
        p, s = self.params()
        return ops.pool2d(self.shifted_input(), p, s, self.mode.value)

    def shown_output(self):
        """What panel 2 shows: output() or shifted_output(), following the "shift" toggle."""
        return self.shifted_output() if self.shift.value else self.output()

    def changed_mask(self):
        """Boolean (OH,OW): True where the one-pixel shift changed the pooled value."""
        return ~np.isclose(self.output(), self.shifted_output())

    def kept_mask(self):
        """Boolean (H,W): the shown input's cells that max pooling passes on."""
        p, s = self.params()
        return ops.kept_by_max_pool(self.shown_input(), p, s)

    def cell_points(self):
        """The side of one input cell in the figure, in points (the grid keeps square cells)."""
        pos = self.ax_in.get_position()
        width, height = self.fig.get_size_inches()
        h, w = self.x.shape
        return 72 * min(pos.width * width / w, pos.height * height / h)

    def dot_size(self):
        """Marker area (points²) of the "kept" dots: DOT_SHARE of a cell across (a smaller
        dot in the cell's corner when the cells show their numbers)."""
        share = DOT_SHARE if self.in_view.texts is None else DOT_SHARE_BESIDE_NUMBERS
        return (share * self.cell_points()) ** 2

    def dots_shown(self):
        """Whether the kept values are marked with dots (max pooling, input side <= 32)."""
        return self.mode.value == "max" and max(self.x.shape) <= MAX_DOTS_SIDE

    def discarded_fraction(self):
        """Fraction of the shown input's values that max pooling throws away (S34)."""
        return 1.0 - self.kept_mask().mean()

    def window(self, k=None):
        """(i, j, row, col) of window k (default: the current step): output cell (i, j) pools
        the input block [row:row+F, col:col+F]. Windows go left to right, then down."""
        p, s = self.params()
        oh, ow = self.output().shape
        k = self.step.value if k is None else k
        i, j = divmod(int(k), ow)
        return i, j, i * s, j * s

    def current_value(self):
        """The pooled value of the current window (in the shown input)."""
        i, j, _, _ = self.window()
        return float(self.shown_output()[i, j])

    # ------------------------------------------------------------------ callbacks
    def _on_tie(self):
        self.stride.disabled = self.tie_stride.value
        self._on_params()

    def _on_params(self):
        p, _ = self.params()
        output = self.output()
        n = output.size
        with self._updating_controls():
            if self.tie_stride.value and self.stride.value != p:
                self.stride.value = p
            self.step.max = self.play.max = n - 1
            if self.step.value > n - 1:
                self.step.value = n - 1
        if output.shape != self._shape or self.mode.value != self._shape_mode:
            self._build_output_panels(output)
        self._render()

    def _build_output_panels(self, output):
        for ax in (self.ax_out, self.ax_changed):
            ax.clear()
        zeros = np.zeros(output.shape)
        # average pooling makes fractions even from integers: decide on the output's values
        self.out_view = viz.draw_grid(self.ax_out, zeros, cmap=CMAP, vmin=self._vmin,
                                      vmax=self._vmax, show_values=viz.numbers_fit(output))
        self.changed_view = viz.draw_grid(self.ax_changed, zeros, cmap="Reds", vmin=0, vmax=1.6,
                                          show_values=viz.numbers_fit(zeros))
        self._shape_mode = self.mode.value
        self._shape = output.shape

    def _render(self):
        p, s = self.params()
        mode = self.mode.value
        shown_in, shown_out = self.shown_input(), self.shown_output()
        changed = self.changed_mask()
        i, j, r, c = self.window()
        name = _(VALUE_NAMES[mode])
        shifted = " " + _("(shifted 1 px right)") if self.shift.value else ""

        self.in_view.set_values(shown_in)
        self.in_view.highlight(r, c, p, p)
        self.ax_in.set_title(_("input {h}x{w}").format(h=self.x.shape[0], w=self.x.shape[1])
                             + shifted, fontsize=10)
        self.out_view.set_values(shown_out)
        self.out_view.highlight(i, j, color=viz.CURRENT_COLOR)
        oh, ow = shown_out.shape
        self.ax_out.set_title(f"{_(POOL_TITLES[mode])} F={p}, S={s}: {oh}x{ow}{shifted}",
                              fontsize=10)
        self.changed_view.set_values(changed.astype(float))
        self.ax_changed.set_title(_("changed by a 1 px shift: {n} of {total}").format(
            n=int(changed.sum()), total=changed.size), fontsize=10)
        if self.dots_shown():
            rows, cols = np.nonzero(self.kept_mask())
            # beside the number when the cells show numbers, else in the middle of the cell
            corner = 0.3 if self.in_view.texts is not None else 0.0
            self.kept_dots.set_offsets(np.column_stack([cols + corner, rows - corner]))
        else:
            self.kept_dots.set_offsets(np.empty((0, 2)))
        self._show_figure(self.fig)

        window = shown_in[r:r + p, c:c + p]
        h, w = self.x.shape
        lines = [
            _("<b>window ({i}, {j})</b>: rows {r}-{r_end}, columns {c}-{c_end} "
              "&rarr; {name} = <b>{value}</b> (of {n} values)").format(
                i=i, j=j, r=r, r_end=r + p - 1, c=c, c_end=c + p - 1, name=name,
                value=viz.format_cell(self.current_value()), n=window.size),
            _("output size: floor(({h} - {p}) / {s}) + 1 = {oh} rows, "
              "floor(({w} - {p}) / {s}) + 1 = {ow} columns; no weights to learn").format(
                h=h, w=w, p=p, s=s, oh=oh, ow=ow),
        ]
        if mode == "max":
            kept = int(self.kept_mask().sum())
            dots = " " + _("(green dots)") if self.dots_shown() else ""
            lines.append(_("max pooling passes on {kept} of {n} input values{dots}: "
                           "<b>{percent:.1f}% discarded</b>").format(
                kept=kept, n=h * w, dots=dots, percent=100 * self.discarded_fraction()))
        else:
            lines.append(_("average pooling keeps no single value: {n} values are summarised "
                           "into {means} means").format(n=h * w, means=oh * ow))
        same = changed.size - int(changed.sum())
        lines.append(_("one-pixel shift right: <b>{n} of {total}</b> outputs change, {same} "
                       "stay the same ({percent:.0f}% invariant)").format(
            n=int(changed.sum()), total=changed.size, same=same,
            percent=100 * same / changed.size))
        self.info.value = "<br>".join(lines)
