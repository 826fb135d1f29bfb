"""Widget tests without a browser: set the controls, compare what is shown with cnncourse.ops.

Covers cnncourse.viz, ConvStepper, SizePlayground and PaddingExplorer.
"""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import ipywidgets as widgets  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnncourse import ops, viz  # noqa: E402
from cnncourse.widgets import ConvStepper, PaddingExplorer, SizePlayground  # noqa: E402
from cnncourse.widgets.conv_stepper import OUTPUT_VALUE_CLASS, format_value  # noqa: E402
from cnncourse.ops import usage_counts  # noqa: E402

PNG_MAGIC = b"\x89PNG"


# ----------------------------------------------------------------------------- viz
def test_format_cell():
    assert viz.format_cell(3.0) == "3"
    assert viz.format_cell(-0.0) == "0"
    assert viz.format_cell(0.12345) == "0.123"
    assert viz.format_cell(float("nan")) == ""


def test_grid_view_updates_in_place():
    fig = viz.new_figure(3, 3)
    ax = fig.add_subplot()
    g = viz.draw_grid(ax, np.arange(6).reshape(2, 3))
    image, texts = g.image, g.texts
    g.set_values(np.array([[9, 8, 7], [6, 5, 4]]))
    assert g.image is image and g.texts is texts            # same artists, new contents
    assert [t.get_text() for t in g.texts[0]] == ["9", "8", "7"]
    rect = g.highlight(0, 1, 2, 2)
    assert g.highlight(1, 0, 1, 1) is rect and rect.get_xy() == (-0.5, 0.5)
    with pytest.raises(ValueError, match="expected shape"):
        g.set_values(np.zeros((3, 3)))
    assert viz.figure_png(fig).startswith(PNG_MAGIC)


def test_show_images_side_by_side():
    fig, axes = viz.show_images([np.zeros((4, 4)), np.ones((4, 4, 3))], ["a", "b"])
    assert len(axes) == 2 and axes[1].get_title() == "b"


# ----------------------------------------------------------------------------- ConvStepper
RNG = np.random.default_rng(7)
CASES_2D = [
    dict(x=RNG.integers(-3, 4, (5, 6)), w=RNG.integers(-2, 3, (3, 3)), b=1.5, stride=1, padding=0),
    dict(x=RNG.normal(size=(7, 7)), w=RNG.normal(size=(3, 2)), b=0.0, stride=2, padding="same"),
    dict(x=RNG.integers(0, 5, (6, 6)), w=RNG.integers(-1, 2, (2, 2)), b=-2, stride=2,
         padding=1),
    dict(x=RNG.integers(0, 5, (6, 5)), w=RNG.integers(-1, 2, (3, 3)), b=0, stride=1,
         padding=(1, 0)),
]


@pytest.mark.parametrize("case", CASES_2D)
def test_stepper_2d_matches_ops(case):
    st = ConvStepper(**case)
    pads = st.pads
    expected = ops.conv2d(case["x"], case["w"], case["b"], stride=case["stride"],
                          padding=case["padding"])
    np.testing.assert_allclose(st.output(), expected)
    np.testing.assert_allclose(st.padded, ops.pad2d(case["x"], pads))
    oh, ow = expected.shape
    # one step per output value, counted 1 ... n ("step 1 of 9", S9's order: row by row)
    assert (st.step.min, st.step.max) == (1, oh * ow) and st.play.max == st.step.max
    assert f"step 1 of {oh * ow}" in st.formula_html.value
    for step in sorted({0, 1, oh * ow // 2, oh * ow - 1}):
        st.step.value = step + 1
        i, j = divmod(step, ow)
        assert st.position() == (i, j)
        assert st.current_value() == pytest.approx(expected[i, j])
        assert format_value(expected[i, j]) in st.value_html.value
        assert format_value(expected[i, j]) in st.formula_html.value
        partial = st.partial_output()
        np.testing.assert_allclose(partial.ravel()[:step + 1], expected.ravel()[:step + 1])
        assert np.isnan(partial.ravel()[step + 1:]).all()
        # the grid drawn is the partial output, the window drawn is the one summed
        np.testing.assert_allclose(st.g_out.values, partial)
        fh, fw = case["w"].shape
        s = case["stride"]
        assert st.g_in[0].highlights["window"].get_xy() == (j * s - 0.5, i * s - 0.5)
        assert st.g_in[0].highlights["window"].get_width() == fw
        assert st.g_in[0].highlights["window"].get_height() == fh


def test_stepper_contract_for_browser_test():
    st = ConvStepper(np.arange(16).reshape(4, 4), np.ones((2, 2)))
    assert isinstance(st.step, widgets.IntSlider) and st.step.description == "step"
    assert isinstance(st.value_html, widgets.HTML)
    assert OUTPUT_VALUE_CLASS in st.value_html._dom_classes
    assert st.step in st.widget.children[0].children
    assert isinstance(st.play, widgets.Play)
    st.step.value = 5                                      # the 5th value: s(1, 1)
    assert st.current_value() == 5 + 6 + 9 + 10           # window x[1:3, 1:3]
    assert st.current_value() == float(ops.conv2d(np.arange(16).reshape(4, 4),
                                                  np.ones((2, 2)))[1, 1])
    assert "s(1, 1)" in st.value_html.value


@pytest.mark.parametrize("stride,padding", [(1, 0), (2, 1), (1, "same"), (3, "valid"),
                                            (2, (2, 0))])
def test_stepper_1d_matches_conv1d(stride, padding):
    x, w = RNG.integers(-4, 5, 9).astype(float), np.array([1.0, -2.0, 0.5])
    st = ConvStepper(x, w, b=0.25, stride=stride, padding=padding)
    expected = ops.conv1d(x, w, 0.25, stride=stride, padding=padding)
    np.testing.assert_allclose(st.output(), expected)
    for step in range(len(expected)):
        st.step.value = step + 1
        assert st.current_value() == pytest.approx(expected[step])
        assert format_value(expected[step]) in st.value_html.value


def test_stepper_rgb_channel_sums_plus_bias():
    x = RNG.integers(0, 3, (4, 5, 3)).astype(float)
    w = RNG.integers(-1, 2, (3, 3, 3)).astype(float)
    st = ConvStepper(x, w, b=-1.0, padding=1)
    expected = ops.conv2d(x, w[..., None], -1.0, padding=1)[..., 0]
    np.testing.assert_allclose(st.output(), expected)
    st.step.value = 8
    i, j = divmod(7, expected.shape[1])
    sums = st.channel_sums()
    # each channel's sum is the 2D convolution of that channel alone
    for c in range(3):
        assert sums[c] == pytest.approx(ops.conv2d(x[:, :, c], w[:, :, c], padding=1)[i, j])
    assert sums.sum() - 1.0 == pytest.approx(expected[i, j]) == pytest.approx(st.current_value())
    assert "R:" in st.formula_html.value and "B:" in st.formula_html.value


def test_stepper_reproduces_003_fig_4_14_value_9():
    """Document 003, fig 4-14: 3x3x3 input with zero padding, kernels c1,c2,c3 -> 9."""
    r = [[1, 1], [2, 1]]      # the non-padding part of the window shown in 003
    x = np.zeros((3, 3, 3))
    x[:2, :2, 0] = r
    x[:2, :2, 1] = [[2, 2], [1, 0]]
    x[:2, :2, 2] = [[0, 3], [1, 0]]
    w = np.stack([[[0, 0, 0], [0, 0, 1], [0, 1, 0]],
                  [[0, 2, 0], [0, 2, 0], [0, 2, 0]],
                  [[1, 0, 0], [0, 2, 0], [0, 0, 1]]], axis=-1).astype(float)
    st = ConvStepper(x, w, padding=1)
    st.step.value = 1
    assert st.current_value() == 9.0
    assert "9" in st.value_html.value


def test_stepper_rejects_mismatched_inputs():
    with pytest.raises(ValueError, match="channel mismatch"):
        ConvStepper(np.zeros((4, 4, 3)), np.zeros((2, 2, 2)))
    with pytest.raises(ValueError, match="ConvStepper takes"):
        ConvStepper(np.zeros((4, 4)), np.zeros(3))
    with pytest.raises(ValueError, match="larger than the padded input"):
        ConvStepper(np.zeros((2, 2)), np.zeros((3, 3)))


def test_stepper_callback_error_is_shown(monkeypatch):
    st = ConvStepper(np.arange(9.0).reshape(3, 3), np.ones((2, 2)))
    assert st.error_text() == ""

    def broken(*args, **kwargs):
        raise RuntimeError("boom in render")

    monkeypatch.setattr(st, "_formula_html", broken)
    st.step.value = 2
    assert "RuntimeError: boom in render" in st.error_text()
    assert isinstance(st.last_error, RuntimeError)
    monkeypatch.undo()
    st.step.value = 3                                   # the next good render clears it
    assert st.error_text() == "" and st.last_error is None


# ----------------------------------------------------------------------------- SizePlayground
def _covered_brute_force(n_pad, f, s):
    covered = set()
    start = 0
    while start + f <= n_pad:
        covered.update(range(start, start + f))
        start += s
    return [i for i in range(n_pad) if i not in covered]


@pytest.mark.parametrize("n,f,p,s", [(7, 3, 0, 1), (7, 3, 0, 2), (8, 3, 0, 2), (32, 5, 2, 1),
                                     (10, 2, 1, 3), (8, 2, 0, 4), (5, 1, 0, 3), (6, 4, 1, 2)])
def test_size_playground_matches_output_size(n, f, p, s):
    sp = SizePlayground()
    sp.n.value, sp.kernel.value, sp.padding.value, sp.stride.value = n, f, p, s
    expected = ops.output_size(n, f, s, p)
    assert sp.output_size() == expected
    assert f"= {expected}" in sp.text and f"output {expected} × {expected}" in sp.text
    assert sp.unvisited() == _covered_brute_force(n + 2 * p, f, s)
    if (n - f + 2 * p) % s:
        assert "not whole" in sp.text and "floor" in sp.text
        assert sp.dropped_by_floor()
    else:
        assert "is whole" in sp.text
    assert bytes(sp.figure_view.value).startswith(PNG_MAGIC)


def test_size_playground_never_refuses_a_kernel_too_large():
    sp = SizePlayground(n=4, kernel=3)
    sp.kernel.value = 7
    with pytest.raises(ValueError):
        ops.output_size(4, 7, 1, 0)
    assert sp.output_size() == 0
    assert "EMPTY" in sp.text and "larger than the padded input" in sp.text
    assert sp.error_text() == ""
    sp.padding.value = 2                       # 4 + 2*2 = 8 >= 7: fits again
    assert sp.output_size() == ops.output_size(4, 7, 1, 2) == 2


def test_size_playground_callback_error_is_shown(monkeypatch):
    sp = SizePlayground()
    monkeypatch.setattr(sp, "_explain", lambda: 1 / 0)
    sp.stride.value = 2
    assert "ZeroDivisionError" in sp.error_text()


# ----------------------------------------------------------------------------- PaddingExplorer
def test_usage_counts_6x6_valid_3x3():
    counts = usage_counts((6, 6), 3)
    assert counts[0, 0] == 1 and counts[2, 2] == 9 and counts[0, 2] == 3
    assert counts.sum() == 4 * 4 * 9          # 16 windows of 9 pixels


@pytest.mark.parametrize("mode", ["zeros", "replicate"])
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("f", [2, 3, 4])
def test_padding_explorer_matches_ops(mode, padding, f):
    image = RNG.random((7, 6))
    pe = PaddingExplorer(image, kernel_size=3)
    pe.mode.value, pe.padding.value, pe.kernel_size.value = mode, padding, f
    pads = pe.pads()
    if padding == "same":
        assert pads == (ops.same_padding(7, f), ops.same_padding(6, f))
    np.testing.assert_allclose(pe.padded(), ops.pad2d(image, pads, mode=mode))
    expected = ops.conv2d(image, np.full((f, f), 1 / f ** 2), padding=padding, pad_mode=mode)
    np.testing.assert_allclose(pe.output(), expected)
    # usage of pixel p = sum of the output of conv2d(one-hot image at p, all-ones kernel)
    counts = pe.usage_counts()
    for (r, c) in [(0, 0), (0, 3), (3, 3), (6, 5), (1, 1)]:
        onehot = np.zeros_like(image)
        onehot[r, c] = 1.0
        uses = ops.conv2d(onehot, np.ones((f, f)), padding=padding, pad_mode=mode).sum()
        assert counts[r, c] == pytest.approx(uses), (r, c)
    assert f"output {expected.shape[0]}×{expected.shape[1]}" in pe.text
    assert pe.error_text() == ""


def test_padding_explorer_fixed_kernel_and_errors():
    image = RNG.random((5, 5))
    k = np.array([[1.0, 0, -1], [2, 0, -2], [1, 0, -1]])
    pe = PaddingExplorer(image, kernel=k)
    assert pe.kernel_size.disabled
    np.testing.assert_allclose(pe.output(), ops.conv2d(image, k, padding="same"))
    with pytest.raises(ValueError, match="2D grayscale"):
        PaddingExplorer(np.zeros((4, 4, 3)))
    pe2 = PaddingExplorer(np.zeros((3, 3)), kernel_size=3)
    pe2.padding.value = "valid"
    pe2.kernel_size.value = 5                  # larger than the 3x3 valid input: shown, not raised
    assert "larger than the padded input" in pe2.error_text()
