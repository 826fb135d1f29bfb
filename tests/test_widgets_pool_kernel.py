"""PoolingStepper and KernelLab without a browser: set the controls the way a user would and check
that what the widgets draw and print equals cnncourse.ops (and, for pooling, Keras)."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np
import pytest

from cnncourse import data, ops
from cnncourse.widgets.kernel_lab import PRESETS, KernelLab, percent, to_gray
from cnncourse.ops import kept_by_max_pool, pool2d as pool
from cnncourse.widgets.pooling_stepper import PoolingStepper


def shift_right(x, pixels=1, fill=None):
    """What the pooling stepper's shift toggle shows: ops.shift with the background coming in."""
    return ops.shift(x, 0, pixels, fill=np.min(x) if fill is None else fill)


RNG = np.random.default_rng(0)


def grid(h=6, w=8, seed=0):
    return np.random.default_rng(seed).integers(0, 10, size=(h, w)).astype(float)


# ----------------------------------------------------------------------------- pooling stepper
def test_pooling_default_is_2x2_stride_2_max_pool():
    x = grid()
    s = PoolingStepper(x)
    assert s.params() == (2, 2)
    np.testing.assert_array_equal(s.output(), ops.max_pool2d(x, 2, 2))
    # what panel 2 draws is that array
    np.testing.assert_array_equal(s.out_view.values, ops.max_pool2d(x, 2, 2))
    np.testing.assert_array_equal(s.in_view.values, x)
    assert s.figure_view.value[:4] == b"\x89PNG"
    assert s.error_text() == ""


@pytest.mark.parametrize("mode,pool_size,stride", [
    ("max", 2, None), ("avg", 2, None), ("max", 3, 1), ("avg", 3, 2), ("max", 2, 1),
    ("avg", 4, 3)])
def test_pooling_controls_match_ops(mode, pool_size, stride):
    x = grid(7, 9, seed=pool_size)
    s = PoolingStepper(x)
    s.mode.value = mode
    if stride is not None:
        s.tie_stride.value = False
    s.pool_size.value = pool_size
    if stride is not None:
        s.stride.value = stride
    expected_stride = pool_size if stride is None else stride
    fn = ops.max_pool2d if mode == "max" else ops.avg_pool2d
    expected = fn(x, pool_size, expected_stride)
    assert s.params() == (pool_size, expected_stride)
    np.testing.assert_allclose(s.output(), expected)
    np.testing.assert_allclose(s.out_view.values, expected)
    shifted = fn(shift_right(x), pool_size, expected_stride)
    np.testing.assert_allclose(s.shifted_output(), shifted)
    np.testing.assert_array_equal(s.changed_mask(), ~np.isclose(expected, shifted))
    np.testing.assert_array_equal(s.changed_view.values, s.changed_mask().astype(float))
    oh, ow = expected.shape
    assert s.step.max == oh * ow - 1
    assert f"= {oh} rows" in s.info.value and f"= {ow} columns" in s.info.value
    assert s.error_text() == ""


def test_tied_stride_follows_pool_size():
    s = PoolingStepper(grid(9, 9))
    s.pool_size.value = 3
    assert s.stride.value == 3 and s.stride.disabled
    s.tie_stride.value = False
    assert not s.stride.disabled
    s.stride.value = 1
    assert s.params() == (3, 1)
    assert s.output().shape == (7, 7)


def test_step_slider_moves_window_and_shows_its_value():
    x = grid(6, 6, seed=3)
    s = PoolingStepper(x, pool_size=3, stride=1)
    out = ops.max_pool2d(x, 3, 1)
    for k in (0, 5, 15):
        s.step.value = k
        i, j = divmod(k, out.shape[1])
        assert s.window() == (i, j, i, j)
        assert s.current_value() == out[i, j] == x[i:i + 3, j:j + 3].max()
        rect = s.in_view.highlights["window"]
        assert rect.get_xy() == (j - 0.5, i - 0.5) and rect.get_width() == 3
        assert f"max = <b>{int(out[i, j])}</b>" in s.info.value


def test_step_is_clamped_when_output_shrinks():
    s = PoolingStepper(grid(8, 8), pool_size=2, stride=1)
    s.step.value = s.step.max      # 48
    s.tie_stride.value = True      # now 2x2 stride 2: 16 windows
    assert s.step.max == 15 and s.step.value == 15
    assert s.error_text() == ""


def test_shift_toggle_shows_shifted_input_and_output():
    x = grid(6, 6, seed=4)
    s = PoolingStepper(x)
    s.shift.value = True
    np.testing.assert_array_equal(s.in_view.values, shift_right(x))
    np.testing.assert_array_equal(s.out_view.values, ops.max_pool2d(shift_right(x), 2))
    assert "shifted 1 px right" in s.ax_in.get_title()


def test_shift_invariance_of_max_pooling_hands_on_ml_images():
    # S33: bright pixels in the left column of each 2x2 window survive a 1 px shift right.
    a = np.zeros((4, 6))
    a[:, [0, 2, 4]] = [[9, 7, 8], [3, 9, 2], [5, 2, 9], [9, 4, 6]]   # the bright pixels
    a[:, [1, 3, 5]] = [[1, 0, 1], [0, 1, 1], [1, 1, 0], [0, 0, 1]]   # dim ones beside them
    s = PoolingStepper(a)
    assert not s.changed_mask().any()
    assert "<b>0 of 6</b> outputs change" in s.info.value
    s.mode.value = "avg"     # average pooling: the dim pixels cross into the next window
    assert s.changed_mask().any()


def test_max_pooling_discards_75_percent():
    x = RNG.random((8, 8))
    s = PoolingStepper(x)
    assert s.kept_mask().sum() == 16
    assert s.discarded_fraction() == 0.75
    assert "75.0% discarded" in s.info.value
    # every kept cell holds the max of its window
    np.testing.assert_array_equal(np.sort(x[s.kept_mask()]), np.sort(ops.max_pool2d(x, 2).ravel()))
    assert len(s.kept_dots.get_offsets()) == 16


def test_kept_by_max_pool_overlapping_and_uncovered():
    x = np.arange(25.0).reshape(5, 5)          # max of each window is its bottom-right cell
    kept = kept_by_max_pool(x, 2, 2)           # row/column 4 are never covered (floor)
    assert kept.sum() == 4 and not kept[4].any() and not kept[:, 4].any()
    kept1 = kept_by_max_pool(x, 2, 1)
    assert kept1.sum() == 16 and not kept1[0].any()


def test_pool_matches_keras():
    keras = pytest.importorskip("keras")
    x = RNG.random((1, 7, 7, 1)).astype("float32")
    for mode, layer in (("max", keras.layers.MaxPooling2D), ("avg", keras.layers.AveragePooling2D)):
        expected = np.asarray(layer(2, strides=2, padding="valid")(x))[0, :, :, 0]
        np.testing.assert_allclose(pool(x[0, :, :, 0], 2, 2, mode), expected, rtol=1e-6)


def test_pooling_stepper_on_a_photo():
    photo = data.sample_image("camera")[::8, ::8]        # 64x64 grayscale
    s = PoolingStepper(photo)
    assert s.in_view.texts is None                      # too many cells to write numbers
    np.testing.assert_allclose(s.output(), ops.max_pool2d(photo, 2))
    assert 0 < s.changed_mask().mean() < 1


def test_pooling_errors():
    with pytest.raises(ValueError, match="2D map"):
        PoolingStepper(np.zeros((4, 4, 3)))
    with pytest.raises(ValueError, match="pool_size"):
        PoolingStepper(np.zeros((4, 4)), pool_size=5)
    with pytest.raises(ValueError, match="mode"):
        PoolingStepper(np.zeros((4, 4)), mode="min")


def test_errors_in_callbacks_are_shown():
    s = PoolingStepper(grid())

    def broken():
        raise RuntimeError("boom in a callback")
    s._safely(broken)()
    assert "boom in a callback" in s.error_text()
    assert isinstance(s.last_error, RuntimeError)
    s.step.value = 1                                   # a good update clears the message
    assert s.error_text() == ""


def test_shift_right():
    x = np.arange(12.0).reshape(3, 4) + 1
    np.testing.assert_array_equal(shift_right(x), [[1, 1, 2, 3], [1, 5, 6, 7], [1, 9, 10, 11]])
    np.testing.assert_array_equal(shift_right(x, 2, fill=0)[:, :2], 0)


# ----------------------------------------------------------------------------- kernel lab
@pytest.fixture(scope="module")
def cat():
    return data.sample_image("chelsea")


def test_kernel_lab_default_is_sobel_x_on_grayscale(cat):
    lab = KernelLab(cat)
    assert lab.gray.ndim == 2 and max(lab.gray.shape) == 256
    np.testing.assert_allclose(lab.gray, to_gray(cat, 256))
    np.testing.assert_array_equal(lab.kernel(), [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    expected = ops.conv2d(lab.gray, lab.kernel(), padding="same")
    np.testing.assert_allclose(lab.feature_map(), expected)
    np.testing.assert_allclose(lab.map_image.get_array(), expected)
    np.testing.assert_allclose(lab.relu_image.get_array(), ops.relu(expected))
    assert lab.error_text() == ""


@pytest.mark.parametrize("name", list(PRESETS))
def test_kernel_lab_presets(cat, name):
    lab = KernelLab(cat, max_side=64)
    lab.preset.value = name
    np.testing.assert_allclose(lab.kernel(), PRESETS[name])
    fmap = ops.conv2d(lab.gray, PRESETS[name], padding="same")
    np.testing.assert_allclose(lab.feature_map(), fmap)
    np.testing.assert_allclose(lab.rectified(), ops.relu(fmap))
    np.testing.assert_allclose(lab.map_image.get_array(), fmap)
    np.testing.assert_allclose(lab.relu_image.get_array(), ops.relu(fmap))
    # the share ReLU zeroes: as a count and a percentage never rounded to 0 (kernel_lab.percent)
    assert f"{int((fmap < 0).sum()):,} of {fmap.size:,}" in lab.info.value
    assert f"({percent(int((fmap < 0).sum()), fmap.size)}," in lab.info.value
    assert f"max <b>{fmap.max():.3g}</b>" in lab.info.value


def test_sobel_presets_are_the_kernels_printed_in_003():
    np.testing.assert_array_equal(PRESETS["Sobel y"], [[-1, -2, -1], [0, 0, 0], [1, 2, 1]])
    np.testing.assert_array_equal(PRESETS["Sobel x"], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def test_editing_a_cell_updates_the_maps_and_marks_custom(cat):
    lab = KernelLab(cat, preset="identity", max_side=64)
    np.testing.assert_allclose(lab.feature_map(), lab.gray)      # identity: the photo itself
    lab.cells[0][0].value = -2.0
    assert lab.preset.value == "custom"
    k = lab.kernel()
    assert k[0, 0] == -2 and k[1, 1] == 1
    np.testing.assert_allclose(lab.map_image.get_array(),
                               ops.conv2d(lab.gray, k, padding="same"))
    lab.set_kernel(PRESETS["blur"])                                # typing a preset back
    assert lab.preset.value == "blur"


def test_kernel_lab_valid_padding_and_gray_input():
    img = RNG.random((20, 30))
    lab = KernelLab(img, preset="Sobel y", padding="valid")
    np.testing.assert_allclose(lab.gray, img)
    assert lab.feature_map().shape == (18, 28)
    np.testing.assert_allclose(lab.rectified(),
                               ops.relu(ops.conv2d(img, PRESETS["Sobel y"])))


def test_kernel_lab_errors():
    with pytest.raises(ValueError, match="preset"):
        KernelLab(np.zeros((8, 8)), preset="emboss")
    with pytest.raises(ValueError, match="image"):
        KernelLab(np.zeros((8, 8, 2)))
    lab = KernelLab(np.zeros((8, 8)))
    with pytest.raises(ValueError, match="3x3"):
        lab.set_kernel(np.zeros((5, 5)))
