"""Kernel lab: edit a 3x3 kernel (or pick a preset) and watch a real photo's feature map change.

``KernelLab(image)`` shows the grayscale photo, its feature map (특성 맵) ``ops.conv2d(gray,
kernel)`` drawn as in document 003 (black = negative, white = positive, grey = 0), and the
rectified feature map ``ops.relu(feature map)`` (only non-negative values, S14).
The presets are the kernels of the documents: Sobel x and y exactly as printed in 003 (its
"Vertical" and "Horizontal" kernels), 003's 3x3 vertical and horizontal line kernels, plus blur,
sharpen and identity.
"""
from __future__ import annotations

import ipywidgets as widgets
import numpy as np

from .. import ops, viz
from ..i18n import N_, _
from ._base import CourseWidget

__all__ = ["KernelLab", "PRESETS", "to_gray"]

PRESETS = {
    "Sobel x": ops.SOBEL_X,                                                 # 003 "Vertical"
    "Sobel y": ops.SOBEL_Y,                                                 # 003 "Horizontal"
    "vertical line": np.array([[-1, 0, 1], [-1, 0, 1], [-1, 0, 1]], float),     # 003 수직방향
    "horizontal line": np.array([[-1, -1, -1], [0, 0, 0], [1, 1, 1]], float),  # 003 수평방향
    "blur": np.full((3, 3), 1 / 9),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], float),
    "identity": np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], float),
}
PRESET_NOTES = {     # shown through _(): the language may change after import
    "Sobel x": N_("003's <i>Vertical</i> Sobel kernel: responds to vertical edges "
                  "(left-right change)"),
    "Sobel y": N_("003's <i>Horizontal</i> Sobel kernel: responds to horizontal edges "
                  "(top-bottom change)"),
    "vertical line": N_("003's 수직방향 kernel: vertical lines and edges"),
    "horizontal line": N_("003's 수평방향 kernel: horizontal lines and edges"),
    "blur": N_("the mean of the 3x3 neighbourhood: smooths, no negative values"),
    "sharpen": N_("centre minus neighbours: makes edges crisper"),
    "identity": N_("a single 1 in the centre: the feature map is the image itself"),
    "custom": N_("your own kernel"),
}
PRESET_LABELS = {"Sobel x": N_("Sobel x"), "Sobel y": N_("Sobel y"),
                 "vertical line": N_("vertical line"), "horizontal line": N_("horizontal line"),
                 "blur": N_("blur"), "sharpen": N_("sharpen"), "identity": N_("identity"),
                 "custom": N_("custom")}      # the dropdown's labels; its values stay the keys
CUSTOM = "custom"
NOTE_WIDTH, NOTE_HEIGHT = "430px", "3.2em"     # room for the longest note on two lines


def percent(count, total) -> str:
    """count/total as a percentage that is never rounded to 0% or 100% when it is not:
    '0.03%', '12.5%', '99.97%'; '0%' and '100%' only when exact."""
    if total == 0 or count == 0:
        return "0%"
    if count == total:
        return "100%"
    share = 100 * count / total
    digits = 1
    while digits < 6 and (round(share, digits) == 0 or round(share, digits) == 100):
        digits += 1
    return f"{share:.{digits}f}%"


def to_gray(image, max_side=None):
    """A photo as a 2D float array: RGB (H,W,3) -> luminance 0.2125 R + 0.7154 G + 0.0721 B
    (skimage.color.rgb2gray); (H,W) passes through. With max_side, photos larger than that are
    resized (anti-aliased) so that their longer side is max_side - this keeps the widget fast."""
    image = np.asarray(image, dtype=float)
    if image.ndim == 3 and image.shape[-1] in (3, 4):
        from skimage import color
        image = color.rgb2gray(image[..., :3])
    if image.ndim != 2:
        raise ValueError(_("expected a grayscale (H,W) or colour (H,W,3) image, got shape "
                           "{shape}").format(shape=image.shape))
    if max_side is not None and max(image.shape) > max_side:
        from skimage import transform
        scale = max_side / max(image.shape)
        shape = (max(3, round(image.shape[0] * scale)), max(3, round(image.shape[1] * scale)))
        image = transform.resize(image, shape, anti_aliasing=True)
    return image


class KernelLab(CourseWidget):
    """Edit a 3x3 kernel on a real photo; the feature map and its ReLU update in place.

    image: (H,W) or (H,W,3) floats (e.g. ``cnncourse.data.sample_image("chelsea")``).
    preset: the initial kernel (a key of PRESETS). padding: "same" (output as large as the
    photo) or "valid". max_side: photos larger than this are scaled down first (``.gray`` holds
    the image actually used).
    """

    def __init__(self, image, preset="Sobel x", padding="same", max_side=256):
        super().__init__()
        if preset not in PRESETS:
            raise ValueError(_("unknown preset {preset!r}; choose one of {names}").format(
                preset=preset, names=list(PRESETS)))
        if padding not in ("same", "valid"):
            raise ValueError(_("padding must be 'same' or 'valid', got {padding!r}").format(
                padding=padding))
        self.gray = to_gray(image, max_side)
        self.padding = padding

        self.preset = widgets.Dropdown(options=[(_(PRESET_LABELS[name]), name)
                                                for name in list(PRESETS) + [CUSTOM]],
                                       value=preset, description=_("preset"))
        self.cells = [[widgets.FloatText(value=0.0, step=0.5,
                                         layout=widgets.Layout(width="70px"))
                       for _column in range(3)] for _row in range(3)]
        # fixed boxes: a longer note or number must not move the kernel fields or the figure
        self.note = widgets.HTML(layout=widgets.Layout(width=NOTE_WIDTH, height=NOTE_HEIGHT))
        self.info = widgets.HTML(layout=widgets.Layout(min_height="3em"))

        h, w = self.gray.shape
        self.fig = viz.new_figure(12, 0.7 + 3.3 * h / w)     # three panels of the photo's shape
        self.ax_img, self.ax_map, self.ax_relu = self.fig.subplots(1, 3)
        for ax in (self.ax_img, self.ax_map, self.ax_relu):
            ax.set_xticks([])
            ax.set_yticks([])
        self.ax_img.imshow(self.gray, cmap="gray", vmin=0, vmax=1)
        self.ax_img.set_title(_("grayscale photo {h}x{w}").format(h=self.gray.shape[0],
                                                                  w=self.gray.shape[1]),
                              fontsize=10)
        shape = ops.conv2d(self.gray, np.zeros((3, 3)), padding=padding).shape
        self.map_image = self.ax_map.imshow(np.zeros(shape), cmap="gray", vmin=-1, vmax=1)
        self.relu_image = self.ax_relu.imshow(np.zeros(shape), cmap="gray", vmin=0, vmax=1)
        viz.add_colorbar(self.map_image, self.ax_map)
        viz.add_colorbar(self.relu_image, self.ax_relu)
        self.ax_map.set_title(_("feature map (black < 0 < white)"), fontsize=10)
        self.ax_relu.set_title(_("ReLU(feature map): values >= 0"), fontsize=10)
        # the layout is fixed once: every kernel gives a picture of the same size
        height = self.fig.get_size_inches()[1]
        self.fig.subplots_adjust(left=0.02, right=0.96, bottom=0.15 / height,
                                 top=1 - 0.45 / height, wspace=0.25)

        self.preset.observe(self._safely(self._on_preset), names="value")
        for row in self.cells:
            for cell in row:
                cell.observe(self._safely(self._on_cell), names="value")

        grid = widgets.GridBox([c for row in self.cells for c in row],
                               layout=widgets.Layout(grid_template_columns="repeat(3, 75px)"))
        controls = widgets.HBox([widgets.VBox([self.preset, self.note]),
                                 widgets.VBox([widgets.HTML("<b>" + _("kernel (3x3)") + "</b>"), grid])])
        self.widget = widgets.VBox([controls, self.figure_view, self.info, self.errors])
        self._safely(self._on_preset)()

    # ------------------------------------------------------------------ numbers (for tests)
    def kernel(self):
        """The kernel in the 3x3 fields, as a (3,3) float array."""
        return np.array([[c.value for c in row] for row in self.cells], float)

    def set_kernel(self, kernel):
        """Type a (3,3) kernel into the fields (the preset becomes "custom" unless it matches)."""
        kernel = np.asarray(kernel, float)
        if kernel.shape != (3, 3):
            raise ValueError(_("the kernel lab edits 3x3 kernels, got shape {shape}").format(
                shape=kernel.shape))
        self._type_kernel(kernel)
        self._on_cell()

    def feature_map(self):
        """ops.conv2d(gray, kernel, padding=padding): the feature map shown in panel 2."""
        return ops.conv2d(self.gray, self.kernel(), padding=self.padding)

    def rectified(self):
        """ops.relu(feature_map()): the rectified feature map shown in panel 3."""
        return ops.relu(self.feature_map())

    def zeroed_by_relu(self) -> int:
        """How many feature-map values ReLU sets to 0 (the negative ones)."""
        return int((self.feature_map() < 0).sum())

    # ------------------------------------------------------------------ callbacks
    def _type_kernel(self, kernel):
        """Put a (3,3) kernel into the fields without a render per field."""
        with self._updating_controls():
            for row, values in zip(self.cells, kernel):
                for cell, v in zip(row, values):
                    cell.value = float(v)

    def _on_preset(self):
        name = self.preset.value
        self.note.value = _(PRESET_NOTES[name])
        if name == CUSTOM:
            return
        self._type_kernel(PRESETS[name])
        self._render()

    def _on_cell(self):
        kernel = self.kernel()
        match = next((n for n, k in PRESETS.items() if np.allclose(k, kernel)), CUSTOM)
        if match != self.preset.value:
            with self._updating_controls():
                self.preset.value = match
            self.note.value = _(PRESET_NOTES[match])
        self._render()

    def _render(self):
        fmap = self.feature_map()
        rect = ops.relu(fmap)
        limit = float(np.abs(fmap).max()) or 1.0
        self.map_image.set_data(fmap)
        self.map_image.set_clim(-limit, limit)
        self.relu_image.set_data(rect)
        self.relu_image.set_clim(0, limit)
        self._show_figure(self.fig, tight=False)
        zeroed = self.zeroed_by_relu()
        self.info.value = _(
            "feature map {h}x{w}: min <b>{low:.3g}</b>, max <b>{high:.3g}</b>; ReLU sets "
            "<b>{zeroed:,} of {n:,}</b> values ({percent}, the negative ones) to 0").format(
            h=fmap.shape[0], w=fmap.shape[1], low=fmap.min(), high=fmap.max(), zeroed=zeroed,
            n=fmap.size, percent=percent(zeroed, fmap.size))
