"""Architecture diagrams: every layer drawn as a box sized by its output shape (003, fig 4-19 style).

A feature map of shape (H, W, C) is drawn as a stack of H x W planes (one unit per pixel, so a
14x14 map is half as tall as a 28x28 one); the stack has more planes the more channels it has
(1 + log2 C, at most 8) and its shape is written under it. A vector of n values (Flatten, Dense)
is a narrow bar as tall as a square of n pixels would be (sqrt n), with n written under it. Layers
that keep the shape (Dropout, BatchNormalization, activations, augmentation) are not drawn: their
names join the label of the box before them.

- ``layer_shapes(model, in_shape=None)`` -> [(name, kind, shape)]: the input and each layer's
  output shape without the batch axis, computed with Keras' ``compute_output_shape``.
- ``layout(shapes)`` -> [Box]: where each box goes and how big it is (pure arithmetic, testable).
- ``draw_architecture(model, in_shape=None, ax=None, title=None)`` -> Figure.
- ``draw_shapes([(label, shape), ...], ax=None, title=None)`` -> Figure: any sequence of shapes
  (e.g. one layer's input and output, S25).
- ``draw_parameters(kernel_size, in_channels, filters)`` -> Figure: a conv layer's weights as K
  kernels of F x F x D plus one bias each, with the count (F*F*D + 1) * K written (S45).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np
import matplotlib.pyplot as plt
from matplotlib.patches import Rectangle

from .i18n import _

__all__ = ["layer_shapes", "layout", "draw_architecture", "draw_shapes", "draw_parameters", "Box"]

SAME_SHAPE = {"Dropout", "BatchNormalization", "FusedBatchNorm", "ReLU", "Activation",
              "RandomFlip", "RandomTranslation", "LayerNormalization", "Sequential"}
GAP = 6.0            # horizontal space between boxes, in pixels of the drawing
SLOT = 15.0          # the least horizontal room a box takes (room for its label)
OFFSET = 1.6         # shift between two planes of a stack (less for maps smaller than 5x5)
MAX_PLANES = 8
COLORS = {"Input": "#f0f0f0", "Conv2D": "#9ecae1", "MaxPooling2D": "#fdd0a2",
          "AveragePooling2D": "#fdd0a2", "ZeroPadding2D": "#e5e5e5", "Flatten": "#c7e9c0",
          "GlobalAveragePooling2D": "#c7e9c0", "Dense": "#bcbddc"}


class Box(NamedTuple):
    """One drawn layer: label, output shape, left x, plane width and height, number of planes and
    the shift between two planes."""
    label: str
    shape: tuple
    x: float
    width: float
    height: float
    planes: int
    kind: str
    offset: float = OFFSET

    @property
    def span(self):
        """Horizontal extent of the drawn stack."""
        return self.width + (self.planes - 1) * self.offset


def layer_shapes(model, in_shape=None):
    """[(name, kind, shape)] for the input and every layer of a chain of layers (Sequential, or a
    functional model whose layers follow one another), shapes without the batch axis.

    in_shape: (H, W, C) to use instead of the model's own input shape (needed when the model
    takes any size, ``keras.Input((None, None, 1))``). Raises ValueError if a size is unknown.
    """
    if in_shape is None:
        in_shape = tuple(model.inputs[0].shape[1:])
    shape = tuple(in_shape)
    if any(s is None for s in shape):
        raise ValueError(_("the input shape {shape} has an unknown size; pass in_shape=(H, W, C)")
                         .format(shape=shape))
    rows = [(_("input"), "Input", shape)]
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        shape = tuple(int(s) for s in layer.compute_output_shape((None,) + shape)[1:])
        rows.append((layer.name, kind, shape))
    return rows


def _wrap(label, width=12):
    """Break long layer names (global_average_pooling2d) at underscores so labels do not collide."""
    return "\n".join(line.replace("_", "_\n") if len(line) > width else line
                     for line in label.split("\n"))


def _shape_text(shape):
    return "×".join(str(s) for s in shape)


def _planes(channels):
    return int(min(MAX_PLANES, 1 + round(math.log2(max(channels, 1)))))


def layout(shapes):
    """Boxes for [(label, shape)] or [(label, kind, shape)]: shape (H, W, C) -> a stack of H x W
    planes; shape (n,) -> a bar 2 wide and sqrt(n) tall. Shape-keeping kinds (SAME_SHAPE) are
    merged into the label before them. Returns [Box], left to right."""
    boxes, x = [], 0.0
    for item in shapes:
        label, kind, shape = item if len(item) == 3 else (item[0], "Input" if not boxes else "", item[1])
        shape = tuple(int(s) for s in shape)
        if kind in SAME_SHAPE and boxes:
            prev = boxes[-1]
            boxes[-1] = prev._replace(label=f"{prev.label}\n+ {label}")
            continue
        if len(shape) == 3:
            h, w, c = shape
            box = Box(label, shape, x, float(w), float(h), _planes(c), kind,
                      min(OFFSET, 0.3 + 0.15 * min(h, w)))
        elif len(shape) == 1:
            box = Box(label, shape, x, 2.0, math.sqrt(shape[0]), 1, kind)
        else:
            raise ValueError(_("layout draws (H, W, C) maps and (n,) vectors; {label!r} has shape "
                               "{shape}").format(label=label, shape=shape))
        slot = max(box.span, SLOT)
        boxes.append(box._replace(x=x + (slot - box.span) / 2))
        x += slot + GAP
    return boxes


def _draw(boxes, ax, title):
    if ax is None:
        width = max(5.0, min(16.0, (boxes[-1].x + 20) / 10))
        fig, ax = plt.subplots(figsize=(width, 3.6))
    else:
        fig = ax.figure
    top = max(b.height + (b.planes - 1) * b.offset for b in boxes)
    for b in boxes:
        color = COLORS.get(b.kind, "#dddddd")
        for p in range(b.planes):            # back plane first: the front one is drawn last
            k = b.planes - 1 - p
            ax.add_patch(Rectangle((b.x + k * b.offset, -b.height / 2 + k * b.offset), b.width,
                                   b.height, facecolor=color, edgecolor="#333333", lw=0.8))
        centre = b.x + b.span / 2
        ax.text(centre, -top / 2 - 3, _shape_text(b.shape), ha="center", va="top", fontsize=9)
        ax.text(centre, top / 2 + 3, _wrap(b.label), ha="center", va="bottom", fontsize=8,
                fontweight="bold")
    ax.set_xlim(-3, boxes[-1].x + max(boxes[-1].span, SLOT) + 3)
    ax.set_ylim(-top / 2 - 10, top / 2 + top * 0.25 + 16)
    ax.set_aspect("equal")
    ax.axis("off")
    if title:
        ax.set_title(title)
    return fig


def draw_architecture(model, in_shape=None, ax=None, title=None):
    """Draw ``model`` (a chain of layers) as boxes sized by each layer's output shape, shapes
    written under them, names above (003 fig 4-19 style). Returns the Figure."""
    rows = layer_shapes(model, in_shape)
    return _draw(layout(rows), ax, title if title is not None else model.name)


def draw_shapes(shapes, ax=None, title=None):
    """Draw any sequence of (label, shape) as boxes sized by the shapes. Returns the Figure."""
    return _draw(layout(list(shapes)), ax, title)


def draw_parameters(kernel_size, in_channels, filters, ax=None, max_drawn=10):
    """A conv layer's parameters: ``filters`` kernels of kernel_size x kernel_size x in_channels
    weights (stacks of grid planes) and one bias each (a dot), with (F*F*D + 1) * K written.
    Draws at most ``max_drawn`` kernels ("..." for the rest). Returns the Figure."""
    f, d, k = int(kernel_size), int(in_channels), int(filters)
    if min(f, d, k) < 1:
        raise ValueError(_("kernel_size, in_channels and filters must be >= 1, got {f}, {d}, {k}")
                         .format(f=f, d=d, k=k))
    shown = min(k, max_drawn)
    planes = _planes(d) if d > 8 else d
    step = f + (planes - 1) * 0.6 + 3
    if ax is None:
        fig, ax = plt.subplots(figsize=(min(14, 1.2 + shown * step / 4.5), 2.8))
    else:
        fig = ax.figure
    for j in range(shown):
        x0 = j * step
        for p in range(planes):
            q = planes - 1 - p
            ax.add_patch(Rectangle((x0 + q * 0.6, q * 0.6), f, f, facecolor="#9ecae1",
                                   edgecolor="#333333", lw=0.6))
            for t in range(1, f):            # the weight grid on the front plane
                if q == 0:
                    ax.plot([x0 + t, x0 + t], [0, f], color="#333333", lw=0.3)
                    ax.plot([x0, x0 + f], [t, t], color="#333333", lw=0.3)
        ax.add_patch(plt.Circle((x0 + f / 2, -1.6), 0.55, color="#d62728"))
        ax.text(x0 + f / 2, f + planes * 0.6 + 0.6, _("kernel {n}").format(n=j + 1), ha="center",
                fontsize=7)
    if shown < k:
        ax.text(shown * step - 1.5, f / 2, "...", fontsize=14, ha="center")
    total = (f * f * d + 1) * k
    ax.text(0, -3.8, _("each kernel: {f}·{f}·{d} = {weights} weights (blue) + 1 bias (red) = "
                       "{per_kernel};   {k} kernels: ({f}·{f}·{d} + 1)·{k} = {total:,} parameters")
            .format(f=f, d=d, weights=f * f * d, per_kernel=f * f * d + 1, k=k, total=total),
            fontsize=9, va="top")
    ax.set_xlim(-1, shown * step + 1)
    ax.set_ylim(-6.5, f + planes * 0.6 + 2.5)
    ax.set_aspect("equal")
    ax.axis("off")
    return fig
