"""ConvStepper: step a kernel over an input one output position at a time (S7-S9, S12, S39-S40).

    ConvStepper(x, w, b=0.0, stride=1, padding=0)

- 1D:  x (L,),      w (K,)          -> output (OL,)       = cnncourse.ops.conv1d
- 2D:  x (H,W),     w (FH,FW)       -> output (OH,OW)     = cnncourse.ops.conv2d
- RGB: x (H,W,C),   w (FH,FW,C)     -> output (OH,OW)     = ops.conv2d(x, w[..., None])[..., 0]
  (one sum per channel, then the channel sums plus the bias give the output value).

padding: "valid", "same" (split like Keras), an int per side, or for 2D a pair (ph, pw).
The widget shows the padded input, the kernel and the output side by side, the current window
in red, the output cell being computed in orange, and the formula view: every element-wise
product and their sum for the current position.

Contract (used by the browser tests): ``.step`` is the IntSlider; ``.value_html`` is an HTML
widget with CSS class "cnncourse-output-value" whose text contains ``format_value(v)`` of the
current output value; ``.current_value()`` returns that value; ``.output()`` the full output.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import ops, viz
from ._base import CourseWidget

__all__ = ["ConvStepper", "format_value", "OUTPUT_VALUE_CLASS"]

OUTPUT_VALUE_CLASS = "cnncourse-output-value"
CHANNEL_NAMES = {3: ("R", "G", "B")}
CHANNEL_CMAPS = {3: ("Reds", "Greens", "Blues")}
MAX_FIG_WIDTH = 11.0   # inches


def format_value(v) -> str:
    """How the stepper writes an output value: up to 6 significant digits, no '-0'."""
    v = float(v)
    return "0" if v == 0 else f"{v:g}"


class ConvStepper(CourseWidget):
    """Step through a 1D, 2D or multi-channel convolution; see the module docstring."""

    def __init__(self, x, w, b=0.0, stride=1, padding=0, *, interval=800):
        super().__init__()
        x, w = np.asarray(x, dtype=float), np.asarray(w, dtype=float)
        if np.ndim(b) != 0:
            raise ValueError(f"b must be one number (one filter, one bias), got shape {np.shape(b)}")
        if not (isinstance(stride, (int, np.integer)) and stride >= 1):
            raise ValueError(f"stride must be an int >= 1, got {stride!r}")
        self.x, self.w, self.b, self.stride = x, w, float(b), int(stride)
        if x.ndim == 1 and w.ndim == 1:
            self.kind = "1d"
        elif x.ndim == 2 and w.ndim == 2:
            self.kind = "2d"
        elif x.ndim == 3 and w.ndim == 3:
            if x.shape[2] != w.shape[2]:
                raise ValueError(f"channel mismatch: x {x.shape} has {x.shape[2]} channels but w "
                                 f"{w.shape} has {w.shape[2]}; the kernel's depth must equal the "
                                 "input's depth")
            self.kind = "channels"
        else:
            raise ValueError(
                f"ConvStepper takes x (L,) with w (K,), x (H,W) with w (FH,FW), or x (H,W,C) with "
                f"w (FH,FW,C); got x {x.shape} and w {w.shape}")

        s = self.stride
        if self.kind == "1d":
            self.pads = (ops.axis_padding(padding, len(x), len(w), s),)
            self._output = ops.conv1d(x, w, self.b, stride=s, padding=self.pads[0])
            self.padded = np.pad(x, self.pads[0])
        else:
            self.pads = ops.padding_2d(padding, x.shape[:2], w.shape[:2], (s, s))
            if self.kind == "2d":
                self._output = ops.conv2d(x, w, self.b, stride=s, padding=self.pads)
            else:
                self._output = ops.conv2d(x, w[..., None], self.b, stride=s,
                                          padding=self.pads)[..., 0]
            self.padded = ops.pad2d(x, self.pads)
        self.out_shape = self._output.shape
        n_steps = int(np.prod(self.out_shape))

        # controls
        self.step = widgets.IntSlider(value=0, min=0, max=n_steps - 1, description="step",
                                      continuous_update=True)
        self.play = widgets.Play(value=0, min=0, max=n_steps - 1, interval=interval,
                                 description="play")
        widgets.jslink((self.play, "value"), (self.step, "value"))
        self.value_html = widgets.HTML()
        self.value_html.add_class(OUTPUT_VALUE_CLASS)
        self.formula_html = widgets.HTML()
        self._build_figure()
        self.step.observe(self._safely(self._render), names="value")
        self.widget = widgets.VBox([
            widgets.HBox([self.play, self.step, self.value_html]),
            self.figure_view, self.formula_html, self.errors])
        self._render()

    # ------------------------------------------------------------------ what is shown
    def output(self):
        """The full output, computed by cnncourse.ops (conv1d / conv2d)."""
        return self._output.copy()

    def position(self, step=None):
        """Output index for a step: (i,) in 1D, (i, j) in 2D; row by row (S9)."""
        step = self.step.value if step is None else step
        return (step,) if self.kind == "1d" else divmod(step, self.out_shape[1])

    def window(self, step=None):
        """The padded-input window under the kernel at this step: shape of w."""
        s = self.stride
        if self.kind == "1d":
            (i,) = self.position(step)
            return self.padded[i * s:i * s + len(self.w)]
        i, j = self.position(step)
        fh, fw = self.w.shape[:2]
        return self.padded[i * s:i * s + fh, j * s:j * s + fw]

    def products(self, step=None):
        """Element-wise products window * w (the terms of the sum)."""
        return self.window(step) * self.w

    def channel_sums(self, step=None):
        """One sum per channel (multi-channel input only), shape (C,)."""
        if self.kind != "channels":
            raise ValueError("channel_sums is for a multi-channel input (H,W,C)")
        return self.products(step).sum(axis=(0, 1))

    def current_value(self) -> float:
        """Sum of the products plus the bias at the current step: the value shown."""
        return float(self.products().sum() + self.b)

    def partial_output(self, step=None):
        """The output as filled in so far: positions after the current step are NaN."""
        step = self.step.value if step is None else step
        flat = self._output.astype(float).ravel().copy()
        flat[step + 1:] = np.nan
        return flat.reshape(self.out_shape)

    # ------------------------------------------------------------------ drawing
    def _build_figure(self):
        s, w = self.stride, self.w
        if self.kind == "1d":
            lp, k, ol = len(self.padded), len(w), self.out_shape[0]
            cell = min(0.5, (MAX_FIG_WIDTH - 1.0) / lp)
            width = lp * cell + 1.4
            fig = viz.new_figure(width, 3 * cell + 1.6)
            place = _Placer(fig, width, 3 * cell + 1.6)
            self._ax_in = place(1.2, 0.35, lp * cell, cell)
            self._ax_k = place(1.2, 0.85 + cell, k * cell, cell)
            self._ax_out = place(1.2, 1.35 + 2 * cell, ol * cell, cell)
            self._cell, self._x0, self._k_y = cell, 1.2, 0.85 + cell
            lo, hi = _range(self.padded)
            self.g_in = viz.draw_grid(self._ax_in, self.padded, cmap="Greys", vmin=lo,
                                      vmax=hi + (hi - lo) * 0.6)
            lo, hi = _range(w)
            self.g_k = viz.draw_grid(self._ax_k, w, cmap="Purples", vmin=lo,
                                     vmax=hi + (hi - lo) * 0.8)
            lo, hi = _range(self._output)
            self.g_out = viz.draw_grid(self._ax_out, self.partial_output(0), cmap="Oranges",
                                       vmin=lo, vmax=hi + (hi - lo) * 0.5)
            for ax, label in ((self._ax_in, "x (padded)"), (self._ax_k, "w"),
                              (self._ax_out, "s = x ⊛ w + b")):
                ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=10)
            self._mark_padding(self.g_in, self.pads[0], None)
            self.fig = fig
            return

        hp, wp = self.padded.shape[:2]
        fh, fw = w.shape[:2]
        oh, ow = self.out_shape
        c = 1 if self.kind == "2d" else self.x.shape[2]
        gaps = 0.9
        cell = min(0.45, (MAX_FIG_WIDTH - 2 * gaps - 0.4) / (wp + fw + ow))
        row_h = max(hp, fh) * cell + 0.45
        height = max(c * row_h, oh * cell + 0.45) + 0.2
        width = (wp + fw + ow) * cell + 2 * gaps + 0.4
        fig = viz.new_figure(width, height)
        place = _Placer(fig, width, height)
        x_in, x_k = 0.2, 0.2 + wp * cell + gaps
        x_out = x_k + fw * cell + gaps
        names = CHANNEL_NAMES.get(c, tuple(f"c{k}" for k in range(c)))
        cmaps = CHANNEL_CMAPS.get(c, ("Greys",) * c) if c > 1 else ("Greys",)
        self.g_in, self.g_k = [], []
        for ch in range(c):
            y = 0.1 + ch * row_h + 0.35
            xin = self.padded if c == 1 else self.padded[:, :, ch]
            wk = w if c == 1 else w[:, :, ch]
            ax_in = place(x_in, y + (max(hp, fh) - hp) * cell / 2, wp * cell, hp * cell)
            ax_k = place(x_k, y + (max(hp, fh) - fh) * cell / 2, fw * cell, fh * cell)
            lo, hi = _range(xin)
            label = "" if c == 1 else f" [{names[ch]}]"
            g_in = viz.draw_grid(ax_in, xin, cmap=cmaps[ch], vmin=lo, vmax=hi + (hi - lo) * 0.8,
                                 title=f"x (padded){label}")
            lo, hi = _range(wk)
            g_k = viz.draw_grid(ax_k, wk, cmap="Purples", vmin=lo, vmax=hi + (hi - lo) * 0.8,
                                title=f"w{label}")
            self._mark_padding(g_in, *self.pads)
            fig.text((x_k - gaps / 2) / width, 1 - (y + max(hp, fh) * cell / 2) / height, "⊛",
                     ha="center", va="center", fontsize=18)
            self.g_in.append(g_in)
            self.g_k.append(g_k)
        y_out = (height - oh * cell) / 2 + 0.15
        ax_out = place(x_out, y_out, ow * cell, oh * cell)
        lo, hi = _range(self._output)
        self.g_out = viz.draw_grid(ax_out, self.partial_output(0), cmap="Oranges", vmin=lo,
                                   vmax=hi + (hi - lo) * 0.5, title="output")
        eq = "=" if self.b == 0 and c == 1 else ("+ b =" if c == 1 else "Σc + b =")
        fig.text((x_out - gaps / 2) / width, 1 - (y_out + oh * cell / 2) / height, eq,
                 ha="center", va="center", fontsize=13)
        self.fig = fig

    def _mark_padding(self, grid, pads_h, pads_w):
        """Outline the real input inside the padded grid (padding cells are outside it)."""
        if pads_w is None:   # 1D
            before, after = pads_h
            n = grid.shape[1] - before - after
            if before or after:
                grid.outline(0, before, 1, n, color="black", linestyle="--")
            return
        (t, b_), (l, r) = pads_h, pads_w
        if t or b_ or l or r:
            grid.outline(t, l, grid.shape[0] - t - b_, grid.shape[1] - l - r,
                         color="black", linestyle="--")

    def _render(self):
        step = self.step.value
        s = self.stride
        if self.kind == "1d":
            (i,) = self.position(step)
            k = len(self.w)
            self.g_in.highlight(0, i * s, 1, k)
            # the kernel row slides under its window
            x = self._x0 + i * s * self._cell
            fw, fh = self.fig.get_size_inches()
            pos = self._ax_k.get_position()
            self._ax_k.set_position([x / fw, pos.y0, pos.width, pos.height])
            self.g_out.set_values(self.partial_output(step))
            self.g_out.highlight(0, i, color=viz.CURRENT_COLOR)
        else:
            i, j = self.position(step)
            fh, fw = self.w.shape[:2]
            for g in self.g_in:
                g.highlight(i * s, j * s, fh, fw)
            self.g_out.set_values(self.partial_output(step))
            self.g_out.highlight(i, j, color=viz.CURRENT_COLOR)
        self._show_figure(self.fig, tight=False)
        v = self.current_value()
        index = ", ".join(str(k) for k in self.position(step))
        self.value_html.value = (f"<span style='font-size:1.1em'>output[{index}] = "
                                 f"<b>{html.escape(format_value(v))}</b></span>")
        self.formula_html.value = self._formula_html(step)

    def _formula_html(self, step):
        s = self.stride
        pos = self.position(step)
        index = ", ".join(str(k) for k in pos)
        prods = self.products(step)
        win, w = self.window(step), self.w
        lines = []
        if self.kind == "1d":
            (i,) = pos
            lines.append(f"s({i}) = Σ<sub>x</sub> z({i}·{s} + x) · u(x) + b"
                         f"   (window = padded x[{i * s}:{i * s + len(w)}])")
            lines.append(" + ".join(f"({_n(a)}×{_n(c)})" for a, c in zip(win, w)))
            total = prods.sum()
            lines.append(f"= {_n(total)} + {_n(self.b)} = "
                         f"<b>{html.escape(format_value(total + self.b))}</b>")
        elif self.kind == "2d":
            i, j = pos
            lines.append(f"s({i}, {j}) = Σ<sub>u,v</sub> x[{i}·{s} + u, {j}·{s} + v] · w[u, v] + b")
            for u in range(w.shape[0]):
                lines.append(("  " if u else "= ") + " + ".join(
                    f"({_n(a)}×{_n(c)})" for a, c in zip(win[u], w[u]))
                    + (" +" if u < w.shape[0] - 1 else ""))
            total = prods.sum()
            lines.append(f"= {_n(total)} + {_n(self.b)} = "
                         f"<b>{html.escape(format_value(total + self.b))}</b>")
        else:
            i, j = pos
            c = w.shape[2]
            names = CHANNEL_NAMES.get(c, tuple(f"c{k}" for k in range(c)))
            lines.append(f"s({i}, {j}) = Σ<sub>c</sub> Σ<sub>u,v</sub> x[{i}·{s} + u, "
                         f"{j}·{s} + v, c] · w[u, v, c] + b")
            sums = self.channel_sums(step)
            for ch in range(c):
                terms = " + ".join(f"({_n(a)}×{_n(k)})"
                                   for a, k in zip(win[:, :, ch].ravel(), w[:, :, ch].ravel()))
                lines.append(f"{names[ch]}: {terms} = <b>{_n(sums[ch])}</b>")
            lines.append(" + ".join(_n(v) for v in sums) + f" + {_n(self.b)} (b) = "
                         f"<b>{html.escape(format_value(sums.sum() + self.b))}</b>")
        body = "<br>".join(lines)
        return (f"<div style='font-family:monospace; font-size:0.95em; line-height:1.5'>"
                f"<b>output[{index}]</b> (step {step} of {int(np.prod(self.out_shape)) - 1})"
                f"<br>{body}</div>")


def _n(v):
    return viz.format_cell(v)


def _range(a):
    a = np.asarray(a, float)
    return float(a.min()), float(a.max())


class _Placer:
    """Add axes by inches measured from the figure's top-left corner."""

    def __init__(self, fig, width, height):
        self.fig, self.width, self.height = fig, width, height

    def __call__(self, x, y, w, h):
        return self.fig.add_axes([x / self.width, 1 - (y + h) / self.height,
                                  w / self.width, h / self.height])
