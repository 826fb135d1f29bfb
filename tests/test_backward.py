"""The backward passes of cnncourse.ops against TensorFlow's autodiff (tf.GradientTape), on
hypothesis-generated shapes, in float64; the numerical gradient on small cases; bad input.

TF runs in float64: its float32 CPU convolution (oneDNN) returns garbage when a stride is larger
than the input (see tests/test_ops.py::test_tf_float32_onednn_bug_case), float64 does not.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from cnncourse import ops
from cnncourse.gradcheck import numerical_gradient, relative_error

tf = pytest.importorskip("tensorflow")

SETTINGS = settings(max_examples=40, deadline=None)
TOL = dict(rtol=1e-9, atol=1e-9)


def tf_padding(padding):
    """Our padding argument -> what tf.nn.conv2d takes ("SAME", "VALID" or explicit pairs)."""
    if isinstance(padding, str):
        return padding.upper()
    (t, b), (l, r) = padding
    return [[0, 0], [t, b], [l, r], [0, 0]]


def tf_conv_grads(x, w, b, stride, padding, dout):
    """dL/dx, dL/dw, dL/db of L = sum(conv2d(x, w) + b) * dout), by tf.GradientTape (NHWC)."""
    x, w, b = (tf.Variable(np.float64(a)) for a in (x, w, b))
    with tf.GradientTape() as tape:
        y = tf.nn.bias_add(tf.nn.conv2d(x, w, stride, tf_padding(padding)), b)
    dx, dw, db = tape.gradient(y, [x, w, b], output_gradients=tf.constant(np.float64(dout)))
    return dx.numpy(), dw.numpy(), db.numpy()


@st.composite
def conv_case(draw):
    """(x NHWC, w HWCF, stride, padding, dout): stride up to 3, odd and even kernels, 'valid',
    'same' (TF's uneven split) and explicit uneven ((top, bottom), (left, right)) padding."""
    n, c, fn = draw(st.integers(1, 2)), draw(st.integers(1, 3)), draw(st.integers(1, 4))
    fh, fw = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    h, w = draw(st.integers(fh, 9)), draw(st.integers(fw, 9))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(st.one_of(
        st.sampled_from(["valid", "same"]),
        st.tuples(st.tuples(st.integers(0, 2), st.integers(0, 2)),
                  st.tuples(st.integers(0, 2), st.integers(0, 2)))))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((n, h, w, c))
    k = rng.standard_normal((fh, fw, c, fn))
    out_shape = ops.conv2d(x, k, stride=stride, padding=padding).shape
    return x, k, stride, padding, rng.standard_normal(out_shape), rng.standard_normal(fn)


# ----------------------------------------------------------------------------- convolution
@SETTINGS
@given(conv_case())
def test_conv2d_backward_equals_tf_gradient_tape(case):
    x, w, stride, padding, dout, b = case
    dx, dw, db = ops.conv2d_backward(dout, x, w, stride=stride, padding=padding)
    tdx, tdw, tdb = tf_conv_grads(x, w, b, stride, padding, dout)
    assert dx.shape == x.shape and dw.shape == w.shape and db.shape == b.shape
    np.testing.assert_allclose(dx, tdx, **TOL)
    np.testing.assert_allclose(dw, tdw, **TOL)
    np.testing.assert_allclose(db, tdb, **TOL)


@SETTINGS
@given(conv_case())
def test_conv2d_backward_channels_first_is_the_same_gradient(case):
    """(N,C,H,W) input, (FN,C,FH,FW) kernel, (N,FN,OH,OW) dout: the documents' notation."""
    x, w, stride, padding, dout, b = case
    tdx, tdw, tdb = tf_conv_grads(x, w, b, stride, padding, dout)
    dx, dw, db = ops.conv2d_backward(dout.transpose(0, 3, 1, 2), x.transpose(0, 3, 1, 2),
                                     w.transpose(3, 2, 0, 1), stride=stride, padding=padding,
                                     data_format="channels_first")
    np.testing.assert_allclose(dx, tdx.transpose(0, 3, 1, 2), **TOL)
    np.testing.assert_allclose(dw, tdw.transpose(3, 2, 0, 1), **TOL)
    np.testing.assert_allclose(db, tdb, **TOL)


@settings(max_examples=25, deadline=None)
@given(conv_case())
def test_replicate_padding_gradient_equals_tf_through_an_edge_gather(case):
    """Replicate padding written in TF as a gather with clipped indices: TF differentiates it."""
    x, w, stride, padding, _, _ = case
    if isinstance(padding, str):
        padding = ops.padding_2d(padding, x.shape[1:3], w.shape[:2], stride)
    (t, bo), (le, r) = padding
    rows = np.clip(np.arange(-t, x.shape[1] + bo), 0, x.shape[1] - 1)
    cols = np.clip(np.arange(-le, x.shape[2] + r), 0, x.shape[2] - 1)
    out = ops.conv2d(x, w, stride=stride, padding=padding, pad_mode="replicate")
    dout = np.random.default_rng(0).standard_normal(out.shape)
    xv, wv = tf.Variable(x), tf.Variable(w)
    with tf.GradientTape() as tape:
        xpad = tf.gather(tf.gather(xv, rows, axis=1), cols, axis=2)
        y = tf.nn.conv2d(xpad, wv, stride, "VALID")
    tdx, tdw = tape.gradient(y, [xv, wv], output_gradients=tf.constant(dout))
    np.testing.assert_allclose(y.numpy(), out, **TOL)
    dx, dw, _ = ops.conv2d_backward(dout, x, w, stride, padding, pad_mode="replicate")
    np.testing.assert_allclose(dx, tdx.numpy(), **TOL)
    np.testing.assert_allclose(dw, tdw.numpy(), **TOL)


def test_single_image_and_2d_layouts_keep_their_shapes():
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((7, 6, 2)), rng.standard_normal((3, 3, 2, 4))
    dout = rng.standard_normal(ops.conv2d(x, w, stride=2, padding="same").shape)
    dx, dw, db = ops.conv2d_backward(dout, x, w, stride=2, padding="same")
    bx, bw, bb = ops.conv2d_backward(dout[None], x[None], w, stride=2, padding="same")
    np.testing.assert_allclose(dx, bx[0]); np.testing.assert_allclose(dw, bw)
    assert db.shape == (4,)
    gray, k = x[..., 0], w[:, :, 0, 0]                              # (H,W) and (FH,FW)
    d2 = rng.standard_normal(ops.conv2d(gray, k).shape)
    gx, gw, gb = ops.conv2d_backward(d2, gray, k)
    tdx, tdw, tdb = tf_conv_grads(gray[None, ..., None], k[..., None, None], np.zeros(1), 1,
                                  "valid", d2[None, ..., None])
    assert gx.shape == gray.shape and gw.shape == k.shape and gb.shape == (1,)
    np.testing.assert_allclose(gx, tdx[0, ..., 0], **TOL)
    np.testing.assert_allclose(gw, tdw[..., 0, 0], **TOL)


def test_float32_input_gives_float32_gradients_close_to_float64():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((2, 8, 8, 3)), rng.standard_normal((3, 3, 3, 5))
    dout = rng.standard_normal((2, 8, 8, 5))
    g64 = ops.conv2d_backward(dout, x, w, padding="same")
    g32 = ops.conv2d_backward(dout.astype(np.float32), x.astype(np.float32),
                              w.astype(np.float32), padding="same")
    for a, b in zip(g32, g64):
        assert a.dtype == np.float32
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-4)


# ----------------------------------------------------------------------------- im2col
@SETTINGS
@given(conv_case())
def test_im2col_equals_tf_extract_patches_and_conv_is_one_matmul(case):
    """tf.image.extract_patches is TF's im2col: (N,OH,OW,FH*FW*C) in (u, v, c) order."""
    x, w, stride, padding, _, b = case
    fh, fw, c, fn = w.shape
    if isinstance(padding, str):
        xp, pad_word = x, padding.upper()
    else:
        xp, pad_word = ops.pad2d(x, padding), "VALID"
    patches = tf.image.extract_patches(xp, [1, fh, fw, 1], [1, *stride, 1], [1, 1, 1, 1],
                                       pad_word).numpy()
    cols = ops.im2col(x, (fh, fw), stride, padding)
    np.testing.assert_array_equal(cols, patches.reshape(-1, fh * fw * c))
    expected = tf.nn.bias_add(tf.nn.conv2d(x, w, stride, tf_padding(padding)), b).numpy()
    np.testing.assert_allclose(ops.conv2d_im2col(x, w, b, stride, padding), expected, **TOL)
    np.testing.assert_allclose(cols @ w.reshape(-1, fn) + b, expected.reshape(-1, fn), **TOL)
    # channels_first: columns (c, u, v), the order of "Deep Learning from Scratch"
    cols_cf = ops.im2col(x.transpose(0, 3, 1, 2), (fh, fw), stride, padding,
                         data_format="channels_first")
    np.testing.assert_array_equal(
        cols_cf, patches.reshape(-1, fh, fw, c).transpose(0, 3, 1, 2).reshape(-1, c * fh * fw))
    np.testing.assert_allclose(
        ops.conv2d_im2col(x.transpose(0, 3, 1, 2), w.transpose(3, 2, 0, 1), b, stride, padding,
                          data_format="channels_first"), expected.transpose(0, 3, 1, 2), **TOL)


@SETTINGS
@given(conv_case())
def test_col2im_is_the_gradient_of_im2col(case):
    """col2im(dcols) = d/dx sum(im2col(x) * dcols): TF differentiates extract_patches."""
    x, w, stride, padding, _, _ = case
    fh, fw, c, _ = w.shape
    if isinstance(padding, str):
        pad_word, pads = padding.upper(), ((0, 0), (0, 0))
    else:
        pad_word, pads = "VALID", padding
    cols = ops.im2col(x, (fh, fw), stride, padding)
    dcols = np.random.default_rng(3).standard_normal(cols.shape)
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        xp = tf.pad(xv, [[0, 0], *pads, [0, 0]])
        patches = tf.image.extract_patches(xp, [1, fh, fw, 1], [1, *stride, 1], [1, 1, 1, 1],
                                           pad_word)
    expected = tape.gradient(patches, xv, output_gradients=tf.constant(
        dcols.reshape(patches.shape))).numpy()
    np.testing.assert_allclose(ops.col2im(dcols, x.shape, (fh, fw), stride, padding), expected,
                               **TOL)
    cf = ops.col2im(dcols.reshape(-1, fh, fw, c).transpose(0, 3, 1, 2).reshape(cols.shape),
                    x.transpose(0, 3, 1, 2).shape, (fh, fw), stride, padding,
                    data_format="channels_first")
    np.testing.assert_allclose(cf, expected.transpose(0, 3, 1, 2), **TOL)


def test_im2col_by_hand_on_a_3x3_image():
    """4 windows of 2x2 over [[1,2,3],[4,5,6],[7,8,9]]: each row of cols is one window."""
    x = np.arange(1.0, 10.0).reshape(3, 3)
    np.testing.assert_array_equal(ops.im2col(x, 2), [[1, 2, 4, 5], [2, 3, 5, 6],
                                                     [4, 5, 7, 8], [5, 6, 8, 9]])
    # col2im adds the windows back: the centre pixel is in all 4 windows, corners in 1
    np.testing.assert_array_equal(ops.col2im(ops.im2col(x, 2), x.shape, 2),
                                  x * np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]))


# ----------------------------------------------------------------------------- pooling, relu
@st.composite
def pool_case(draw):
    n, c = draw(st.integers(1, 2)), draw(st.integers(1, 3))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    h, w = draw(st.integers(k[0], 9)), draw(st.integers(k[1], 9))
    stride = draw(st.one_of(st.none(), st.tuples(st.integers(1, 3), st.integers(1, 3))))
    padding = draw(st.sampled_from(["valid", "same"]))
    rng = np.random.default_rng(draw(st.integers(0, 2**16)))
    x = rng.standard_normal((n, h, w, c))
    dout = rng.standard_normal(ops.max_pool2d(x, k, stride, padding).shape)
    return x, k, stride, padding, dout


def tf_pool_grad(kind, x, k, stride, padding, dout):
    pool = tf.nn.max_pool2d if kind == "max" else tf.nn.avg_pool2d
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = pool(xv, k, stride or k, padding.upper())
    return tape.gradient(y, xv, output_gradients=tf.constant(dout)).numpy()


@SETTINGS
@given(pool_case())
def test_max_pool2d_backward_equals_tf(case):
    x, k, stride, padding, dout = case
    expected = tf_pool_grad("max", x, k, stride, padding, dout)
    np.testing.assert_allclose(ops.max_pool2d_backward(dout, x, k, stride, padding), expected,
                               **TOL)
    cf = ops.max_pool2d_backward(dout.transpose(0, 3, 1, 2), x.transpose(0, 3, 1, 2), k, stride,
                                 padding, data_format="channels_first")
    np.testing.assert_allclose(cf, expected.transpose(0, 3, 1, 2), **TOL)


@SETTINGS
@given(pool_case())
def test_avg_pool2d_backward_equals_tf_including_same_borders(case):
    x, k, stride, padding, dout = case
    expected = tf_pool_grad("avg", x, k, stride, padding, dout)
    np.testing.assert_allclose(ops.avg_pool2d_backward(dout, x, k, stride, padding), expected,
                               **TOL)
    cf = ops.avg_pool2d_backward(dout.transpose(0, 3, 1, 2), x.transpose(0, 3, 1, 2), k, stride,
                                 padding, data_format="channels_first")
    np.testing.assert_allclose(cf, expected.transpose(0, 3, 1, 2), **TOL)


def test_max_pool_routes_each_gradient_to_the_arg_max_by_hand():
    x = np.array([[1.0, 5.0, 2.0, 0.0],
                  [3.0, 4.0, 8.0, 1.0],
                  [0.0, 2.0, 1.0, 1.0],
                  [7.0, 1.0, 3.0, 2.0]])
    dout = np.array([[10.0, 20.0], [30.0, 40.0]])
    np.testing.assert_array_equal(ops.max_pool2d_backward(dout, x),
                                  [[0, 10, 0, 0], [0, 0, 20, 0], [0, 0, 0, 0], [30, 0, 40, 0]])
    # average pooling shares each value equally over its 4 cells
    np.testing.assert_array_equal(ops.avg_pool2d_backward(dout, x),
                                  np.kron(dout / 4, np.ones((2, 2))))


def test_relu_backward_equals_tf_including_zeros():
    x = np.random.default_rng(4).standard_normal((3, 5, 5, 2)).round(1)   # some exact zeros
    assert (x == 0).any()
    dout = np.random.default_rng(5).standard_normal(x.shape)
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = tf.nn.relu(xv)
    expected = tape.gradient(y, xv, output_gradients=tf.constant(dout)).numpy()
    np.testing.assert_array_equal(ops.relu_backward(dout, x), expected)


# ----------------------------------------------------------------------------- numerical gradient
def test_numerical_gradient_of_a_known_function():
    x = np.linspace(-2, 2, 12).reshape(3, 4)
    grad = numerical_gradient(lambda a: np.sum(np.sin(a) * a), x.copy())
    np.testing.assert_allclose(grad, np.cos(x) * x + np.sin(x), rtol=1e-8, atol=1e-10)
    x_before = x.copy()
    numerical_gradient(lambda a: np.sum(a ** 2), x)
    np.testing.assert_array_equal(x, x_before)                      # restored afterwards


def test_relative_error():
    a = np.array([1.0, 2.0, 3.0])
    assert relative_error(a, a) == 0.0
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(a, -a) == pytest.approx(1.0)
    assert relative_error(a, a * (1 + 1e-6)) == pytest.approx(5e-7, rel=1e-3)
    assert relative_error(1e-9 * a, 1e-9 * a * (1 + 1e-6)) == pytest.approx(5e-7, rel=1e-3)


@pytest.mark.parametrize("stride, padding",
                         [(1, "valid"), (2, "same"), ((1, 2), ((1, 0), (2, 1)))])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_conv2d_backward_agrees_with_the_numerical_gradient(stride, padding, data_format):
    rng = np.random.default_rng(6)
    x, w = rng.standard_normal((2, 5, 6, 3)), rng.standard_normal((3, 2, 3, 2))
    b = rng.standard_normal(2)
    if data_format == "channels_first":
        x, w = x.transpose(0, 3, 1, 2).copy(), w.transpose(3, 2, 0, 1).copy()
    dout = rng.standard_normal(ops.conv2d(x, w, b, stride, padding, data_format=data_format).shape)

    def loss(_):
        return np.sum(ops.conv2d(x, w, b, stride, padding, data_format=data_format) * dout)

    dx, dw, db = ops.conv2d_backward(dout, x, w, stride, padding, data_format=data_format)
    assert relative_error(dx, numerical_gradient(loss, x)) < 1e-8
    assert relative_error(dw, numerical_gradient(loss, w)) < 1e-8
    assert relative_error(db, numerical_gradient(loss, b)) < 1e-8


@pytest.mark.parametrize("kind", ["max", "avg"])
@pytest.mark.parametrize("k, stride, padding",
                         [(2, None, "valid"), (3, 2, "same"), ((2, 3), 1, "same")])
def test_pool_backward_agrees_with_the_numerical_gradient(kind, k, stride, padding):
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 5, 7, 2))
    forward = ops.max_pool2d if kind == "max" else ops.avg_pool2d
    backward = ops.max_pool2d_backward if kind == "max" else ops.avg_pool2d_backward
    dout = rng.standard_normal(forward(x, k, stride, padding).shape)
    numeric = numerical_gradient(lambda a: np.sum(forward(a, k, stride, padding) * dout), x)
    assert relative_error(backward(dout, x, k, stride, padding), numeric) < 1e-8


def test_a_wrong_backward_is_caught_by_the_gradient_check():
    """The check can fail: the kernel not flipped in dx (a classic mistake) gives a large error."""
    rng = np.random.default_rng(8)
    x, w = rng.standard_normal((1, 5, 5, 1)), rng.standard_normal((3, 3, 1, 1))
    dout = rng.standard_normal((1, 3, 3, 1))
    wrong_dx = ops.conv2d(ops.pad2d(dout, 2), w)                    # correlation, not flipped
    numeric = numerical_gradient(lambda a: np.sum(ops.conv2d(a, w) * dout), x)
    assert relative_error(wrong_dx, numeric) > 0.1
    right_dx = ops.conv2d(ops.pad2d(dout, 2), w[::-1, ::-1])        # "full" conv, flipped kernel
    assert relative_error(right_dx, numeric) < 1e-8


# ----------------------------------------------------------------------------- bad input
ones = np.ones
FORWARD_AND_BACKWARD = [
    # (forward call, backward call with a dout of a plausible shape): the same ValueError
    (lambda: ops.conv2d(ones((1, 5, 5, 3)), ones((3, 3, 2, 4))),
     lambda: ops.conv2d_backward(ones((1, 3, 3, 4)), ones((1, 5, 5, 3)), ones((3, 3, 2, 4)))),
    (lambda: ops.conv2d(ones((4, 4)), ones((5, 5))),
     lambda: ops.conv2d_backward(ones((1, 1)), ones((4, 4)), ones((5, 5)))),
    (lambda: ops.conv2d(ones((6, 6)), ones((3, 3)), stride=0),
     lambda: ops.conv2d_backward(ones((4, 4)), ones((6, 6)), ones((3, 3)), stride=0)),
    (lambda: ops.conv2d(ones((6, 6)), ones((3, 3)), padding="full"),
     lambda: ops.conv2d_backward(ones((8, 8)), ones((6, 6)), ones((3, 3)), padding="full")),
    (lambda: ops.conv2d(ones(6), ones((3, 3))),
     lambda: ops.conv2d_backward(ones(4), ones(6), ones((3, 3)))),
    (lambda: ops.conv2d(ones((6, 6)), ones((3, 3)), pad_mode="mirror"),
     lambda: ops.conv2d_backward(ones((4, 4)), ones((6, 6)), ones((3, 3)), pad_mode="mirror")),
    (lambda: ops.conv2d(ones((6, 6)), ones((3, 3)), data_format="NCHW"),
     lambda: ops.im2col(ones((6, 6)), 3, data_format="NCHW")),
    (lambda: ops.conv2d(ones((4, 4)), ones((5, 5))),
     lambda: ops.im2col(ones((4, 4)), 5)),
    (lambda: ops.conv2d(ones((4, 4)), ones((5, 5))),
     lambda: ops.col2im(ones((1, 25)), (4, 4), 5)),
    (lambda: ops.conv2d(ones((5, 5, 3)), ones((3, 3, 2, 4))),
     lambda: ops.conv2d_im2col(ones((5, 5, 3)), ones((3, 3, 2, 4)))),
    (lambda: ops.max_pool2d(ones((3, 3)), 4),
     lambda: ops.max_pool2d_backward(ones((1, 1)), ones((3, 3)), 4)),
    (lambda: ops.avg_pool2d(ones((6, 6)), 2, padding="full"),
     lambda: ops.avg_pool2d_backward(ones((3, 3)), ones((6, 6)), 2, padding="full")),
]


@pytest.mark.parametrize("forward, backward", FORWARD_AND_BACKWARD)
def test_backward_ops_raise_the_forward_ops_errors(forward, backward):
    with pytest.raises(ValueError) as fwd:
        forward()
    with pytest.raises(ValueError) as bwd:
        backward()
    assert str(bwd.value) == str(fwd.value)


@pytest.mark.parametrize("call, words", [
    (lambda: ops.conv2d_backward(ones((1, 4, 4, 2)), ones((1, 6, 6, 3)), ones((3, 3, 3, 4))),
     ["dout has shape (1, 4, 4, 2)", "conv2d's output has shape (1, 4, 4, 4)"]),
    (lambda: ops.conv2d_backward(ones((1, 4, 4, 2)), ones((1, 3, 6, 6)), ones((2, 3, 3, 3)),
                                 data_format="channels_first"),
     ["dout has shape (1, 4, 4, 2)", "conv2d's output has shape (1, 2, 4, 4)", "channels_first"]),
    (lambda: ops.max_pool2d_backward(ones((2, 2)), ones((6, 6))),
     ["dout has shape (2, 2)", "max_pool2d's output has shape (3, 3)"]),
    (lambda: ops.avg_pool2d_backward(ones((1, 3, 3, 2)), ones((1, 6, 6, 1))),
     ["avg_pool2d's output has shape (1, 3, 3, 1)"]),
    (lambda: ops.relu_backward(ones((2, 3)), ones((3, 2))), ["(2, 3)", "(3, 2)"]),
    (lambda: ops.col2im(ones((4, 8)), (3, 3), 2), ["cols has shape (4, 8)", "(4, 4)"]),
    (lambda: ops.im2col(ones((6, 6)), 0), ["kernel_size must be >= 1"]),
    (lambda: numerical_gradient(lambda a: 0.0, [1.0, 2.0]), ["float numpy array"]),
    (lambda: relative_error(ones(2), ones(3)), ["shapes differ"]),
])
def test_backward_specific_errors(call, words):
    with pytest.raises(ValueError) as err:
        call()
    for word in words:
        assert word in str(err.value)
