"""SizePlayground: input size, kernel, padding, stride -> output size (S22-S24, S27).

    SizePlayground(n=7, kernel=3, padding=0, stride=1)

Draws the padded n+2P grid (padding grey, the input outlined), the kernel positions along the
rows (and, identically, the columns: red ticks with the index where each window starts), and
the output size from the formula of document 003, written as notebook 04 writes it:

    W₂ = floor((W₁ - F + 2P) / S) + 1

When (W - F + 2P) / S is not a whole number, the last rows/columns cannot be reached by a full
kernel step: they are shaded and the floor is explained. When S > F, the rows between two
windows are never visited either. A kernel larger than the padded input is never refused: the
output is then empty, and the text says why with the error ``cnncourse.ops.output_size`` gives
(the message every widget shows for a kernel that does not fit).
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import ops, viz
from ..i18n import _
from ._base import CourseWidget

__all__ = ["SizePlayground"]


class SizePlayground(CourseWidget):
    """Sliders for W (n), F (kernel), P (padding), S (stride); see the module docstring."""

    def __init__(self, n=7, kernel=3, padding=0, stride=1, *, max_n=40, max_kernel=9,
                 max_padding=4, max_stride=5):
        super().__init__()
        slider = dict(continuous_update=True, style={"description_width": "initial"})
        self.n = widgets.IntSlider(value=n, min=1, max=max(max_n, n), description=_("input W₁"),
                                   **slider)
        self.kernel = widgets.IntSlider(value=kernel, min=1, max=max(max_kernel, kernel),
                                        description=_("kernel F"), **slider)
        self.padding = widgets.IntSlider(value=padding, min=0, max=max(max_padding, padding),
                                         description=_("padding P"), **slider)
        self.stride = widgets.IntSlider(value=stride, min=1, max=max(max_stride, stride),
                                        description=_("stride S"), **slider)
        self.text_html = widgets.HTML()
        for s in (self.n, self.kernel, self.padding, self.stride):
            s.observe(self._safely(self._render), names="value")
        self.widget = widgets.VBox([
            widgets.HBox([widgets.VBox([self.n, self.kernel]),
                          widgets.VBox([self.padding, self.stride])]),
            self.text_html, self.figure_view, self.errors])
        self._render()

    # ------------------------------------------------------------------ numbers
    @property
    def values(self):
        """(W, F, P, S) as currently set."""
        return self.n.value, self.kernel.value, self.padding.value, self.stride.value

    def padded_size(self):
        w, f, p, s = self.values
        return w + 2 * p

    def output_size(self) -> int:
        """ops.output_size(W, F, S, P), or 0 when the kernel does not fit in the padded input."""
        return 0 if self.does_not_fit() else ops.output_size(*self._wfsp())

    def does_not_fit(self):
        """None, or the ValueError of ops.output_size when the kernel is larger than W + 2P."""
        try:
            ops.output_size(*self._wfsp())
        except ValueError as err:
            return err
        return None

    def _wfsp(self):
        w, f, p, s = self.values
        return w, f, s, p

    def starts(self):
        """First padded index of every kernel position along one axis."""
        w, f, p, s = self.values
        return [i * s for i in range(self.output_size())]

    def unvisited(self):
        """Indices of padded rows (and columns: the same) that no kernel window covers."""
        w, f, p, s = self.values
        covered = np.zeros(self.padded_size(), bool)
        for start in self.starts():
            covered[start:start + f] = True
        return [int(i) for i in np.flatnonzero(~covered)]

    def dropped_by_floor(self):
        """Unvisited indices after the last window: the rows the floor drops."""
        starts = self.starts()
        end = starts[-1] + self.kernel.value if starts else 0
        return [i for i in self.unvisited() if i >= end]

    @property
    def text(self) -> str:
        """The explanation shown above the grid, as plain text."""
        return self._text

    # ------------------------------------------------------------------ drawing
    def _explain(self):
        w, f, p, s = self.values
        span = w - f + 2 * p
        o = self.output_size()
        lines = [f"W₁ = {w}, F = {f}, P = {p}, S = {s};  "
                 + _("padded input W₁ + 2P = {n}").format(n=w + 2 * p)]
        error = self.does_not_fit()
        if error:
            lines.append(_("The kernel fits nowhere, so the output is EMPTY (0 × 0): {error}")
                         .format(error=error))
            return lines
        exact = span / s
        formula = f"W₂ = floor((W₁ − F + 2P)/S) + 1 = floor(({w} − {f} + {2 * p})/{s}) + 1"
        if span % s == 0:
            lines.append(f"{formula} = {span // s} + 1 = {o}   → "
                         + _("output {o} × {o}").format(o=o))
            lines.append(_("({span}/{s} = {whole} is whole: the last window ends exactly at "
                           "the last padded row.)").format(span=span, s=s, whole=span // s))
        else:
            dropped = self.dropped_by_floor()
            lines.append(f"{formula} = floor({exact:.3g}) + 1 = {span // s} + 1 = {o}"
                         "   → " + _("output {o} × {o}").format(o=o))
            lines.append(_("({span}/{s} = {exact:.3g} is not whole: one more step of {s} would "
                           "put the kernel past the edge, so the floor drops it. Padded "
                           "row(s)/column(s) {dropped} are never visited (shaded red). Keras' "
                           "padding='valid' does the same; padding='same' would pad so that the "
                           "output is ceil(W₁/S) = {same}.)").format(
                span=span, s=s, exact=exact, dropped=dropped, same=-(-w // s)))
        gaps = [i for i in self.unvisited() if i not in self.dropped_by_floor()]
        if gaps:
            lines.append(_("S = {s} > F = {f}: rows/columns {gaps} fall between two windows "
                           "and are skipped too (shaded orange).").format(s=s, f=f, gaps=gaps))
        return lines

    def _render(self):
        w, f, p, s = self.values
        lines = self._explain()
        self._text = "\n".join(lines)
        self.text_html.value = ("<div style='font-family:monospace; line-height:1.5'>"
                                + "<br>".join(html.escape(t) for t in lines) + "</div>")
        n_pad = w + 2 * p
        o = self.output_size()
        cell = min(0.4, 6.0 / max(n_pad, 1))
        out_cells = max(o, 1)
        width = n_pad * cell + out_cells * cell + 2.2
        height = max(n_pad, out_cells) * cell + 1.0
        fig = viz.new_figure(width, height)
        ax = fig.add_axes([0.4 / width, 0.3 / height, n_pad * cell / width,
                           n_pad * cell / height])
        grid = np.zeros((n_pad, n_pad))
        grid[p:p + w, p:p + w] = 1.0
        g = viz.draw_grid(ax, grid, cmap="Greys", vmin=-0.6, vmax=2.5, show_values=False,
                          title=_("padded input {n}×{n} (ticks: where windows start)").format(n=n_pad))
        if p:
            g.outline(p, p, w, w, color="black", linestyle="--")
        dropped = self.dropped_by_floor()
        gaps = [i for i in self.unvisited() if i not in dropped]
        g.shade(rows=dropped, cols=dropped, color=viz.WINDOW_COLOR, alpha=0.35)
        g.shade(rows=gaps, cols=gaps, color=viz.CURRENT_COLOR, alpha=0.3)
        starts = self.starts()
        if starts:
            g.highlight(0, 0, f, f, name="first")
            last = starts[-1]
            if last:
                g.highlight(last, last, f, f, name="last", color="#1f77b4", linewidth=2)
            _window_ticks(ax, starts)
        else:
            ax.text(n_pad / 2 - 0.5, n_pad / 2 - 0.5, _("kernel {f}×{f}\ndoes not fit").format(f=f),
                    ha="center", va="center", color=viz.WINDOW_COLOR, fontsize=11)
        x_out = 0.4 + n_pad * cell + 1.2
        ax_o = fig.add_axes([x_out / width, 0.3 / height, out_cells * cell / width,
                             out_cells * cell / height])
        if o:
            viz.draw_grid(ax_o, np.zeros((o, o)), cmap="Oranges", vmin=0, vmax=1,
                          show_values=False, title=_("output {o}×{o}").format(o=o))
        else:
            ax_o.set_xticks([])
            ax_o.set_yticks([])
            ax_o.set_title(_("output: empty"), fontsize=10)
        self._show_figure(fig)


def _window_ticks(ax, starts, most=12):
    """Red ticks on the top and left edges at the cell where each window starts, labelled with
    that padded index (every n-th label when there are many): axis ticks, outside the grid, so
    that they cannot look like one more row or column."""
    every = max(1, -(-len(starts) // most))
    labels = [str(st) if k % every == 0 else "" for k, st in enumerate(starts)]
    ax.set_xticks(starts, labels)
    ax.set_yticks(starts, labels)
    ax.xaxis.set_ticks_position("top")
    ax.tick_params(which="major", length=6, width=1.5, color=viz.WINDOW_COLOR,
                   labelcolor=viz.WINDOW_COLOR, labelsize=8, pad=1)
