"""Pictures for notebook 11 (convolution from scratch): im2col, the backward pass, max-pool
routing, a kernel being learned, the NumPy CNN's learning curves, timings.

Every function makes a new matplotlib Figure with pyplot (the notebook shows it) and returns it;
the numbers drawn in the grids come from cnncourse.ops.
"""
from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np

from . import ops, viz
from .i18n import _

__all__ = ["draw_im2col", "draw_conv_backward", "draw_maxpool_routing", "plot_kernel_learning",
           "plot_scratch_training", "plot_loss_agreement", "plot_timings"]

WINDOW_COLORS = ("#d62728", "#1f77b4", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
                 "#17becf", "#bcbd22")


def _window_color(k):
    return WINDOW_COLORS[k % len(WINDOW_COLORS)]


def draw_im2col(x, w, stride=1, padding="valid", show_windows=4):
    """conv2d as one matrix product, drawn for a 2D image x (H,W) and kernel w (FH,FW).

    Left: the (padded) input with the first ``show_windows`` windows outlined, each in its
    colour. Then im2col's matrix (one row per window, the same colours), times the kernel as a
    column, equals the output as a column, reshaped to (OH,OW) on the right.
    """
    x, w = np.asarray(x, float), np.asarray(w, float)
    if x.ndim != 2 or w.ndim != 2:
        raise ValueError(_("draw_im2col takes a 2D image and a 2D kernel, got x {x} and "
                           "w {w}").format(x=x.shape, w=w.shape))
    pads = ops.padding_2d(padding, x.shape, w.shape, ops._check_stride(stride))
    xp = ops.pad2d(x, pads)
    cols = ops.im2col(x, w.shape, stride, padding)                     # (OH*OW, FH*FW)
    out = ops.conv2d_im2col(x, w, stride=stride, padding=padding)      # (OH, OW)
    sh, sw = ops._check_stride(stride)
    rows_k, ow = cols.shape[0], out.shape[1]
    fig, axes = plt.subplots(1, 5, figsize=(2.2 + 0.42 * (xp.shape[1] + cols.shape[1] + 2 + ow),
                                            0.42 * max(rows_k, xp.shape[0]) + 1.2),
                             gridspec_kw={"width_ratios": [xp.shape[1], cols.shape[1], 1, 1,
                                                           ow]})
    g_in = viz.draw_grid(axes[0], xp, cmap="Greys", vmax=xp.max() * 1.8 + 1e-9,
                         title=_("x (padded)") if any(sum(pads, ())) else "x")
    g_cols = viz.draw_grid(axes[1], cols, cmap="Greys", vmax=xp.max() * 1.8 + 1e-9,
                           title=f"im2col(x): {cols.shape[0]}×{cols.shape[1]}")
    viz.draw_grid(axes[2], w.reshape(-1, 1), cmap="Purples", title="w")
    viz.draw_grid(axes[3], out.reshape(-1, 1), cmap="Oranges", title="= out")
    viz.draw_grid(axes[4], out, cmap="Oranges",
                  title=_("reshaped {oh}×{ow}").format(oh=out.shape[0], ow=ow))
    for k in range(min(show_windows, rows_k)):
        i, j = divmod(k, ow)
        color = _window_color(k)
        g_in.highlight(i * sh, j * sw, w.shape[0], w.shape[1], color=color, name=f"w{k}",
                       linewidth=2.5)
        g_cols.highlight(k, 0, 1, cols.shape[1], color=color, name=f"r{k}", linewidth=2.5)
    if any(sum(pads, ())):
        (t, b), (l, r) = pads
        g_in.outline(t, l, x.shape[0], x.shape[1], linestyle="--")
    fig.tight_layout()
    return fig


def draw_conv_backward(x, w, dout):
    """The backward pass of a 2D "valid" convolution (stride 1), as two convolutions.

    Top row:    dw = x ⋆ dout                   (cross-correlate the input with dout)
    Bottom row: dx = pad(dout, F-1) ⋆ flip(w)   (the "full" convolution with the flipped kernel)
    x (H,W), w (FH,FW), dout (OH,OW) with OH = H - FH + 1. Both results are ops.conv2d_backward's.
    """
    x, w, dout = (np.asarray(a, float) for a in (x, w, dout))
    dx, dw, _db = ops.conv2d_backward(dout, x, w)
    fh, fw = w.shape
    dpad = ops.pad2d(dout, ((fh - 1, fh - 1), (fw - 1, fw - 1)))
    rows = [("dw = x ⋆ dout   (" + _("cross-correlation of the input with dout") + ")",
             [(x, "x", "Greys"), (dout, "⋆ dout", "RdBu_r"), (dw, "= dw", "RdBu_r")]),
            ("dx = pad(dout, F−1) ⋆ flip(w)   (" + _("the full convolution of dout with w") + ")",
             [(dpad, "pad(dout, F−1)", "RdBu_r"), (w[::-1, ::-1], "⋆ flip(w)", "Purples"),
              (dx, "= dx", "RdBu_r")])]
    cell = 0.42
    width = cell * max(sum(p[0].shape[1] for p in panels) for _label, panels in rows) + 2.5
    heights = [max(p[0].shape[0] for p in panels) for _label, panels in rows]
    fig = plt.figure(figsize=(width, cell * sum(heights) + 1.8))
    for sub, (label, panels) in zip(fig.subfigures(2, 1, height_ratios=heights), rows):
        axes = sub.subplots(1, 3, gridspec_kw={"width_ratios": [p[0].shape[1] for p in panels]})
        sub.subplots_adjust(top=0.8, bottom=0.02)
        for ax, (values, title, cmap) in zip(axes, panels):
            lim = float(np.abs(values).max()) or 1.0
            limits = {"vmin": -lim, "vmax": lim} if cmap == "RdBu_r" else {}
            viz.draw_grid(ax, values, cmap=cmap, title=title, **limits)
        sub.suptitle(label, fontsize=11)
    return fig


def draw_maxpool_routing(x, dout, pool_size=2, stride=None):
    """Max pooling's backward: each dout value goes to the arg-max of its window, drawn for a
    2D map x (H,W). The winners are outlined in x; dx is ops.max_pool2d_backward's."""
    x, dout = np.asarray(x, float), np.asarray(dout, float)
    dx = ops.max_pool2d_backward(dout, x, pool_size, stride)
    fig, axes = plt.subplots(1, 4, figsize=(2.2 * 4, 2.6),
                             gridspec_kw={"width_ratios": [x.shape[1], dout.shape[1],
                                                           dout.shape[1], x.shape[1]]})
    g_x = viz.draw_grid(axes[0], x, cmap="Greys", title="x")
    viz.draw_grid(axes[1], ops.max_pool2d(x, pool_size, stride), cmap="Oranges",
                  title="max_pool2d(x)")
    viz.draw_grid(axes[2], dout, cmap="Blues", title="dout")
    viz.draw_grid(axes[3], dx, cmap="Greens", title="dx")
    rows, cols = np.nonzero(dx)
    for k, (i, j) in enumerate(zip(rows, cols)):
        g_x.highlight(i, j, color=viz.WINDOW_COLOR, name=f"max{k}", linewidth=2)
    fig.tight_layout()
    return fig


def plot_kernel_learning(result, true_kernel, others=None):
    """Loss curve (log scale) and the kernel at a few steps, next to the kernel to find.

    result: what scratch.fit_kernel returns; others: {label: result} drawn as extra loss curves.
    """
    snaps = result["snapshots"]
    fig = plt.figure(figsize=(2.0 * (len(snaps) + 1) + 4.5, 2.9))
    grid = fig.add_gridspec(1, len(snaps) + 2, width_ratios=[3.0] + [1.0] * (len(snaps) + 1))
    ax = fig.add_subplot(grid[0])
    ax.semilogy(result["loss"], label="Adam" if others else _("loss"))
    for label, other in (others or {}).items():
        ax.semilogy(other["loss"], label=label)
    ax.set_xlabel(_("step"))
    ax.set_ylabel(_("mean squared error"))
    ax.grid(True, alpha=0.4)
    if others:
        ax.legend()
    lim = float(np.abs(true_kernel).max())
    for k, (step, kernel) in enumerate(sorted(snaps.items())):
        viz.draw_grid(fig.add_subplot(grid[k + 1]), np.round(kernel, 2), cmap="RdBu_r",
                      vmin=-lim, vmax=lim, title=_("step {step}").format(step=step))
    viz.draw_grid(fig.add_subplot(grid[-1]), true_kernel, cmap="RdBu_r", vmin=-lim, vmax=lim,
                  title=_("Sobel (003)"))
    fig.tight_layout()
    return fig


def plot_scratch_training(history, title=None):
    """The NumPy CNN's learning curves: the loss of every step (and its running mean over an
    epoch's worth of steps), and the accuracy per epoch on the training batches and the test
    images."""
    steps = np.asarray(history["step_loss"])
    per_epoch = len(steps) // len(history["loss"])
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(11, 3.6))
    a0.plot(np.arange(1, len(steps) + 1), steps, lw=0.5, alpha=0.5,
            label=_("loss of each step"))
    window = max(1, per_epoch // 4)
    smooth = np.convolve(steps, np.ones(window) / window, mode="valid")
    a0.plot(np.arange(window, len(steps) + 1), smooth, lw=2,
            label=_("mean of {n} steps").format(n=window))
    a0.set_xlabel(_("step"))
    a0.set_ylabel(_("cross-entropy"))
    a0.grid(True, alpha=0.4)
    a0.legend()
    epochs = np.arange(1, len(history["loss"]) + 1)
    a1.plot(epochs, history["accuracy"], "o-", label=_("training batches"))
    a1.plot(epochs, history["test_accuracy"], "s-", label=_("test images"))
    a1.set_xlabel(_("epoch"))
    a1.set_ylabel(_("accuracy"))
    a1.set_xticks(epochs)
    a1.grid(True, alpha=0.4)
    a1.legend()
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig


def plot_loss_agreement(ours, theirs, labels=None):
    """Two loss sequences of the same training steps, and their relative difference.
    labels: the two curves' names (default: "NumPy (ours)", "Keras")."""
    labels = (_("NumPy (ours)"), "Keras") if labels is None else labels
    ours, theirs = np.asarray(ours, float), np.asarray(theirs, float)
    steps = np.arange(1, len(ours) + 1)
    fig, (a0, a1) = plt.subplots(1, 2, figsize=(11, 3.3))
    a0.plot(steps, ours, "o-", label=labels[0])
    a0.plot(steps, theirs, "x--", label=labels[1])
    a0.set_xlabel(_("step"))
    a0.set_ylabel(_("loss"))
    a0.grid(True, alpha=0.4)
    a0.legend()
    a1.semilogy(steps, np.abs(ours - theirs) / np.abs(theirs) + 1e-12, "o-")
    a1.set_xlabel(_("step"))
    a1.set_ylabel(_("|difference| / loss"))
    a1.grid(True, alpha=0.4)
    fig.tight_layout()
    return fig


def plot_timings(rows, title=None):
    """Horizontal bars, log scale: {label: milliseconds}."""
    labels, values = list(rows), [rows[k] for k in rows]
    fig, ax = plt.subplots(figsize=(9, 0.45 * len(rows) + 1.0))
    ax.barh(labels, values, color="#4c72b0")
    ax.set_xscale("log")
    ax.invert_yaxis()
    ax.set_xlabel(_("milliseconds (log scale)"))
    for k, v in enumerate(values):
        ax.text(v, k, f" {v:,.0f} ms" if v >= 100 else f" {v:.3g} ms", va="center", fontsize=9)
    if title:
        ax.set_title(title)
    ax.grid(True, axis="x", alpha=0.4)
    fig.tight_layout()
    return fig
