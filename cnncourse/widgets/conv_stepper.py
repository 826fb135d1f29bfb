"""ConvStepper: step a kernel over an input one output position at a time (S7-S9, S12, S39-S40).

    ConvStepper(x, w, b=0.0, stride=1, padding=0)

- 1D:  x (L,),      w (K,)          -> output (OL,)       = cnncourse.ops.conv1d
- 2D:  x (H,W),     w (FH,FW)       -> output (OH,OW)     = cnncourse.ops.conv2d
- RGB: x (H,W,C),   w (FH,FW,C)     -> output (OH,OW)     = ops.conv2d(x, w[..., None])[..., 0]
  (one sum per channel, then the channel sums plus the bias give the output value).

padding: "valid", "same" (split like Keras), an int per side, or for 2D a pair (ph, pw).
The widget shows the input (padded, when there is padding), the kernel and the output side by
side, the current window in red, the output cell being computed in orange, and the formula view:
every element-wise product and their sum for the current position. It writes what the lectures
write (document 003's equations (4.10) and (4.11)): input z, kernel u, output s, with the kernel
indexed from its centre when its size is odd (u(-1), u(0), u(1)), and z counted as 0 outside the
input; the stride is S.

Contract (used by the browser tests): ``.step`` is the IntSlider, counting the output positions
1 ... n in the order they are computed (row by row); ``.value_html`` is an HTML widget with CSS
class "cnncourse-output-value" whose text contains ``format_value(v)`` of the current output
value; ``.current_value()`` returns that value; ``.output()`` the full output.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np
from matplotlib.patches import Rectangle

from .. import ops, viz
from ..i18n import _
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
            raise ValueError(_("b must be one number (one filter, one bias), got shape {shape}")
                             .format(shape=np.shape(b)))
        if not (isinstance(stride, (int, np.integer)) and stride >= 1):
            raise ValueError(_("stride must be an int >= 1, got {stride!r}").format(stride=stride))
        self.kind = _kind(x, w)
        self.x, self.w, self.b, self.stride = x, w, float(b), int(stride)
        self._output, self.padded, self.pads = _convolve(x, w, self.b, self.stride, padding,
                                                         self.kind)
        self.out_shape = self._output.shape
        n_steps = int(np.prod(self.out_shape))

        # controls: step k (1 ... n) computes the k-th output value
        self.step = widgets.IntSlider(value=1, min=1, max=n_steps, description=_("step"),
                                      continuous_update=True)
        self.play = widgets.Play(value=1, min=1, max=n_steps, interval=interval,
                                 description=_("play"))
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
        """Output index computed at a step (1 ... n): (i,) in 1D, (i, j) in 2D; row by row
        (S9): step 1 is s(0, 0)."""
        step = self.step.value if step is None else step
        return tuple(int(k) for k in np.unravel_index(step - 1, self.out_shape))

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
            raise ValueError(_("channel_sums is for a multi-channel input (H,W,C)"))
        return self.products(step).sum(axis=(0, 1))

    def current_value(self) -> float:
        """Sum of the products plus the bias at the current step: the value shown."""
        return float(self.products().sum() + self.b)

    def partial_output(self, step=None):
        """The output as filled in so far (steps 1 ... step): the later positions are NaN."""
        step = self.step.value if step is None else step
        flat = self._output.astype(float).ravel().copy()
        flat[step:] = np.nan
        return flat.reshape(self.out_shape)

    def padding_label(self) -> str:
        """How the input panel is titled: 'z', or 'z (padded by 1)' / 'z (padded: rows 1+0,
        columns 1+1)' when there is padding."""
        pads = [p for pair in self.pads for p in pair]
        if not any(pads):
            return "z"
        if len(set(pads)) == 1:
            return _("z (padded by {n})").format(n=pads[0])
        if self.kind == "1d":
            return _("z (padded: {left} left, {right} right)").format(left=pads[0], right=pads[1])
        (t, b), (l, r) = self.pads
        return _("z (padded: rows {top}+{bottom}, columns {left}+{right})").format(
            top=t, bottom=b, left=l, right=r)

    def input_index(self, axis, padded_index) -> int:
        """The index in z (unpadded) of a padded-input index along ``axis``."""
        return int(padded_index) - self.pads[axis][0]

    # ------------------------------------------------------------------ drawing
    def _render(self):
        step = self.step.value
        self.view.show(step)
        self._show_figure(self.fig, tight=False)
        index = ", ".join(str(k) for k in self.position(step))
        self.value_html.value = (f"<span style='font-size:1.1em'>s({index}) = "
                                 f"<b>{html.escape(format_value(self.current_value()))}</b></span>")
        self.formula_html.value = self._formula_html(step)

    def _formula_html(self, step):
        index = ", ".join(str(k) for k in self.position(step))
        body = "<br>".join(self.view.formula(step))
        return (f"<div style='font-family:monospace; font-size:0.95em; line-height:1.5'>"
                f"<b>s({index})</b>: "
                + _("step {step} of {n}").format(step=step, n=int(np.prod(self.out_shape)))
                + f"<br>{body}</div>")


def _kind(x, w):
    """"1d", "2d" or "channels" from the shapes of x and w; ValueError for anything else."""
    if x.ndim == 1 and w.ndim == 1:
        return "1d"
    if x.ndim == 2 and w.ndim == 2:
        return "2d"
    if x.ndim == 3 and w.ndim == 3:
        if x.shape[2] != w.shape[2]:
            raise ValueError(_("channel mismatch: x {x} has {xc} channels but w {w} has {wc}; "
                               "the kernel's depth must equal the input's depth").format(
                x=x.shape, xc=x.shape[2], w=w.shape, wc=w.shape[2]))
        return "channels"
    raise ValueError(_(
        "ConvStepper takes x (L,) with w (K,), x (H,W) with w (FH,FW), or x (H,W,C) with "
        "w (FH,FW,C); got x {x} and w {w}").format(x=x.shape, w=w.shape))


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

    def plus_b(self) -> str:
        return " + b" if self.st.b else ""

    def total_line(self, total):
        """'= sum + b = value' (or '= value' without a bias): the last line of every formula."""
        st = self.st
        value = f"<b>{html.escape(format_value(total + st.b))}</b>"
        return f"= {_n(total)} + {_n(st.b)} = {value}" if st.b else f"= {value}"


class _View1D(_View):
    """1D: three rows (z, u, s); the kernel row slides under its window, and each output cell
    sits under the centre of the window it sums, with the indices written under the cells."""

    def build(self):
        st = self.st
        lp, k, ol, stride = len(st.padded), len(st.w), st.out_shape[0], st.stride
        spread = (ol - 1) * stride + 1           # output cells S input cells apart
        cell = min(0.5, (MAX_FIG_WIDTH - 1.0) / lp)
        width, height = lp * cell + 1.4, 3 * cell + 2.0
        fig = viz.new_figure(width, height)
        place = _Placer(fig, width, height)
        self.cell, self.x0 = cell, 1.2
        ax_in = place(self.x0, 0.45, lp * cell, cell)
        self.ax_k = place(self.x0, 1.0 + cell, k * cell, cell)
        ax_out = place(self.x0 + (k - 1) / 2 * cell, 1.55 + 2 * cell, spread * cell, cell)
        title = st.padding_label() if any(st.pads[0]) else None     # the row is labelled z
        st.g_in = _grid(ax_in, st.padded, "Greys", 0.6, title=title)
        st.g_k = _grid(self.ax_k, st.w, "Purples", 0.8)
        st.g_out = _grid(ax_out, self.spread(st.partial_output(1)), "Oranges", 0.5,
                         values_of=st.output())
        for ax, label in ((ax_in, "z"), (self.ax_k, "u"),
                          (ax_out, "s = z ⊛ u" + self.plus_b())):
            ax.set_ylabel(label, rotation=0, ha="right", va="center", fontsize=10)
        before, after = st.pads[0]
        if before or after:                    # the real input, inside the padding
            st.g_in.outline(0, before, 1, lp - before - after, color="black", linestyle="--")
        for gap in sorted(set(range(spread)) - set(range(0, spread, stride))):
            ax_out.add_patch(Rectangle((gap - 0.47, -0.6), 0.94, 1.2, facecolor="white",
                                       edgecolor="none", zorder=4, clip_on=False))
        if stride > 1:
            for side in ("top", "bottom"):
                ax_out.spines[side].set_visible(False)
            for i in range(ol):
                ax_out.add_patch(Rectangle((i * stride - 0.5, -0.5), 1, 1, fill=False,
                                           edgecolor="#888888", linewidth=0.8, zorder=4))
        _index_labels(ax_in, {before + q: q for q in range(lp - before - after)})
        _index_labels(self.ax_k, dict(enumerate(_kernel_indices(k))))
        _index_labels(ax_out, {i * stride: i for i in range(ol)})
        return fig

    def spread(self, values):
        """Output values placed S cells apart (NaN between), as the output row draws them."""
        row = np.full((len(values) - 1) * self.st.stride + 1, np.nan)
        row[::self.st.stride] = values
        return row

    def show(self, step):
        st = self.st
        (i,) = st.position(step)
        st.g_in.highlight(0, i * st.stride, 1, len(st.w))
        fig_width = self.fig.get_size_inches()[0]
        pos = self.ax_k.get_position()
        self.ax_k.set_position([(self.x0 + i * st.stride * self.cell) / fig_width, pos.y0,
                                pos.width, pos.height])
        st.g_out.set_values(self.spread(st.partial_output(step)))
        st.g_out.highlight(0, i * st.stride, color=viz.CURRENT_COLOR)

    def formula(self, step):
        st = self.st
        (i,) = st.position(step)
        start = i * st.stride
        terms = [f"z({st.input_index(0, start + k)})·u({x})"
                 for k, x in enumerate(_kernel_indices(len(st.w)))]
        return [f"s({i}) = " + " + ".join(terms) + self.plus_b(),
                "= " + " + ".join(f"({_n(a)}×{_n(c)})" for a, c in zip(st.window(step), st.w)),
                self.total_line(st.products(step).sum())]


class _View2D(_View):
    """2D: the input ⊛ the kernel = the output, side by side; one row of input and kernel per
    channel (one row here, C rows in _ViewChannels)."""
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
            g_in = _grid(ax_in, xin, cmap, 0.8, title=st.padding_label() + label)
            g_k = _grid(ax_k, wk, "Purples", 0.8, title="u" + label)
            if t or b or l or r:               # the real input, inside the padding
                g_in.outline(t, l, hp - t - b, wp - l - r, color="black", linestyle="--")
            fig.text((x_k - gaps / 2) / width, 1 - (y + max(hp, fh) * cell / 2) / height, "⊛",
                     ha="center", va="center", fontsize=18)
            st.g_in.append(g_in)
            st.g_k.append(g_k)
        y_out = (height - oh * cell) / 2 + 0.15
        ax_out = place(x_out, y_out, ow * cell, oh * cell)
        st.g_out = _grid(ax_out, st.partial_output(1), "Oranges", 0.5, title="s",
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

    def sum_line(self, step, channel=""):
        """'s(i, j) = Σ_y,x z(r + y, c + x) · u(y, x) + b   (y = -1 … 1, x = -1 … 1)': the
        window's centre (odd kernel) or top-left corner (even) in z's own indices."""
        st = self.st
        i, j = st.position(step)
        fh, fw = st.w.shape[:2]
        r = st.input_index(0, i * st.stride + (fh - 1) // 2 * (fh % 2))
        c = st.input_index(1, j * st.stride + (fw - 1) // 2 * (fw % 2))
        ys, xs = _kernel_indices(fh), _kernel_indices(fw)
        sums = "Σ<sub>c</sub> Σ<sub>y,x</sub>" if channel else "Σ<sub>y,x</sub>"
        return (f"s({i}, {j}) = {sums} z({r} + y, {c} + x{channel}) · u(y, x{channel})"
                f"{self.plus_b()}   (y = {ys[0]} … {ys[-1]}, x = {xs[0]} … {xs[-1]})")

    def formula(self, step):
        st = self.st
        w, win = st.w, st.window(step)
        lines = [self.sum_line(step)]
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
        w, win = st.w, st.window(step)
        lines = [self.sum_line(step, channel=", c")]
        sums = st.channel_sums(step)
        for k, name in enumerate(self.names()):
            terms = " + ".join(f"({_n(a)}×{_n(c)})"
                               for a, c in zip(win[:, :, k].ravel(), w[:, :, k].ravel()))
            lines.append(f"{name}: {terms} = <b>{_n(sums[k])}</b>")
        lines.append(" + ".join(_n(v) for v in sums) + f" + {_n(st.b)} (b) = "
                     f"<b>{html.escape(format_value(sums.sum() + st.b))}</b>")
        return lines


def _kernel_indices(size):
    """How the lectures index a kernel: from its centre when the size is odd (-1, 0, 1, as
    document 003's u(x)), else from 0."""
    half = (size - 1) // 2 if size % 2 else 0
    return [k - half for k in range(size)]


def _index_labels(ax, labels, fontsize=7):
    """Write {column: label} under a one-row grid (at most ~25 labels, else every n-th)."""
    every = max(1, len(labels) // 25 + 1)
    shown = {c: v for n, (c, v) in enumerate(sorted(labels.items())) if n % every == 0}
    ax.set_xticks(list(shown), [str(v) for v in shown.values()], fontsize=fontsize)
    ax.tick_params(axis="x", which="major", length=0, pad=2)


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
