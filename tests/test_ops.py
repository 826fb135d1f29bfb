"""cnncourse.ops against TensorFlow / Keras, on hypothesis-generated shapes, plus the documents'
worked examples and the error messages on bad input."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnncourse import ops

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")

SETTINGS = settings(max_examples=40, deadline=None)


def tf_conv2d(x, w, stride, padding):
    """tf.nn.conv2d in float64. TF's float32 CPU kernels go through oneDNN, which returns
    uninitialised memory when a stride is larger than the input along an axis (TF 2.21, see
    test_tf_float32_onednn_bug_case); the float64 kernels do not use oneDNN."""
    return tf.nn.conv2d(np.float64(x), np.float64(w), strides=stride, padding=padding).numpy()


def tf_pool(kind, x, k, stride, padding):
    pool = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
    return pool(np.float64(x), k, stride, padding).numpy()


@st.composite
def conv_case(draw):
    """A random (x, w, stride, padding) that TF accepts: NHWC input, HWCF kernel."""
    n = draw(st.integers(1, 2))
    c = draw(st.integers(1, 3))
    fn = draw(st.integers(1, 4))
    fh, fw = draw(st.integers(1, 5)), draw(st.integers(1, 5))
    h, w = draw(st.integers(fh, 11)), draw(st.integers(fw, 11))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(st.sampled_from(["valid", "same"]))
    seed = draw(st.integers(0, 2**16))
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n, h, w, c)).astype(np.float32)
    k = rng.standard_normal((fh, fw, c, fn)).astype(np.float32)
    return x, k, stride, padding


@pytest.mark.parametrize("conv2d", [ops.conv2d, ops.conv2d_naive], ids=["fast", "naive"])
@SETTINGS
@given(case=conv_case())
def test_conv2d_matches_tf_nn_conv2d(conv2d, case):
    x, w, stride, padding = case
    expected = tf_conv2d(x, w, stride, padding.upper())
    np.testing.assert_allclose(conv2d(x, w, stride=stride, padding=padding), expected,
                               rtol=1e-4, atol=1e-4)


@SETTINGS
@given(conv_case())
def test_channels_first_is_the_same_computation_as_keras(case):
    x, w, stride, padding = case
    expected = tf_conv2d(x, w, stride, padding.upper())
    x_chw = np.transpose(x, (0, 3, 1, 2))          # (N,C,H,W), the documents' notation
    w_fchw = np.transpose(w, (3, 2, 0, 1))         # (FN,C,FH,FW)
    got = ops.conv2d(x_chw, w_fchw, stride=stride, padding=padding,
                     data_format="channels_first")
    np.testing.assert_allclose(got, np.transpose(expected, (0, 3, 1, 2)), rtol=1e-4, atol=1e-4)


@SETTINGS
@given(conv_case(), st.integers(0, 3), st.integers(0, 3))
def test_explicit_padding_matches_tf(case, ph, pw):
    x, w, stride, _ = case
    pads = [[0, 0], [ph, ph], [pw, pw], [0, 0]]
    expected = tf_conv2d(x, w, stride, pads)
    np.testing.assert_allclose(ops.conv2d(x, w, stride=stride, padding=(ph, pw)), expected,
                               rtol=1e-4, atol=1e-4)


def test_tf_float32_onednn_bug_case():
    """Found by hypothesis: stride 3 over a width of 2. TF's float32 oneDNN kernel returned
    -6.9e36 (uninitialised memory) for the second image; float64 TF, the loop version and the
    sum by hand agree with ops.conv2d."""
    x = np.array([[[[0.12573022], [-0.13210486]], [[0.64042264], [0.10490011]]],
                  [[[-0.5356694], [0.36159506]], [[1.304], [0.94708097]]]], np.float32)
    w = np.array([[[[-0.70373523]], [[-1.2654215]]]], np.float32)
    ours = ops.conv2d(x, w, stride=(1, 3))
    assert ours.shape == (2, 2, 1, 1)
    np.testing.assert_allclose(ours, tf_conv2d(x, w, (1, 3), "VALID"), rtol=1e-6)
    np.testing.assert_allclose(ours, ops.conv2d_naive(x, w, stride=(1, 3)), rtol=1e-6)
    by_hand = x[1, 1, 0, 0] * w[0, 0, 0, 0] + x[1, 1, 1, 0] * w[0, 1, 0, 0]
    assert ours[1, 1, 0, 0] == pytest.approx(by_hand, rel=1e-6)


def test_conv2d_with_bias_matches_keras_conv2d_layer():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 9, 7, 3)).astype(np.float32)
    layer = keras.layers.Conv2D(5, (3, 2), strides=(2, 1), padding="same")
    expected = keras.ops.convert_to_numpy(layer(x))
    w, b = layer.get_weights()
    np.testing.assert_allclose(ops.conv2d(x, w, b, stride=(2, 1), padding="same"), expected,
                               rtol=1e-4, atol=1e-5)
    # bias in 004's (FN,1,1) shape is accepted too
    np.testing.assert_allclose(ops.conv2d(x, w, b.reshape(-1, 1, 1), stride=(2, 1),
                                          padding="same"), expected, rtol=1e-4, atol=1e-5)


def test_single_images_keep_their_layout():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((6, 5, 3))
    w = rng.standard_normal((3, 3, 3, 4))
    batch = ops.conv2d(x[None], w)
    assert ops.conv2d(x, w).shape == (4, 3, 4)
    np.testing.assert_allclose(ops.conv2d(x, w), batch[0])
    gray = x[..., 0]
    np.testing.assert_allclose(ops.conv2d(gray, w[:, :, 0, 0]),
                               ops.conv2d(gray[None, ..., None], w[:, :, :1, :1])[0, ..., 0])


def test_replicate_padding_equals_conv_of_edge_padded_input():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((1, 6, 6, 2)).astype(np.float32)
    w = rng.standard_normal((3, 3, 2, 2)).astype(np.float32)
    edge = np.pad(x, ((0, 0), (1, 1), (1, 1), (0, 0)), mode="edge")
    expected = tf_conv2d(edge, w, 1, "VALID")
    np.testing.assert_allclose(ops.conv2d(x, w, padding=1, pad_mode="replicate"), expected,
                               rtol=1e-4, atol=1e-5)


@st.composite
def pool_case(draw):
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    h, w = draw(st.integers(k[0], 10)), draw(st.integers(k[1], 10))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = draw(st.sampled_from(["valid", "same"]))
    x = np.random.default_rng(draw(st.integers(0, 999))).standard_normal((n, h, w, c))
    return x.astype(np.float32), k, stride, padding


@SETTINGS
@given(pool_case())
def test_max_pool2d_matches_tf(case):
    x, k, stride, padding = case
    expected = tf_pool("max", x, k, stride or k, padding.upper())
    np.testing.assert_allclose(ops.max_pool2d(x, k, stride, padding), expected, rtol=1e-6)


@SETTINGS
@given(pool_case())
def test_avg_pool2d_matches_tf_including_same_borders(case):
    x, k, stride, padding = case
    expected = tf_pool("avg", x, k, stride or k, padding.upper())
    np.testing.assert_allclose(ops.avg_pool2d(x, k, stride, padding), expected,
                               rtol=1e-5, atol=1e-6)


def test_keras_maxpool_layer_default_strides_equal_pool_size():
    x = np.random.default_rng(4).standard_normal((1, 7, 7, 2)).astype(np.float32)
    for padding in ("valid", "same"):
        layer = keras.layers.MaxPool2D(2, padding=padding)
        np.testing.assert_allclose(ops.max_pool2d(x, 2, padding=padding),
                                   keras.ops.convert_to_numpy(layer(x)))


def test_pool_channels_first_and_naive():
    x = np.random.default_rng(5).standard_normal((3, 6, 8))          # (C,H,W)
    got = ops.max_pool2d(x, 2, data_format="channels_first")
    expected = np.stack([ops.pool2d_naive(ch, 2, mode="max") for ch in x])
    np.testing.assert_allclose(got, expected)
    np.testing.assert_allclose(ops.avg_pool2d(x[0], (2, 3), stride=1),
                               ops.pool2d_naive(x[0], (2, 3), 1, mode="avg"))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 40), st.integers(1, 7), st.integers(1, 4))
def test_same_padding_and_output_size_match_tf(n, k, s):
    """TF's 'same': output ceil(n/s), padding split with the odd pixel after."""
    x = np.ones((1, n, 1, 1), np.float32)
    w = np.ones((k, 1, 1, 1), np.float32)
    out_same = tf.nn.conv2d(x, w, (s, 1), "SAME").shape[1]
    before, after = ops.same_padding(n, k, s)
    assert ops.output_size(n, k, s, "same") == out_same == -(-n // s)
    # a pair-padded valid convolution reproduces TF's same result exactly
    xr = np.random.default_rng(n * 100 + k).standard_normal((1, n, 1, 1)).astype(np.float32)
    np.testing.assert_allclose(ops.conv2d(xr, w, stride=(s, 1), padding=((before, after), (0, 0))),
                               tf_conv2d(xr, w, (s, 1), "SAME"), rtol=1e-5, atol=1e-6)
    if k <= n:
        assert ops.output_size(n, k, s, "valid") == tf.nn.conv2d(x, w, (s, 1), "VALID").shape[1]


def test_conv1d_equation_4_10_matches_tf_conv1d():
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal(13), rng.standard_normal(3)
    for stride in (1, 2, 3):
        for padding in ("valid", "same"):
            expected = tf.nn.conv1d(x[None, :, None], w[:, None, None], stride,
                                    padding.upper()).numpy()[0, :, 0]
            np.testing.assert_allclose(ops.conv1d(x, w, stride=stride, padding=padding),
                                       expected, rtol=1e-6)
    # equation (4.10) by hand at one position: s(i) = sum_{x=-1}^{1} z(i+x) u(x) + b
    i = 4
    by_hand = sum(x[i + d] * w[d + 1] for d in (-1, 0, 1)) + 0.5
    assert ops.conv1d(x, w, b=0.5, padding=1)[i] == pytest.approx(by_hand)


# ----------------------------------------------------------------------------- worked examples
def test_s20_six_by_six_padded_input_and_3x3_kernel_give_4x4():
    padded = ops.pad2d(np.ones((4, 4)), 1)
    assert padded.shape == (6, 6)
    assert ops.conv2d(padded, np.ones((3, 3))).shape == (4, 4)


def test_s25_32x32x3_input_ten_5x5_kernels_stride1_pad2():
    assert ops.output_size(32, 5, stride=1, padding=2) == 32
    x = np.zeros((32, 32, 3))
    w = np.zeros((5, 5, 3, 10))
    assert ops.conv2d(x, w, padding=2).shape == (32, 32, 10)
    assert ops.conv2d_params(5, 3, 10) == 760


def test_s39_three_channel_example_of_003_gives_9():
    # fig 4-14 of 003: the 3x3 windows (zero padded corner) of R, G, B and kernels c1, c2, c3
    r = [[0, 0, 0], [0, 1, 1], [0, 2, 1]]
    g = [[0, 0, 0], [0, 2, 2], [0, 1, 0]]
    b = [[0, 0, 0], [0, 0, 3], [0, 1, 0]]
    c1 = [[0, 0, 0], [0, 0, 1], [0, 1, 0]]
    c2 = [[0, 2, 0], [0, 2, 0], [0, 2, 0]]
    c3 = [[1, 0, 0], [0, 2, 0], [0, 0, 1]]
    window = np.stack([r, g, b], axis=-1)                 # (3,3,3) = (H,W,C)
    kernel = np.stack([c1, c2, c3], axis=-1)[..., None]   # (3,3,3,1) = (FH,FW,C,FN)
    assert ops.conv2d(window, kernel).item() == 9
    # and in 004's (C,H,W) / (FN,C,FH,FW) notation
    assert ops.conv2d(np.stack([r, g, b]), np.stack([c1, c2, c3])[None],
                      data_format="channels_first").item() == 9


def test_s45_parameter_counts_match_keras():
    assert ops.conv2d_params(7, 1, 64) == (7 * 7 + 1) * 64 == 3200
    for k, c, f in [(5, 3, 10), (7, 1, 64), ((3, 2), 4, 6)]:
        layer = keras.layers.Conv2D(f, k)
        layer.build((None, 16, 16, c))
        assert ops.conv2d_params(k, c, f) == layer.count_params()
    layer = keras.layers.Conv2D(8, 3, use_bias=False)
    layer.build((None, 8, 8, 2))
    assert ops.conv2d_params(3, 2, 8, use_bias=False) == layer.count_params() == 144


def test_output_size_floors_when_the_stride_does_not_fit():
    # (7 - 3 + 0) / 3 = 1.33 -> floor -> 1, + 1 = 2 positions
    assert ops.output_size(7, 3, stride=3) == 2
    assert ops.conv2d(np.ones((7, 7)), np.ones((3, 3)), stride=3).shape == (2, 2)


def test_layout_helpers_round_trip():
    x = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    assert ops.to_channels_first(x).shape == (2, 5, 3, 4)
    np.testing.assert_array_equal(ops.to_channels_last(ops.to_channels_first(x)), x)
    np.testing.assert_array_equal(ops.relu(np.array([-1.0, 0.0, 2.0])), [0, 0, 2])


# ----------------------------------------------------------------------------- helpers of the notebooks
def test_prepare_images_adds_the_channel_axis_and_scales():
    x = np.random.default_rng(1).integers(0, 256, (3, 28, 28)).astype(np.uint8)
    out = ops.prepare_images(x)
    assert out.shape == (3, 28, 28, 1) and out.dtype == np.float32
    np.testing.assert_allclose(out[..., 0], x / 255.0, rtol=1e-6)
    np.testing.assert_array_equal(ops.prepare_images(x[..., None]), out)


@pytest.mark.parametrize("dy,dx", [(0, 1), (2, -1), (-3, 0), (-1, -2), (0, 0)])
def test_shift_moves_pixels_and_fills_what_comes_in(dy, dx):
    x = np.random.default_rng(2).random((2, 5, 6, 3))
    moved = ops.shift(x, dy, dx, fill=-1.0)
    assert moved.shape == x.shape and moved.dtype == x.dtype
    for n, r, c, ch in np.ndindex(x.shape):              # pixel by pixel, from the definition
        inside = 0 <= r - dy < 5 and 0 <= c - dx < 6
        assert moved[n, r, c, ch] == (x[n, r - dy, c - dx, ch] if inside else -1.0)
    np.testing.assert_array_equal(ops.shift(x[0], dy, dx, fill=-1.0), moved[0])      # (H,W,C)
    np.testing.assert_array_equal(ops.shift(x[0, ..., 1], dy, dx, fill=-1.0), moved[0, ..., 1])
    with pytest.raises(ValueError, match="out of view"):
        ops.shift(x, 0, 6)


def test_brightness_and_occlude_keep_the_shape():
    x = np.random.default_rng(3).random((6, 6))
    np.testing.assert_allclose(ops.brightness(x, 0.5), x / 2)
    assert ops.brightness(x, 10).max() == 1.0 and ops.brightness(x, 10).shape == (6, 6)
    hidden = ops.occlude(x, 1, 2, 3, fill=0.5)
    assert (hidden[1:4, 2:5] == 0.5).all() and hidden[0, 0] == x[0, 0] and (x != 0.5).all()


def test_sobel_kernels_are_003s_and_read_only():
    np.testing.assert_array_equal(ops.SOBEL_X, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(ops.SOBEL_Y, ops.SOBEL_X.T)
    with pytest.raises(ValueError):
        ops.SOBEL_X[0, 0] = 5.0


@pytest.mark.parametrize("padding,mode,stride", [("valid", "zeros", 1), ("same", "zeros", 1),
                                                 ("same", "replicate", 1), (2, "replicate", 2),
                                                 (((1, 0), (2, 1)), "zeros", (2, 1))])
def test_usage_counts_are_the_sums_of_one_hot_convolutions(padding, mode, stride):
    shape, f = (5, 6), (3, 2)
    counts = ops.usage_counts(shape, f, padding, mode, stride)
    for r, c in np.ndindex(*shape):
        one_hot = np.zeros(shape)
        one_hot[r, c] = 1.0
        uses = ops.conv2d(one_hot, np.ones(f), padding=padding, pad_mode=mode, stride=stride)
        assert counts[r, c] == uses.sum(), (r, c)


def test_kept_by_max_pool_keeps_each_windows_first_maximum():
    x = np.random.default_rng(4).integers(0, 4, (7, 7)).astype(float)   # many ties
    for size, stride in [(2, 2), (3, 2), (2, 1)]:
        firsts = set()
        for i, j in np.ndindex(*ops.max_pool2d(x, size, stride).shape):
            window = x[i * stride:i * stride + size, j * stride:j * stride + size]
            u, v = divmod(int(np.argmax(window)), size)   # the first maximum in reading order
            firsts.add((i * stride + u, j * stride + v))
        kept = ops.kept_by_max_pool(x, size, stride)
        assert kept.sum() == len(firsts) and all(kept[cell] for cell in firsts)


def test_pool2d_is_max_or_average_pooling():
    x = np.random.default_rng(5).random((6, 6, 2))
    np.testing.assert_array_equal(ops.pool2d(x, 2, 1, "max"), ops.max_pool2d(x, 2, 1))
    np.testing.assert_array_equal(ops.pool2d(x, 3, mode="avg"), ops.avg_pool2d(x, 3))
    with pytest.raises(ValueError, match="mode"):
        ops.pool2d(x, 2, mode="min")


# ----------------------------------------------------------------------------- bad input
@pytest.mark.parametrize("call, words", [
    (lambda: ops.conv2d(np.ones((5, 5, 3)), np.ones((3, 3, 2, 4))),
     ["channel mismatch", "C=3", "C=2", "(3, 3, 2, 4)"]),
    (lambda: ops.conv2d(np.ones((4, 4)), np.ones((5, 5))),
     ["kernel 5x5", "padded input 4x4", "(W - F + 2P)/S + 1"]),
    (lambda: ops.conv2d(np.ones((6, 6)), np.ones((3, 3)), stride=0), ["stride must be >= 1"]),
    (lambda: ops.conv2d(np.ones((6, 6)), np.ones((3, 3)), padding="full"),
     ["unknown padding 'full'", "'valid', 'same'"]),
    (lambda: ops.conv2d(np.ones(6), np.ones((3, 3))), ["1 dimensions"]),
    (lambda: ops.conv2d(np.ones((6, 6, 1)), np.ones((3, 3))), ["2D kernel", "(FH,FW,C,FN)"]),
    (lambda: ops.conv2d(np.ones((6, 6)), np.ones((3, 3)), pad_mode="mirror"),
     ["unknown pad_mode 'mirror'"]),
    (lambda: ops.conv2d(np.ones((6, 6, 2)), np.ones((3, 3, 2, 4)), b=np.ones(3)),
     ["bias has 3 values", "FN=4"]),
    (lambda: ops.output_size(4, 7), ["kernel 7 is larger than the padded input 4"]),
    (lambda: ops.max_pool2d(np.ones((3, 3)), 4), ["pool window 4x4", "3x3"]),
    (lambda: ops.conv1d(np.ones((3, 3)), np.ones(2)), ["1D x and w"]),
    (lambda: ops.pad2d(np.ones((3, 3)), "same"), ["same_padding"]),
    (lambda: ops.same_padding(5, 3, 0), ["stride must be >= 1"]),
    (lambda: ops.output_size(5, 3, (1, 2)), ["one int", "(1, 2)"]),
    (lambda: ops.conv2d_params(0, 3, 8), ["kernel_size must be >= 1"]),
    (lambda: ops.max_pool2d(np.ones((4, 4)), 0), ["pool_size must be >= 1"]),
    (lambda: ops.usage_counts((3, 3), 5), ["kernel 5x5", "padded input 3x3"]),
])
def test_bad_input_raises_a_clear_value_error(call, words):
    with pytest.raises(ValueError) as err:
        call()
    for word in words:
        assert word in str(err.value)
