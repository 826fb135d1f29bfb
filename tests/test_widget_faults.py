"""The widget faults a person saw (issue 15, section 6), each checked on the widget's state or on
its rendered figure: overlapping numbers and cut labels from the text extents, a photo drawn as a
negative from the colours drawn, sizes and alignments from the axes' boxes in pixels."""
from __future__ import annotations

import ast
import colorsys
import os
import struct
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import ipywidgets as widgets  # noqa: E402
import nbformat  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib import colors as mcolors  # noqa: E402

from cnncourse import data, viz  # noqa: E402
from cnncourse.translation import cells  # noqa: E402
from cnncourse.widgets import (BackwardStepper, ConvStepper, KernelLab,  # noqa: E402
                               PaddingExplorer, PoolingStepper, SizePlayground)
from cnncourse.widgets import kernel_lab  # noqa: E402

from .figure_checks import image_box, numbers_wider_than_cells, overlapping_texts  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def photo32():
    """The cameraman at 32x32, as notebook 05 shows it."""
    return data.sample_image("camera")[::16, ::16]


def luminance(rgba):
    r, g, b = rgba[:3]
    return 0.299 * r + 0.587 * g + 0.114 * b


def png_size(widget):
    return struct.unpack(">II", bytes(widget.figure_view.value)[16:24])


# ----------------------------------------------------------------------------- PoolingStepper
@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pooled_numbers_never_run_into_each_other(photo32, mode):
    """F=5 on 32x32 wrote '0.9960.137': every pool size, both modes, shifted or not."""
    st = PoolingStepper(photo32, pool_size=2, mode=mode)
    for shift in (False, True):
        st.shift.value = shift
        for f in range(2, 9):
            st.pool_size.value = f
            assert overlapping_texts(st.fig) == [], (f, shift)
            if st.out_view.texts is not None:
                assert numbers_wider_than_cells(st.out_view) == [], (f, shift)


def test_the_overlap_check_can_fail(photo32, monkeypatch):
    """Without fitting the numbers to their cells, the same figure has overlapping numbers."""
    monkeypatch.setattr(viz, "CELL_TEXT_SHARE", 100.0)
    st = PoolingStepper(photo32, pool_size=4, mode="avg")
    assert overlapping_texts(st.fig)


def test_a_photo_is_not_drawn_as_its_negative(photo32):
    st = PoolingStepper(photo32, pool_size=2)
    for view, values in ((st.in_view, photo32), (st.out_view, st.output())):
        cmap, norm = view.image.get_cmap(), view.norm
        bright, dark = cmap(norm(values.max())), cmap(norm(values.min()))
        assert luminance(bright) > luminance(dark) + 0.8      # white is bright, black dark


def test_labels_are_not_cut():
    """'stride = pool size (Keras d…': every control's label gets the room it needs."""
    lab = KernelLab(np.random.default_rng(0).random((20, 20)))
    for w in (PoolingStepper(np.arange(64.0).reshape(8, 8)), ConvStepper(np.ones(5), np.ones(3)),
              SizePlayground(), PaddingExplorer(np.ones((8, 8))), lab,
              BackwardStepper(np.ones((4, 4)), np.ones((2, 2)))):
        for control in _controls(w.widget):
            text = getattr(control, "description", "")
            if isinstance(control, (widgets.Checkbox, widgets.ToggleButton, widgets.Button)):
                if len(text) > 12:
                    assert control.layout.width == "auto", text
                if isinstance(control, widgets.Checkbox):
                    assert control.indent is False, text
            elif text and len(text) > 8 and hasattr(control.style, "description_width"):
                assert control.style.description_width == "initial", text


def _controls(box):
    yield box
    for child in getattr(box, "children", ()):
        yield from _controls(child)


@pytest.mark.parametrize("side, numbers", [(8, True), (16, False), (32, False)])
def test_kept_values_are_marked_with_visible_dots(photo32, side, numbers):
    x = (np.arange(side * side).reshape(side, side) % 7 if numbers
         else photo32[::32 // side, ::32 // side])
    st = PoolingStepper(x, pool_size=2)
    assert st.dots_shown() and (st.in_view.texts is not None) == numbers
    dots = st.kept_dots
    assert len(dots.get_offsets()) == st.kept_mask().sum()
    diameter = np.sqrt(dots.get_sizes()[0])
    assert diameter >= (0.25 if numbers else 0.6) * st.cell_points()
    h, s, v = colorsys.rgb_to_hsv(*dots.get_facecolor()[0][:3])
    assert s > 0.8 and v > 0.8                              # a vivid colour on any grey
    assert mcolors.same_color(dots.get_edgecolor()[0], "black")


# ----------------------------------------------------------------------------- ConvStepper
def test_the_input_is_called_padded_only_when_it_is():
    z, u = np.arange(7.0), np.array([1.0, 2.0, -1.0])
    Z, U = np.arange(25.0).reshape(5, 5), np.ones((3, 3))
    assert ConvStepper(Z, U).g_in[0].ax.get_title() == "z"
    assert ConvStepper(Z, U, padding=1).g_in[0].ax.get_title() == "z (padded by 1)"
    assert ConvStepper(Z, U, padding=(1, 0)).padding_label() == "z (padded: rows 1+1, columns 0+0)"
    assert ConvStepper(z, u).g_in.ax.get_title() == ""                  # the row is labelled z
    assert ConvStepper(z, u, padding=1).g_in.ax.get_title() == "z (padded by 1)"


def test_the_stepper_writes_the_lectures_names():
    """The text writes s(i) = sum z(i + x) u(x) (003's 4.10): so does the stepper."""
    z, u = np.array([1., 3., 2., 5., 4., 0., 1.]), np.array([1., 2., -1.])
    st = ConvStepper(z, u, padding=1)
    st.step.value = 4                                                   # s(3)
    assert "s(3) = z(2)·u(-1) + z(3)·u(0) + z(4)·u(1)" in st.formula_html.value
    assert "s(3) = <b>8</b>" in st.value_html.value
    assert st.current_value() == z[2] * 1 + z[3] * 2 + z[4] * -1
    Z, U = np.arange(25.0).reshape(5, 5), np.ones((3, 3))
    st2 = ConvStepper(Z, U, b=1.0)
    text = st2.formula_html.value
    assert "z(1 + y, 1 + x) · u(y, x) + b" in text and "(y = -1 … 1, x = -1 … 1)" in text
    labels = [ax.get_title() for ax in st2.fig.axes] + [ax.get_ylabel() for ax in st2.fig.axes]
    assert not any(t.startswith(("x", "w", "output")) for t in labels), labels
    assert {"z", "u", "s"} <= set(labels)


def test_steps_are_counted_from_one():
    st = ConvStepper(np.arange(25.0).reshape(5, 5), np.ones((3, 3)))
    assert "step 1 of 9" in st.formula_html.value
    st.step.value = st.step.max
    assert "step 9 of 9" in st.formula_html.value and st.position() == (2, 2)


@pytest.mark.parametrize("stride, padding", [(1, 1), (1, 0), (2, 1), (3, 0)])
def test_each_1d_output_sits_under_its_window(stride, padding):
    """s(3) was drawn under z(2): each output cell is centred under the window it sums."""
    z, u = np.arange(11.0), np.array([1.0, 2.0, -1.0])
    st = ConvStepper(z, u, stride=stride, padding=padding)
    st.fig.canvas.draw()
    to_px = lambda ax, x: ax.transData.transform((x, 0))[0]              # noqa: E731
    for i in range(st.out_shape[0]):
        centre = to_px(st.g_in.ax, i * stride + 1)                      # padded index of z(i)
        assert abs(to_px(st.g_out.ax, i * stride) - centre) < 1.0, i
        assert np.isnan(st.g_out.values[0, i * stride + 1:(i + 1) * stride]).all()
    labels = [t.get_text() for t in st.g_out.ax.get_xticklabels()]
    assert labels[:2] == ["0", "1"]


# ----------------------------------------------------------------------------- PaddingExplorer
def test_valid_mode_says_no_padding():
    pe = PaddingExplorer(np.random.default_rng(0).random((24, 36)), kernel_size=3)
    pe.mode.value, pe.padding.value = "replicate", "valid"
    assert pe.input_title() == "input 24×36 (no padding)"
    pe.padding.value = "same"
    assert pe.input_title() == "padded input 26×38 (replicate)"


def test_colour_bars_are_as_tall_as_their_pictures():
    pe = PaddingExplorer(np.random.default_rng(0).random((24, 36)), kernel_size=3)
    fig = _figure_of(pe)
    heat, bar = fig.axes[2], fig.axes[3]
    assert abs(image_box(heat).height - image_box(bar).height) < 1.5
    fig, axes = viz.show_images([np.ones((20, 60)), np.ones((60, 20))], ["wide", "tall"],
                                colorbar=True)
    for ax, cax in zip(axes, fig.axes[2:]):
        assert abs(image_box(ax).height - image_box(cax).height) < 1.5


def _figure_of(widget):
    """The last figure a widget drew (PaddingExplorer draws a new one per change)."""
    import matplotlib.figure

    captured = []
    original = widget._show_figure
    widget._show_figure = lambda fig, **kw: (captured.append(fig), original(fig, **kw))
    widget._render()
    widget._show_figure = original
    assert isinstance(captured[-1], matplotlib.figure.Figure)
    return captured[-1]


# ----------------------------------------------------------------------------- SizePlayground
def test_window_marks_add_no_row_or_column():
    sp = SizePlayground(n=8, kernel=3, padding=1, stride=2)
    fig = _figure_of(sp)
    ax = fig.axes[0]
    n_pad = sp.padded_size()
    assert ax.get_xlim() == (-0.5, n_pad - 0.5) and sorted(ax.get_ylim()) == [-0.5, n_pad - 0.5]
    assert list(ax.get_xticks()) == sp.starts() == list(ax.get_yticks())
    assert overlapping_texts(fig) == []


def test_the_formula_says_w2_not_o():
    sp = SizePlayground(n=8, kernel=3, padding=0, stride=2)
    assert "W₂ = floor((W₁ − F + 2P)/S) + 1" in sp.text
    assert "O =" not in sp.text and sp.n.description == "input W₁"


# ----------------------------------------------------------------------------- KernelLab
def test_relu_share_is_never_rounded_to_zero():
    assert kernel_lab.percent(1, 3000) == "0.03%" and kernel_lab.percent(2999, 3000) == "99.97%"
    assert kernel_lab.percent(0, 10) == "0%" and kernel_lab.percent(10, 10) == "100%"
    gray = np.full((40, 40), 0.5)
    gray[20, 20] = 0.0                                    # one dark pixel: few negative values
    lab = KernelLab(gray, preset="sharpen")
    n, total = lab.zeroed_by_relu(), lab.feature_map().size
    assert 0 < n < total / 100 and lab.feature_map().min() < 0
    assert f"<b>{n:,} of {total:,}</b>" in lab.info.value
    assert f"({kernel_lab.percent(n, total)}," in lab.info.value
    assert "(0.0%" not in lab.info.value and "(0%" not in lab.info.value


def test_kernel_lab_layout_does_not_jump(monkeypatch):
    lab = KernelLab(data.sample_image("chelsea"), preset="Sobel y")
    note_layout = (lab.note.layout.width, lab.note.layout.height)
    sizes = set()
    for name in list(kernel_lab.PRESETS) + ["Sobel y"]:
        lab.preset.value = name
        sizes.add(png_size(lab))
        assert (lab.note.layout.width, lab.note.layout.height) == note_layout
        assert overlapping_texts(lab.fig) == []
    assert len(sizes) == 1, sizes
    assert note_layout == (kernel_lab.NOTE_WIDTH, kernel_lab.NOTE_HEIGHT)
    longest = max(kernel_lab.PRESET_NOTES.values(), key=len)
    assert len(longest) < 2 * int(kernel_lab.NOTE_WIDTH[:-2]) / 7      # ~7 px a character


# ----------------------------------------------------------------------------- notebook 02 S13
def test_every_picture_grid_in_the_lectures_has_titles():
    """02 S13 showed four feature maps without saying which kernel made which."""
    missing = []
    for path in sorted((ROOT / "notebooks").glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type != "code":
                continue
            for node in ast.walk(ast.parse(cells.mask_magics(cell.source))):
                name = getattr(getattr(node, "func", None), "attr", None)
                if isinstance(node, ast.Call) and name == "show_images":
                    keywords = {k.arg for k in node.keywords}
                    if len(node.args) < 2 and "titles" not in keywords:
                        missing.append(f"{path.name} {cell.id}: {ast.unparse(node)[:60]}")
    assert not missing, missing

