"""BackwardStepper: the backward pass of a 2D convolution, one dout value at a time (S74).

    BackwardStepper(x, w, dout=None, stride=1, padding=0)

x (H,W), w (FH,FW); dout (OH,OW) = dL/d(output) (default: small random integers). The forward
pass read, for output (i, j), the window xpad[i*s:i*s+FH, j*s:j*s+FW]. Going backward, the value
dout[i, j] touches exactly the cells that window read and every kernel weight:

    dw[u, v]              += dout[i, j] * xpad[i*s + u, j*s + v]     (for every u, v)
    dxpad[i*s+u, j*s+v]   += dout[i, j] * w[u, v]                    (the same window)
    db                    += dout[i, j]

Step k takes the k-th output position, row by row (the forward's order, S9). The figure shows the
padded input with the window, dout with the current value, dw so far, w, dx so far (on the padded
grid: what lands on padding is dropped at the end) and db so far. After the last step dw, dx
and db are ``ops.conv2d_backward(dout, x, w, stride, padding)``.

Contract: ``.step`` is the IntSlider; ``partial_dw()``, ``partial_dx()``, ``partial_db()``
return the sums after the current step (accumulated here, loop by loop, not by ops);
``touches()`` the contributions of the current dout value.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import ops, viz
from ..i18n import _
from ._base import CourseWidget

__all__ = ["BackwardStepper"]


class BackwardStepper(CourseWidget):
    """Step through the backward pass of a 2D convolution; see the module docstring."""

    def __init__(self, x, w, dout=None, stride=1, padding=0, *, seed=0, interval=900):
        super().__init__()
        x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
        if x.ndim != 2 or w.ndim != 2:
            raise ValueError(_("BackwardStepper takes a 2D input x (H,W) and a 2D kernel w "
                               "(FH,FW), got x {x} and w {w}").format(x=x.shape, w=w.shape))
        if not (isinstance(stride, (int, np.integer)) and stride >= 1):
            raise ValueError(_("stride must be an int >= 1, got {stride!r}").format(stride=stride))
        self.x, self.w, self.stride = x, w, int(stride)
        self.pads = ops.padding_2d(padding, x.shape, w.shape, (self.stride, self.stride))
        out_shape = ops.conv2d(x, w, stride=self.stride, padding=self.pads).shape
        if dout is None:
            dout = np.random.default_rng(seed).integers(-2, 3, out_shape).astype(float)
        dout = np.asarray(dout, dtype=float)
        if dout.shape != out_shape:
            raise ValueError(_("dout has shape {shape} but the convolution's output has shape "
                               "{out_shape}: dout = dL/d(output) must have the output's shape")
                             .format(shape=dout.shape, out_shape=out_shape))
        self.dout, self.out_shape = dout, out_shape
        self.padded = ops.pad2d(x, self.pads)
        self._accumulate()
        n_steps = int(np.prod(out_shape))

        self.step = widgets.IntSlider(value=0, min=0, max=n_steps - 1, description=_("step"))
        self.play = widgets.Play(value=0, min=0, max=n_steps - 1, interval=interval,
                                 description=_("play"))
        widgets.jslink((self.play, "value"), (self.step, "value"))
        self.value_html = widgets.HTML()
        self.formula_html = widgets.HTML()
        self._build_figure()
        self.step.observe(self._safely(self._render), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.play, self.step, self.value_html]),
                                    self.figure_view, self.formula_html, self.errors])
        self._render()

    # ------------------------------------------------------------------ the numbers
    def _accumulate(self):
        """The backward pass as loops: running sums of dw, dxpad, db after every step."""
        fh, fw = self.w.shape
        s = self.stride
        dw, dxp, db = np.zeros_like(self.w), np.zeros_like(self.padded), 0.0
        self._dw, self._dxp, self._db = [], [], []
        for i in range(self.out_shape[0]):
            for j in range(self.out_shape[1]):
                g = self.dout[i, j]
                dw = dw + g * self.padded[i * s:i * s + fh, j * s:j * s + fw]
                dxp = dxp.copy()
                dxp[i * s:i * s + fh, j * s:j * s + fw] += g * self.w
                db += g
                self._dw.append(dw)
                self._dxp.append(dxp)
                self._db.append(db)

    def position(self, step=None):
        """Output index (i, j) of a step, row by row."""
        step = self.step.value if step is None else step
        return divmod(int(step), self.out_shape[1])

    def window(self, step=None):
        """(row, col) of the window's top-left cell in the padded input."""
        i, j = self.position(step)
        return i * self.stride, j * self.stride

    def touches(self, step=None):
        """What dout[i, j] adds at this step: {"dw": dout[i,j] * window (FH,FW),
        "dx": dout[i,j] * w (FH,FW) added at window(), "db": dout[i,j]}."""
        i, j = self.position(step)
        r, c = self.window(step)
        fh, fw = self.w.shape
        g = self.dout[i, j]
        return {"dw": g * self.padded[r:r + fh, c:c + fw], "dx": g * self.w, "db": g}

    def partial_dw(self, step=None):
        """dw after the steps up to and including this one: (FH,FW)."""
        return self._dw[self.step.value if step is None else step].copy()

    def partial_dx_padded(self, step=None):
        """dx on the padded grid so far (HP,WP): what lands on padding is dropped at the end."""
        return self._dxp[self.step.value if step is None else step].copy()

    def partial_dx(self, step=None):
        """dx so far, padding cropped: (H,W)."""
        (t, _bottom), (l, _right) = self.pads
        h, w = self.x.shape
        return self.partial_dx_padded(step)[t:t + h, l:l + w]

    def partial_db(self, step=None):
        return float(self._db[self.step.value if step is None else step])

    # ------------------------------------------------------------------ drawing
    def _build_figure(self):
        hp, wp = self.padded.shape
        fh, fw = self.w.shape
        oh, ow = self.out_shape
        mid = max(ow, 4)
        cell = min(0.42, 10.5 / (wp + mid + fw + 3))
        width = (wp + mid + max(fw, 2) + 3) * cell + 1.0
        height = (hp + max(hp, fh)) * cell + 1.6
        fig = viz.new_figure(width, height)
        grid = fig.add_gridspec(2, 3, width_ratios=[wp, mid, max(fw, 2)],
                                height_ratios=[max(hp, oh), max(hp, fh)], wspace=0.35,
                                hspace=0.45, left=0.04, right=0.96, top=0.9, bottom=0.04)
        lo, hi = self.padded.min(), self.padded.max()
        self.g_x = viz.draw_grid(fig.add_subplot(grid[0, 0]), self.padded, cmap="Greys",
                                 vmin=lo, vmax=hi + (hi - lo) * 0.8 + 1e-9, title=_("x (padded)"))
        self.g_dout = viz.draw_grid(fig.add_subplot(grid[0, 1]), self.dout, cmap="RdBu_r",
                                    vmin=-np.abs(self.dout).max() - 1e-9,
                                    vmax=np.abs(self.dout).max() + 1e-9, title="dout")
        lim = max(np.abs(np.array(self._dw)).max(), 1e-9)
        self.g_dw = viz.draw_grid(fig.add_subplot(grid[0, 2]), self.partial_dw(0),
                                  cmap="RdBu_r", vmin=-lim, vmax=lim, title=_("dw so far"))
        lim = max(np.abs(self.w).max(), 1e-9)
        viz.draw_grid(fig.add_subplot(grid[1, 2]), self.w, cmap="PuOr_r", vmin=-lim, vmax=lim,
                      title="w")
        lim = max(np.abs(np.array(self._dxp)).max(), 1e-9)
        self.g_dx = viz.draw_grid(fig.add_subplot(grid[1, 0]), self.partial_dx_padded(0),
                                  cmap="RdBu_r", vmin=-lim, vmax=lim, title=_("dx so far (padded)"))
        ax_db = fig.add_subplot(grid[1, 1])
        ax_db.axis("off")
        self._db_text = ax_db.text(0.5, 0.5, "", ha="center", va="center", fontsize=12,
                                   transform=ax_db.transAxes)
        (t, b), (l, r) = self.pads
        for g in (self.g_x, self.g_dx):
            if t or b or l or r:
                g.outline(t, l, hp - t - b, wp - l - r, linestyle="--")
        self.fig = fig

    def _render(self):
        step = self.step.value
        i, j = self.position(step)
        r, c = self.window(step)
        fh, fw = self.w.shape
        self.g_x.highlight(r, c, fh, fw)
        self.g_dout.highlight(i, j, color=viz.CURRENT_COLOR)
        self.g_dw.set_values(self.partial_dw(step))
        self.g_dw.highlight(0, 0, fh, fw, color=viz.CURRENT_COLOR)
        self.g_dx.set_values(self.partial_dx_padded(step))
        self.g_dx.highlight(r, c, fh, fw)
        self._db_text.set_text(_("db so far = {db}").format(
            db=viz.format_cell(self.partial_db(step))))
        self._show_figure(self.fig, tight=False)
        g = self.dout[i, j]
        self.value_html.value = (f"<span style='font-size:1.1em'>dout[{i}, {j}] = "
                                 f"<b>{html.escape(viz.format_cell(g))}</b></span>")
        self.formula_html.value = self._formula_html(step)

    def _formula_html(self, step):
        i, j = self.position(step)
        r, c = self.window(step)
        g = viz.format_cell(self.dout[i, j])
        lines = [f"<b>dout[{i}, {j}] = {g}</b> ("
                 + _("step {step} of {n}").format(step=step, n=int(np.prod(self.out_shape)) - 1)
                 + ")",
                 f"dw[u, v] += {g} × xpad[{r} + u, {c} + v] &nbsp; ("
                 + _("the window the forward read") + ")",
                 f"dxpad[{r} + u, {c} + v] += {g} × w[u, v] &nbsp; (" + _("the same window") + ")",
                 f"db += {g}"]
        return ("<div style='font-family:monospace; font-size:0.95em; line-height:1.5'>"
                + "<br>".join(lines) + "</div>")
