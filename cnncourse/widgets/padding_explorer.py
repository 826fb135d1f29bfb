"""PaddingExplorer: zeros vs replicate, valid vs same, and how often each pixel is used (S17-S21).

    PaddingExplorer(image, kernel_size=3, kernel=None)

image: a 2D (H,W) grayscale array (for a colour photo use skimage.color.rgb2gray first).
kernel: a (F,F) array; by default a mean (blur) kernel of kernel_size, which makes the dark
border of zero padding easy to see. The widget shows the padded input, the output
(cnncourse.ops.conv2d with that padding and pad_mode) and a heat map of how many times each
input pixel enters a product (cnncourse.ops.usage_counts): the border pixels of a valid
convolution are used far less than the centre ones (S17); with replicate padding (복사 덧대기)
the edge pixels are used *more*, because every padding cell is a copy of one of them.
"""
from __future__ import annotations

import html

import ipywidgets as widgets
import numpy as np

from .. import ops, viz
from ..i18n import N_, _
from ._base import CourseWidget

__all__ = ["PaddingExplorer"]

MODE_LABELS = {"zeros": N_("zeros"), "replicate": N_("replicate")}    # pad modes, as shown


class PaddingExplorer(CourseWidget):
    """Toggle zeros/replicate and valid/same; see the module docstring."""

    def __init__(self, image, kernel_size=3, kernel=None, *, max_kernel=9):
        super().__init__()
        image = np.asarray(image, dtype=float)
        if image.ndim != 2:
            raise ValueError(_("PaddingExplorer takes a 2D grayscale image (H,W), got shape "
                               "{shape}; convert a colour photo with skimage.color.rgb2gray")
                             .format(shape=image.shape))
        self.image = image
        self.fixed_kernel = None if kernel is None else np.asarray(kernel, dtype=float)
        if self.fixed_kernel is not None:
            if self.fixed_kernel.ndim != 2:
                raise ValueError(_("kernel must be 2D (FH,FW), got shape {shape}").format(
                    shape=self.fixed_kernel.shape))
            kernel_size = self.fixed_kernel.shape[0]
        self.mode = widgets.ToggleButtons(options=[(_(label), mode)
                                                   for mode, label in MODE_LABELS.items()],
                                          value="zeros", description=_("pad with"))
        self.padding = widgets.ToggleButtons(options=["valid", "same"], value="same",
                                             description=_("padding"))
        self.kernel_size = widgets.IntSlider(value=kernel_size, min=1,
                                             max=max(max_kernel, kernel_size),
                                             description=_("kernel F"),
                                             disabled=self.fixed_kernel is not None)
        self.text_html = widgets.HTML()
        for control in (self.mode, self.padding, self.kernel_size):
            control.observe(self._safely(self._render), names="value")
        self.widget = widgets.VBox([widgets.HBox([self.mode, self.padding]), self.kernel_size,
                                    self.text_html, self.figure_view, self.errors])
        self._render()

    # ------------------------------------------------------------------ the arrays shown
    def kernel(self):
        """The kernel in use: the given one, or a mean kernel of size F (values 1/F²)."""
        if self.fixed_kernel is not None:
            return self.fixed_kernel
        f = self.kernel_size.value
        return np.full((f, f), 1.0 / (f * f))

    def pads(self):
        """((top, bottom), (left, right)) for the current padding word (Keras' split)."""
        if self.padding.value == "valid":
            return (0, 0), (0, 0)
        fh, fw = self.kernel().shape
        h, w = self.image.shape
        return ops.same_padding(h, fh), ops.same_padding(w, fw)

    def padded(self):
        """The padded input: ops.pad2d(image, pads, mode)."""
        return ops.pad2d(self.image, self.pads(), mode=self.mode.value)

    def output(self):
        """The feature map: ops.conv2d(image, kernel, padding, pad_mode)."""
        return ops.conv2d(self.image, self.kernel(), padding=self.pads(),
                          pad_mode=self.mode.value)

    def usage_counts(self):
        """How many products each input pixel enters, (H,W): ops.usage_counts."""
        return ops.usage_counts(self.image.shape, self.kernel().shape, self.pads(),
                                self.mode.value)

    def input_title(self) -> str:
        """Panel 1's title: 'padded input 26×38 (replicate)', or 'input 24×36 (no padding)'
        when 'valid' pads nothing (then zeros and replicate draw the same)."""
        (t, b), (l, r) = self.pads()
        h, w = self.image.shape
        if not (t or b or l or r):
            return _("input {h}×{w} (no padding)").format(h=h, w=w)
        return _("padded input {h}×{w} ({mode})").format(h=h + t + b, w=w + l + r,
                                                         mode=_(MODE_LABELS[self.mode.value]))

    # ------------------------------------------------------------------ drawing
    def _render(self):
        image, k = self.image, self.kernel()
        (t, b), (l, r) = self.pads()
        fh, fw = k.shape
        h, w = image.shape
        out, padded, counts = self.output(), self.padded(), self.usage_counts()
        fill = (_("rows ({top}, {bottom}), cols ({left}, {right}) filled with {mode}").format(
                    top=t, bottom=b, left=l, right=r, mode=_(MODE_LABELS[self.mode.value]))
                if t or b or l or r else _("no padding"))
        self._text = _(
            "input {h}×{w}, kernel {fh}×{fw}, padding '{padding}': {fill} → output "
            "{oh}×{ow}.  Each input pixel is used between "
            "{least} and {most} times (corner: {corner}, centre: {centre}).").format(
            h=h, w=w, fh=fh, fw=fw, padding=self.padding.value, fill=fill, oh=out.shape[0],
            ow=out.shape[1], least=counts.min(), most=counts.max(), corner=counts[0, 0],
            centre=counts[h // 2, w // 2])
        self.text_html.value = f"<div style='line-height:1.5'>{html.escape(self._text)}</div>"
        fig = viz.new_figure(12, 4.2)
        axes = fig.subplots(1, 3)
        lo, hi = float(image.min()), float(image.max())
        g = _grid(axes[0], padded, cmap="gray", vmin=lo, vmax=hi, title=self.input_title())
        if t or b or l or r:
            g.outline(t, l, h, w, color=viz.WINDOW_COLOR, linestyle="--")
        _grid(axes[1], out, cmap="gray", title=_("output {h}×{w}").format(h=out.shape[0], w=out.shape[1]))
        gc = _grid(axes[2], counts, cmap="viridis", vmin=0, title=_("times each input pixel is used"))
        viz.add_colorbar(gc.image, axes[2])
        self._show_figure(fig)

    @property
    def text(self) -> str:
        """The sentence shown above the figure, as plain text."""
        return self._text


def _grid(ax, values, **kwargs):
    """A grid with numbers and cell borders only where the numbers fit (viz.numbers_fit)."""
    small = viz.numbers_fit(values)
    return viz.draw_grid(ax, values, show_values=small, grid_lines=small, **kwargs)
