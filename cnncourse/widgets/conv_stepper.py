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
        self.kind = _kind(x, w)
        self.x, self.w, self.b, self.stride = x, w, float(b), int(stride)
        self._output, self.padded, self.pads = _convolve(x, w, self.b, self.stride, padding,
                                                         self.kind)
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
        self.view = VIEWS[self.kind](self)
        self.fig = self.view.fig
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
        return tuple(int(k) for k in np.unravel_index(step, self.out_shape))

    def window(self, step=None):
        """The padded-input window under the kernel at this step: shape of w."""
        s = self.stride
        return self.padded[tuple(slice(i * s, i * s + k)
                                 for i, k in zip(self.position(step), self.w.shape))]

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
    def _render(self):
        step = self.step.value
        self.view.show(step)
        self._show_figure(self.fig, tight=False)
        index = ", ".join(str(k) for k in self.position(step))
        self.value_html.value = (f"<span style='font-size:1.1em'>output[{index}] = "
                                 f"<b>{html.escape(format_value(self.current_value()))}</b></span>")
        self.formula_html.value = self._formula_html(step)

    def _formula_html(self, step):
        index = ", ".join(str(k) for k in self.position(step))
        body = "<br>".join(self.view.formula(step))
        return (f"<div style='font-family:monospace; font-size:0.95em; line-height:1.5'>"
                f"<b>output[{index}]</b> (step {step} of {int(np.prod(self.out_shape)) - 1})"
                f"<br>{body}</div>")


def _kind(x, w):
    """"1d", "2d" or "channels" from the shapes of x and w; ValueError for anything else."""
    if x.ndim == 1 and w.ndim == 1:
        return "1d"
    if x.ndim == 2 and w.ndim == 2:
        return "2d"
    if x.ndim == 3 and w.ndim == 3:
        if x.shape[2] != w.shape[2]:
            raise ValueError(f"channel mismatch: x {x.shape} has {x.shape[2]} channels but w "
                             f"{w.shape} has {w.shape[2]}; the kernel's depth must equal the "
                             "input's depth")
        return "channels"
    raise ValueError(
        f"ConvStepper takes x (L,) with w (K,), x (H,W) with w (FH,FW), or x (H,W,C) with "
        f"w (FH,FW,C); got x {x.shape} and w {w.shape}")


def _convolve(x, w, b, stride, padding, kind):
    """(output, padded input, padding per axis), all from cnncourse.ops; ops raises when the
    kernel does not fit."""
    if kind == "1d":
        pads = (ops.axis_padding(padding, len(x), len(w), stride),)
        return ops.conv1d(x, w, b, stride=stride, padding=pads[0]), np.pad(x, pads[0]), pads
    pads = ops.padding_2d(padding, x.shape[:2], w.shape[:2], (stride, stride))
    if kind == "2d":
        output = ops.conv2d(x, w, b, stride=stride, padding=pads)
    else:                                  # one filter over all channels: (H,W,C,1) -> (OH,OW)
        output = ops.conv2d(x, w[..., None], b, stride=stride, padding=pads)[..., 0]
    return output, ops.pad2d(x, pads), pads


# ---------------------------------------------------------------------- one view per kind
class _View:
    """How one kind of convolution is drawn: the figure (built once, it sets the stepper's
    ``g_in``, ``g_k`` and ``g_out`` grids), what moves at each step, and the formula's lines."""

    def __init__(self, stepper):
        self.st = stepper
        self.fig = self.build()

    def build(self):
        raise NotImplementedError

    def show(self, step):
        raise NotImplementedError

    def formula(self, step):
        raise NotImplementedError

    def total_line(self, total):
        """'= sum + b = value': the last line of every formula."""
        st = self.st
        return (f"= {_n(total)} + {_n(st.b)} = "
                f"<b>{html.escape(format_value(total + st.b))}</b>")


class _View1D(_View):
    """1D: three rows (padded x, w, s); the kernel row slides under its window."""

    def build(self):
        st = self.st
        lp, k, ol = len(st.padded), len(st.w), st.out_shape[0]
        cell = min(0.5, (MAX_FIG_WIDTH - 1.0) / lp)
        width, height = lp * cell + 1.4, 3 * cell + 1.6
        fig = viz.new_figure(width, height)
        place = _Placer(fig, width, height)
        self.cell, self.x0 = cell, 1.2
        ax_in = place(self.x0, 0.35, lp * cell, cell)
        self.ax_k = place(self.x0, 0.85 + cell, k * cell, cell)
        ax_out = place(self.x0, 1.35 + 2 * cell, ol * cell, cell)
        st.g_in = _grid(ax_in, st.padded, "Greys", 0.6)
        st.g_k = _grid(self.ax_k, st.w, "Purples", 0.8)
        st.g_out = _grid(ax_out, st.partial_output(0), "Oranges", 0.5, values_of=st.output())
        for ax, label in ((ax_in, "x (padded)"), (self.ax_k, "w"), (ax_out, "s = x ⊛ w + b")):
            ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=10)
        before, after = st.pads[0]
        if before or after:                    # the real input, inside the padding
            st.g_in.outline(0, before, 1, st.g_in.shape[1] - before - after, color="black",
                            linestyle="--")
        return fig

    def show(self, step):
        st = self.st
        (i,) = st.position(step)
        st.g_in.highlight(0, i * st.stride, 1, len(st.w))
        fig_width = self.fig.get_size_inches()[0]
        pos = self.ax_k.get_position()
        self.ax_k.set_position([(self.x0 + i * st.stride * self.cell) / fig_width, pos.y0,
                                pos.width, pos.height])
        st.g_out.set_values(st.partial_output(step))
        st.g_out.highlight(0, i, color=viz.CURRENT_COLOR)

    def formula(self, step):
        st = self.st
        (i,) = st.position(step)
        s, w = st.stride, st.w
        return [f"s({i}) = Σ<sub>x</sub> z({i}·{s} + x) · u(x) + b"
                f"   (window = padded x[{i * s}:{i * s + len(w)}])",
                " + ".join(f"({_n(a)}×{_n(c)})" for a, c in zip(st.window(step), w)),
                self.total_line(st.products(step).sum())]


class _View2D(_View):
    """2D: the padded input ⊛ the kernel = the output, side by side; one row of input and
    kernel per channel (one row here, C rows in _ViewChannels)."""
    equation = "="

    def panels(self):
        """[(title suffix, padded input (HP,WP), kernel (FH,FW), colour map)] per row."""
        return [("", self.st.padded, self.st.w, "Greys")]

    def build(self):
        st = self.st
        panels = self.panels()
        hp, wp = st.padded.shape[:2]
        fh, fw = st.w.shape[:2]
        oh, ow = st.out_shape
        gaps = 0.9
        cell = min(0.45, (MAX_FIG_WIDTH - 2 * gaps - 0.4) / (wp + fw + ow))
        row_h = max(hp, fh) * cell + 0.45
        height = max(len(panels) * row_h, oh * cell + 0.45) + 0.2
        width = (wp + fw + ow) * cell + 2 * gaps + 0.4
        fig = viz.new_figure(width, height)
        place = _Placer(fig, width, height)
        x_in, x_k = 0.2, 0.2 + wp * cell + gaps
        x_out = x_k + fw * cell + gaps
        (t, b), (l, r) = st.pads
        st.g_in, st.g_k = [], []
        for row, (label, xin, wk, cmap) in enumerate(panels):
            y = 0.1 + row * row_h + 0.35
            ax_in = place(x_in, y + (max(hp, fh) - hp) * cell / 2, wp * cell, hp * cell)
            ax_k = place(x_k, y + (max(hp, fh) - fh) * cell / 2, fw * cell, fh * cell)
            g_in = _grid(ax_in, xin, cmap, 0.8, title=f"x (padded){label}")
            g_k = _grid(ax_k, wk, "Purples", 0.8, title=f"w{label}")
            if t or b or l or r:               # the real input, inside the padding
                g_in.outline(t, l, hp - t - b, wp - l - r, color="black", linestyle="--")
            fig.text((x_k - gaps / 2) / width, 1 - (y + max(hp, fh) * cell / 2) / height, "⊛",
                     ha="center", va="center", fontsize=18)
            st.g_in.append(g_in)
            st.g_k.append(g_k)
        y_out = (height - oh * cell) / 2 + 0.15
        ax_out = place(x_out, y_out, ow * cell, oh * cell)
        st.g_out = _grid(ax_out, st.partial_output(0), "Oranges", 0.5, title="output",
                         values_of=st.output())
        equation = "+ b =" if self.equation == "=" and st.b != 0 else self.equation
        fig.text((x_out - gaps / 2) / width, 1 - (y_out + oh * cell / 2) / height, equation,
                 ha="center", va="center", fontsize=13)
        return fig

    def show(self, step):
        st = self.st
        i, j = st.position(step)
        fh, fw = st.w.shape[:2]
        for g in st.g_in:
            g.highlight(i * st.stride, j * st.stride, fh, fw)
        st.g_out.set_values(st.partial_output(step))
        st.g_out.highlight(i, j, color=viz.CURRENT_COLOR)

    def formula(self, step):
        st = self.st
        i, j = st.position(step)
        s, w, win = st.stride, st.w, st.window(step)
        lines = [f"s({i}, {j}) = Σ<sub>u,v</sub> x[{i}·{s} + u, {j}·{s} + v] · w[u, v] + b"]
        for u in range(w.shape[0]):
            lines.append(("  " if u else "= ") + " + ".join(
                f"({_n(a)}×{_n(c)})" for a, c in zip(win[u], w[u]))
                + (" +" if u < w.shape[0] - 1 else ""))
        return lines + [self.total_line(st.products(step).sum())]


class _ViewChannels(_View2D):
    """(H,W,C): one row of input and kernel per channel; the output sums the channel sums."""
    equation = "Σc + b ="

    def names(self):
        c = self.st.w.shape[2]
        return CHANNEL_NAMES.get(c, tuple(f"c{k}" for k in range(c)))

    def panels(self):
        st = self.st
        c = st.w.shape[2]
        cmaps = CHANNEL_CMAPS.get(c, ("Greys",) * c)
        return [(f" [{name}]", st.padded[:, :, k], st.w[:, :, k], cmaps[k])
                for k, name in enumerate(self.names())]

    def formula(self, step):
        st = self.st
        i, j = st.position(step)
        s, w, win = st.stride, st.w, st.window(step)
        lines = [f"s({i}, {j}) = Σ<sub>c</sub> Σ<sub>u,v</sub> x[{i}·{s} + u, "
                 f"{j}·{s} + v, c] · w[u, v, c] + b"]
        sums = st.channel_sums(step)
        for k, name in enumerate(self.names()):
            terms = " + ".join(f"({_n(a)}×{_n(c)})"
                               for a, c in zip(win[:, :, k].ravel(), w[:, :, k].ravel()))
            lines.append(f"{name}: {terms} = <b>{_n(sums[k])}</b>")
        lines.append(" + ".join(_n(v) for v in sums) + f" + {_n(st.b)} (b) = "
                     f"<b>{html.escape(format_value(sums.sum() + st.b))}</b>")
        return lines


VIEWS = {"1d": _View1D, "2d": _View2D, "channels": _ViewChannels}


def _grid(ax, values, cmap, headroom, title=None, values_of=None):
    """A grid whose colour scale runs from the smallest value to the largest plus
    ``headroom`` of the range, so that the largest stays light enough to read its number;
    ``values_of`` sets the scale from other values (the full output, for a partial one)."""
    lo, hi = _range(values if values_of is None else values_of)
    return viz.draw_grid(ax, values, cmap=cmap, vmin=lo, vmax=hi + (hi - lo) * headroom,
                         title=title)


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
