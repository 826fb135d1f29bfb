"""NumPy reference implementations of the course's operations.

One implementation of each idea, shared by the notebooks, the exercise checks and the tests.
The fast versions (``conv2d``, ``max_pool2d``, ``avg_pool2d``) are vectorised and tested against
``tf.nn``; the ``*_naive`` versions spell the same computation out with loops, for teaching.

Layouts
-------
channels_last (Keras, the default)   x (H,W), (H,W,C) or (N,H,W,C);  w (FH,FW) or (FH,FW,C,FN)
channels_first (the documents' CHW)  x (H,W), (C,H,W) or (N,C,H,W);  w (FH,FW) or (FN,C,FH,FW)

The output has the input's layout: (OH,OW), (OH,OW,FN) / (FN,OH,OW), or with a leading N.
Like Keras and TensorFlow, ``conv2d`` is a cross-correlation: the kernel is not flipped.

Sections: sizes and padding; layouts; images (scaling, shifting, brightness, occlusion);
convolution (with the documents' Sobel kernels and how often a convolution uses each pixel);
pooling (with which cells max pooling keeps).
"""
from __future__ import annotations

import math

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .i18n import N_, _

__all__ = [
    "output_size", "same_padding", "pad2d", "conv1d", "conv2d", "conv2d_naive",
    "max_pool2d", "avg_pool2d", "pool2d", "pool2d_naive", "conv2d_params", "relu",
    "to_channels_first", "to_channels_last", "axis_padding", "padding_2d",
    "prepare_images", "shift", "brightness", "occlude", "SOBEL_X", "SOBEL_Y", "usage_counts",
    "kept_by_max_pool",
]

PADDING_WORDS = ("valid", "same")
PAD_MODES = {"zeros": "constant", "replicate": "edge"}
DATA_FORMATS = ("channels_last", "channels_first")


# ----------------------------------------------------------------------------- sizes and padding
def _pair(value, name, why=""):
    """An int or a pair of ints, each >= 1 (a size or a stride) -> (int, int).

    Raises ValueError naming ``name`` otherwise; ``why`` is added to the message."""
    pair = (value, value) if np.isscalar(value) else tuple(value)
    if len(pair) != 2 or not all(float(v).is_integer() for v in pair):
        raise ValueError(_("{name} must be an int or a pair of ints, got {value}").format(
            name=name, value=repr(value)))
    if min(pair) < 1:
        raise ValueError(_("{name} must be >= 1, got {value}").format(name=name, value=repr(value))
                         + (_(why) if why else ""))
    return int(pair[0]), int(pair[1])


def _check_stride(stride):
    """stride (an int or a pair) -> (sh, sw), each >= 1."""
    return _pair(stride, "stride", N_(": the kernel must move forward"))


def _axis_stride(stride):
    """The stride along one axis: an int >= 1."""
    if not np.isscalar(stride):
        raise ValueError(_("the stride along one axis is one int, got {stride}").format(
            stride=repr(stride)))
    return _check_stride(stride)[0]


def _check_fits(what, window, padded, size, pads):
    """The course's one "does not fit" error: raise ValueError when a window (a kernel, a pooling
    window) is larger than the padded input along an axis. window, padded, size: an int per axis."""
    if all(k <= n for k, n in zip(window, padded)):
        return

    def dims(sizes):
        return "x".join(str(int(v)) for v in sizes)
    raise ValueError(
        _("{what} {window} is larger than the padded input {padded} (input {size}, padding "
          "{pads}): the output size (W - F + 2P)/S + 1 would be < 1; pad more (padding='same') "
          "or use a smaller {what}").format(what=_(what), window=dims(window),
                                            padded=dims(padded), size=dims(size), pads=pads))


def same_padding(n, kernel, stride=1):
    """Padding (before, after) that Keras/TF use for padding="same" along one axis of length n.

    The output has ceil(n / stride) positions; the total padding needed for that is
    max((out - 1) * stride + kernel - n, 0), and TF puts the odd pixel *after* (bottom/right).
    """
    stride = _axis_stride(stride)
    out = math.ceil(n / stride)
    total = max((out - 1) * stride + kernel - n, 0)
    return total // 2, total - total // 2


def axis_padding(padding, n, kernel, stride):
    """(before, after) pixels for one axis of length n.

    padding: "valid", "same" (split like TF, see same_padding), an int p (both sides) or a pair.
    """
    if isinstance(padding, str):
        word = padding.lower()
        if word == "valid":
            return 0, 0
        if word == "same":
            return same_padding(n, kernel, stride)
        raise ValueError(_("unknown padding {padding}: use 'valid', 'same', an int or a "
                           "pair").format(padding=repr(padding)))
    if np.isscalar(padding):
        p = int(padding)
        pair = (p, p)
    else:
        pair = tuple(int(v) for v in padding)
        if len(pair) != 2:
            raise ValueError(_("padding pair must be (before, after), got {padding}").format(
                padding=repr(padding)))
    if min(pair) < 0:
        raise ValueError(_("padding must be >= 0, got {padding}").format(padding=repr(padding)))
    return pair


def padding_2d(padding, hw, kernel_hw, stride_hw):
    """((top, bottom), (left, right)) for a 2D input of size hw.

    padding: "valid" | "same" | p | (ph, pw) | ((top, bottom), (left, right)).
    """
    if isinstance(padding, str) or np.isscalar(padding):
        per_axis = (padding, padding)
    else:
        per_axis = tuple(padding)
        if len(per_axis) != 2:
            raise ValueError(_("padding must be 'valid', 'same', an int, (ph, pw) or "
                               "((top, bottom), (left, right)); got {padding}").format(
                padding=repr(padding)))
    return tuple(axis_padding(p, n, k, s)
                 for p, n, k, s in zip(per_axis, hw, kernel_hw, stride_hw))


def output_size(n, kernel, stride=1, padding=0):
    """Output length along one axis: floor((n - kernel + 2P) / stride) + 1   (003, S24).

    padding: P per side (int), a pair (before, after), or "valid" / "same" as in Keras.
    When (n - kernel + 2P) is not a multiple of the stride, the last rows/columns the kernel
    cannot reach are dropped: that is the floor.
    """
    stride = _axis_stride(stride)
    before, after = axis_padding(padding, n, kernel, stride)
    _check_fits(N_("kernel"), (kernel,), (n + before + after,), (n,), (before, after))
    return (n + before + after - kernel) // stride + 1


def pad2d(x, padding, mode="zeros", data_format="channels_last"):
    """Pad the two spatial axes of x.

    x: (H,W), (H,W,C) or (N,H,W,C) for channels_last; (C,H,W) or (N,C,H,W) for channels_first.
    padding: p | (ph, pw) | ((top, bottom), (left, right)) in pixels.
    mode: "zeros" (0 덧대기) or "replicate" (복사 덧대기: repeat the edge pixel).
    Returns x with H and W grown by the padding, same layout and dtype.
    """
    x = np.asarray(x)
    if mode not in PAD_MODES:
        raise ValueError(_("unknown pad_mode {mode}: use 'zeros' or 'replicate'").format(
            mode=repr(mode)))
    h_axis, w_axis = _spatial_axes(x.ndim, data_format)
    if isinstance(padding, str):
        raise ValueError(_("pad2d takes pixel counts, not {padding}; use same_padding(n, kernel, "
                           "stride) to get the 'same' amounts").format(padding=repr(padding)))
    (top, bottom), (left, right) = padding_2d(padding, (0, 0), (0, 0), (1, 1))
    widths = [(0, 0)] * x.ndim
    widths[h_axis], widths[w_axis] = (top, bottom), (left, right)
    return np.pad(x, widths, mode=PAD_MODES[mode])


def _spatial_axes(ndim, data_format):
    if data_format not in DATA_FORMATS:
        raise ValueError(_("unknown data_format {data_format}: use one of {formats}").format(
            data_format=repr(data_format), formats=DATA_FORMATS))
    if ndim not in (2, 3, 4):
        raise ValueError(_("expected an image (H,W), a (H,W,C)/(C,H,W) image or a batch "
                           "(N,...), got an array with {ndim} dimensions").format(ndim=ndim))
    if ndim == 2:
        return 0, 1
    return (ndim - 2, ndim - 1) if data_format == "channels_first" else (ndim - 3, ndim - 2)


# ----------------------------------------------------------------------------- layouts
_CHANNEL_MOVES = {  # (to, ndim) -> (axes order for np.transpose, the layouts accepted)
    ("first", 3): ((2, 0, 1), "(H,W,C) or (N,H,W,C)"),
    ("first", 4): ((0, 3, 1, 2), "(H,W,C) or (N,H,W,C)"),
    ("last", 3): ((1, 2, 0), "(C,H,W) or (N,C,H,W)"),
    ("last", 4): ((0, 2, 3, 1), "(C,H,W) or (N,C,H,W)"),
}


def to_channels_first(x):
    """(H,W,C) -> (C,H,W) and (N,H,W,C) -> (N,C,H,W), a view (np.transpose, never reshape).

    Kernels move the same way with np.transpose(w, (3, 2, 0, 1)): (FH,FW,C,FN) -> (FN,C,FH,FW)."""
    return _move_channels(x, "first")


def to_channels_last(x):
    """(C,H,W) -> (H,W,C) and (N,C,H,W) -> (N,H,W,C), a view."""
    return _move_channels(x, "last")


def _move_channels(x, to):
    x = np.asarray(x)
    if x.ndim not in (3, 4):
        raise ValueError(_("expected {layouts}, got shape {shape}").format(
            layouts=_CHANNEL_MOVES[to, 3][1], shape=x.shape))
    return np.transpose(x, _CHANNEL_MOVES[to, x.ndim][0])


def _to_nhwc(x, data_format):
    """Any accepted image layout -> ((N,H,W,C) view, function that restores the layout)."""
    x = np.asarray(x)
    _spatial_axes(x.ndim, data_format)  # validates ndim and data_format
    if x.ndim == 2:
        return x[None, :, :, None], lambda y: y[0, :, :, 0]
    if data_format == "channels_first":
        x = to_channels_last(x)
        if x.ndim == 3:
            return x[None], lambda y: to_channels_first(y[0])
        return x, to_channels_first
    if x.ndim == 3:
        return x[None], lambda y: y[0]
    return x, lambda y: y


def _kernel_to_hwcf(w, x_ndim, data_format):
    """Kernel in the given layout -> (FH,FW,C,FN)."""
    w = np.asarray(w)
    if w.ndim == 2:
        if x_ndim != 2:
            raise ValueError(
                _("a 2D kernel {shape} needs a 2D image (H,W); for an image with channels use a "
                  "4D kernel: (FH,FW,C,FN) for channels_last or (FN,C,FH,FW) for "
                  "channels_first").format(shape=w.shape))
        return w[:, :, None, None]
    if w.ndim != 4:
        raise ValueError(_("kernel must be (FH,FW) or 4D, got shape {shape}").format(
            shape=w.shape))
    if x_ndim == 2:
        raise ValueError(_("a 4D kernel {shape} needs an image with a channel axis; add one with "
                           "x[..., None] (channels_last) or x[None] (channels_first)").format(
            shape=w.shape))
    return np.transpose(w, (2, 3, 1, 0)) if data_format == "channels_first" else w


# ----------------------------------------------------------------------------- images
def prepare_images(x):
    """Images as Keras takes them: uint8 (N,H,W) or (N,H,W,C) in 0..255 -> float32 (N,H,W,C)
    in [0, 1] (a grey image gets its one channel axis; document 001's reshape and /255, S57)."""
    x = np.asarray(x)
    if x.ndim == 3:
        x = x[..., None]
    if x.ndim != 4:
        raise ValueError(_("expected images (N, H, W) or (N, H, W, 1), got shape {shape}").format(
            shape=x.shape))
    return (x / 255.0).astype("float32")


def _float(x):
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(float)


def shift(x, dy, dx, fill=0.0):
    """The image moved dy pixels down and dx pixels right (negative: up, left); what moves out
    is lost and ``fill`` comes in (S33's one-pixel shift, chapter 10's moved objects).

    x: one image (H,W) or (H,W,C), or a batch (N,H,W,C) whose images all move alike.
    Returns a new array of x's shape (a float dtype is kept; other dtypes become float64).
    """
    x = _float(x)
    rows, cols = _spatial_axes(x.ndim, "channels_last")
    h, w = x.shape[rows], x.shape[cols]
    if abs(dy) >= h or abs(dx) >= w:
        raise ValueError(_("shift by ({dy}, {dx}) moves the whole {h}x{w} image out of view: "
                           "use |dy| < {h} and |dx| < {w}").format(dy=dy, dx=dx, h=h, w=w))
    out = np.full_like(x, fill)
    src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
    for axis, n, d in ((rows, h, dy), (cols, w, dx)):
        src[axis], dst[axis] = (slice(0, n - d), slice(d, n)) if d >= 0 else \
            (slice(-d, n), slice(0, n + d))
    out[tuple(dst)] = x[tuple(src)]
    return out


def brightness(x, factor):
    """Pixel values (in [0, 1]) multiplied by ``factor`` and clipped to [0, 1]: a change of
    illumination. x: any image or batch; returns a new array of x's shape."""
    return np.clip(_float(x) * factor, 0.0, 1.0)


def occlude(x, top, left, size, fill=0.0):
    """A size x size square with its top-left corner at (top, left) set to ``fill`` (가려짐,
    occlusion). x: an image (H,W) / (H,W,C) or a batch (N,H,W,C); returns a new array."""
    x = _float(x).copy()
    rows, cols = _spatial_axes(x.ndim, "channels_last")
    square = [slice(None)] * x.ndim
    square[rows], square[cols] = slice(top, top + size), slice(left, left + size)
    x[tuple(square)] = fill
    return x


# ----------------------------------------------------------------------------- convolution
# Document 003's Sobel kernels as printed: SOBEL_X is its "Vertical" kernel (it responds to
# vertical edges, a change from left to right), SOBEL_Y its "Horizontal" one. Read-only: the
# checks compare with them.
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)
SOBEL_Y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], float)
SOBEL_X.setflags(write=False)
SOBEL_Y.setflags(write=False)


def conv1d(x, w, b=0.0, stride=1, padding=0):
    """1D cross-correlation, equation (4.10) of document 003:  s(i) = sum_x z(i+x) u(x) + b.

    x: (L,) signal; w: (K,) kernel; b: scalar bias; padding: int per side, a pair,
    "valid" or "same"; stride: int >= 1. Returns (floor((L - K + 2P) / S) + 1,).
    """
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim != 1 or w.ndim != 1:
        raise ValueError(_("conv1d takes 1D x and w, got x{x_shape} and w{w_shape}").format(
            x_shape=x.shape, w_shape=w.shape))
    (stride, _sw) = _check_stride(stride)
    before, after = axis_padding(padding, len(x), len(w), stride)
    out_len = output_size(len(x), len(w), stride, (before, after))
    xp = np.pad(x, (before, after))
    windows = sliding_window_view(xp, len(w))[::stride][:out_len]   # (out_len, K)
    return windows @ w + b


def _prepare_conv(x, w, b, stride, padding, pad_mode, data_format):
    """Validate once; return the padded input (N,HP,WP,C), the kernel (FH,FW,C,FN), the bias
    (FN,), the strides (sh, sw), the output size (OH, OW) and the function restoring x's layout."""
    x_arr = np.asarray(x)
    xn, restore = _to_nhwc(x_arr, data_format)
    wk = _kernel_to_hwcf(w, x_arr.ndim, data_format)
    fh, fw, c, fn = wk.shape
    if xn.shape[3] != c:
        raise ValueError(
            _("channel mismatch: the input has C={c_in} channels (x shape {x_shape}, "
              "{data_format}) but the kernel expects C={c} (w shape {w_shape}); "
              "the kernel's depth must equal the input's depth").format(
                c_in=xn.shape[3], x_shape=x_arr.shape, data_format=data_format, c=c,
                w_shape=np.shape(w)))
    sh, sw = _check_stride(stride)
    if pad_mode not in PAD_MODES:
        raise ValueError(_("unknown pad_mode {mode}: use 'zeros' or 'replicate'").format(
            mode=repr(pad_mode)))
    (h, w_), pads = xn.shape[1:3], padding_2d(padding, xn.shape[1:3], (fh, fw), (sh, sw))
    (top, bottom), (left, right) = pads
    _check_fits(N_("kernel"), (fh, fw), (h + top + bottom, w_ + left + right), (h, w_), pads)
    out_hw = output_size(h, fh, sh, (top, bottom)), output_size(w_, fw, sw, (left, right))
    dtype = np.result_type(xn.dtype, wk.dtype, np.float32)
    xp = np.pad(xn.astype(dtype, copy=False), ((0, 0), (top, bottom), (left, right), (0, 0)),
                mode=PAD_MODES[pad_mode])
    if b is None:
        bias = np.zeros(fn, dtype)
    else:
        bias = np.asarray(b, dtype).reshape(-1)
        if bias.size == 1:
            bias = np.repeat(bias, fn)
        if bias.size != fn:
            raise ValueError(_("bias has {size} values but there are FN={fn} filters; give one "
                               "bias per filter, shape (FN,) or (FN,1,1)").format(
                size=bias.size, fn=fn))
    return xp, wk.astype(dtype, copy=False), bias, (sh, sw), out_hw, restore


def conv2d(x, w, b=None, stride=1, padding="valid", pad_mode="zeros",
           data_format="channels_last"):
    """2D cross-correlation (equation 4.11 of 003), vectorised; what keras.layers.Conv2D computes.

    x, w: see the module docstring for layouts. b: None, a scalar, or one value per filter
    ((FN,) or (FN,1,1)). stride: int or (sh, sw). padding: "valid", "same" (split like TF:
    the odd pixel goes bottom/right), an int, or a pair. pad_mode: "zeros" or "replicate".
    Returns the feature maps: (OH,OW), (OH,OW,FN), (FN,OH,OW) or with a leading N.

    out[n,i,j,f] = sum_{u,v,c} xpad[n, i*sh+u, j*sw+v, c] * w[u,v,c,f] + b[f]
    """
    xp, wk, bias, (sh, sw), (oh, ow), restore = _prepare_conv(x, w, b, stride, padding,
                                                               pad_mode, data_format)
    fh, fw, _, fn = wk.shape
    n = xp.shape[0]
    # One matrix product per kernel offset (FH*FW of them, never one per output pixel):
    # each adds the shifted, strided input slice (N,OH,OW,C) times that offset's (C,FN) weights.
    out = np.empty((n, oh, ow, fn), xp.dtype)
    out[...] = bias
    for u in range(fh):
        for v in range(fw):
            patch = xp[:, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw, :]
            out += patch @ wk[u, v]
    return restore(out)


def conv2d_naive(x, w, b=None, stride=1, padding="valid", pad_mode="zeros",
                 data_format="channels_last"):
    """The same as conv2d, written as the loops of the slides: for every image, every filter,
    every output position (top-left first, then right, then down; S9), sum window * kernel.
    Slow; for teaching and for checking conv2d."""
    xp, wk, bias, (sh, sw), (oh, ow), restore = _prepare_conv(x, w, b, stride, padding,
                                                               pad_mode, data_format)
    fh, fw, _, fn = wk.shape
    n = xp.shape[0]
    out = np.zeros((n, oh, ow, fn), xp.dtype)
    for k in range(n):
        for f in range(fn):
            for i in range(oh):
                for j in range(ow):
                    window = xp[k, i * sh:i * sh + fh, j * sw:j * sw + fw, :]
                    out[k, i, j, f] = np.sum(window * wk[:, :, :, f]) + bias[f]
    return restore(out)


def relu(x):
    """max(x, 0) element-wise: the rectified feature map of 003 (S14)."""
    return np.maximum(x, 0)


def conv2d_params(kernel_size, in_channels, filters, use_bias=True):
    """Number of parameters of a Conv2D layer: (FH*FW*C)*K + K   (003, S45).

    e.g. conv2d_params(5, 3, 10) == 760 and conv2d_params(7, 1, 64) == 3200.
    """
    fh, fw = _pair(kernel_size, "kernel_size")
    return fh * fw * in_channels * filters + (filters if use_bias else 0)


def usage_counts(shape, kernel_size, padding=0, mode="zeros", stride=1):
    """How many products of a convolution each input pixel enters: an int array (H,W) (S17).

    shape: the input's (H,W); kernel_size: F or (FH,FW); padding: what conv2d takes ("valid",
    "same", p, (ph, pw) or ((top, bottom), (left, right))); mode: "zeros" (a padding cell holds
    no pixel) or "replicate" (it holds a copy of the nearest edge pixel, which is counted);
    stride: int or pair. For every pixel this is conv2d(the one-hot image of that pixel, an
    all-ones kernel, same padding, mode and stride).sum(): border pixels of a valid convolution
    are used far less than the centre ones, replicated edge pixels more.
    """
    h, w = shape
    fh, fw = _pair(kernel_size, "kernel_size")
    sh, sw = _check_stride(stride)
    pads = padding_2d(padding, (h, w), (fh, fw), (sh, sw))
    (top, bottom), (left, right) = pads
    hp, wp = h + top + bottom, w + left + right
    _check_fits(N_("kernel"), (fh, fw), (hp, wp), (h, w), pads)

    def windows_covering(n_padded, f, s):       # per padded index along one axis
        count = np.zeros(n_padded, int)
        for i in range(output_size(n_padded, f, s)):
            count[i * s:i * s + f] += 1
        return count
    cover = np.outer(windows_covering(hp, fh, sh), windows_covering(wp, fw, sw))   # (HP,WP)
    # pixel numbers 1..H*W, padded like the image: 0 marks a zero-padding cell
    source = pad2d(np.arange(1, h * w + 1).reshape(h, w), pads, mode=mode)
    counts = np.zeros(h * w + 1, int)
    np.add.at(counts, source, cover)
    return counts[1:].reshape(h, w)


# ----------------------------------------------------------------------------- pooling
def _pool_windows(x, pool_size, stride, padding, data_format, fill):
    """Validate; return (the windows (N,OH,OW,C,PH,PW) of the input padded with ``fill``,
    the padding (top, bottom, left, right), the strides (sh, sw), the layout-restoring function)."""
    x_arr = np.asarray(x)
    xn, restore = _to_nhwc(x_arr, data_format)
    kh, kw = _pair(pool_size, "pool_size")
    sh, sw = _check_stride((kh, kw) if stride is None else stride)  # Keras: strides = pool size
    pads = padding_2d(padding, xn.shape[1:3], (kh, kw), (sh, sw))
    (top, bottom), (left, right) = pads
    _check_fits(N_("pool window"), (kh, kw), (xn.shape[1] + top + bottom, xn.shape[2] + left + right),
                xn.shape[1:3], pads)
    dtype = np.result_type(xn.dtype, np.float32)
    xp = np.pad(xn.astype(dtype, copy=False), ((0, 0), (top, bottom), (left, right), (0, 0)),
                constant_values=fill)
    windows = sliding_window_view(xp, (kh, kw), axis=(1, 2))[:, ::sh, ::sw]
    return windows, (top, bottom, left, right), (sh, sw), restore


def max_pool2d(x, pool_size=2, stride=None, padding="valid", data_format="channels_last"):
    """Max pooling (최대 풀링): the largest value of each window, per channel.

    x: (H,W), (H,W,C) or (N,H,W,C) [channels_first: (C,H,W), (N,C,H,W)].
    stride defaults to pool_size (non-overlapping windows, as in Keras). With padding="same"
    the padded cells never win (TF pads with -inf). Returns (..., OH, OW, ...) in x's layout.
    """
    windows, _, _, restore = _pool_windows(x, pool_size, stride, padding, data_format, -np.inf)
    return restore(windows.max(axis=(-2, -1)))


def avg_pool2d(x, pool_size=2, stride=None, padding="valid", data_format="channels_last"):
    """Average pooling (평균 풀링): the mean of each window, per channel.

    Same layouts and defaults as max_pool2d. With padding="same" the mean is over the real
    cells only (TF does not count the padding), so a corner window of 1 real pixel returns it.
    """
    windows, pads, _, restore = _pool_windows(x, pool_size, stride, padding, data_format, 0.0)
    sums = windows.sum(axis=(-2, -1))
    if any(pads):
        counts = _valid_counts(np.asarray(x), pool_size, stride, padding, data_format)
        return restore(sums / counts)
    kh, kw = windows.shape[-2:]
    return restore(sums / (kh * kw))


def _valid_counts(x, pool_size, stride, padding, data_format):
    """(1,OH,OW,1): how many real (unpadded) cells each pooling window covers."""
    xn, _ = _to_nhwc(x, data_format)
    ones = np.ones((1,) + xn.shape[1:3] + (1,))
    windows, _, _, _ = _pool_windows(ones, pool_size, stride, padding, "channels_last", 0.0)
    return windows.sum(axis=(-2, -1))


def pool2d(x, pool_size=2, stride=None, mode="max", padding="valid",
           data_format="channels_last"):
    """max_pool2d (mode="max") or avg_pool2d (mode="avg"), same arguments otherwise."""
    if mode not in ("max", "avg"):
        raise ValueError(_("mode must be 'max' or 'avg', got {mode}").format(mode=repr(mode)))
    pool = max_pool2d if mode == "max" else avg_pool2d
    return pool(x, pool_size, stride, padding, data_format)


def kept_by_max_pool(x, pool_size=2, stride=None):
    """Boolean (H,W): the cells of one 2D map x (H,W) whose value valid max pooling passes on
    (the first maximum of each window, in reading order). Every other cell is discarded: 75% of
    them for 2x2 windows with stride 2 (S34), and the cells no window covers (the floor)."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ValueError(_("{function} takes one 2D map (H,W), got shape {shape}").format(
            function="kept_by_max_pool", shape=x.shape))
    windows, _pads, (sh, sw), _restore = _pool_windows(x, pool_size, stride, "valid",
                                                       "channels_last", -np.inf)
    windows = windows[0, :, :, 0]                                # (OH,OW,PH,PW)
    oh, ow, _ph, pw = windows.shape
    u, v = np.divmod(windows.reshape(oh, ow, -1).argmax(axis=-1), pw)
    kept = np.zeros(x.shape, bool)
    kept[np.arange(oh)[:, None] * sh + u, np.arange(ow)[None, :] * sw + v] = True
    return kept


def pool2d_naive(x, pool_size=2, stride=None, mode="max"):
    """Loop version of valid pooling on one 2D map x (H,W), for teaching: window by window."""
    x = np.asarray(x, float)
    if x.ndim != 2:
        raise ValueError(_("{function} takes one 2D map (H,W), got shape {shape}").format(
            function="pool2d_naive", shape=x.shape))
    if mode not in ("max", "avg"):
        raise ValueError(_("mode must be 'max' or 'avg', got {mode}").format(mode=repr(mode)))
    kh, kw = _pair(pool_size, "pool_size")
    sh, sw = _check_stride((kh, kw) if stride is None else stride)
    oh, ow = output_size(x.shape[0], kh, sh), output_size(x.shape[1], kw, sw)
    reduce = np.max if mode == "max" else np.mean
    out = np.empty((oh, ow))
    for i in range(oh):
        for j in range(ow):
            out[i, j] = reduce(x[i * sh:i * sh + kh, j * sw:j * sw + kw])
    return out


# ============================================================================= backward passes
# How a CNN learns its kernels (S73-S75). im2col turns a convolution into one matrix product;
# each forward operation has a backward one that takes dout = dL/d(output), the gradient of the
# loss with respect to the forward's output, and returns the gradients with respect to the
# forward's inputs, in the forward's shapes (the forward/backward pairs of cs231n's layers.py).
# Validation is the forward's own (_prepare_conv, _pool_windows): the same bad input raises the
# same ValueError. Tested against tf.GradientTape in tests/test_backward.py.
__all__ += ["im2col", "col2im", "conv2d_im2col", "conv2d_backward", "max_pool2d_backward",
            "avg_pool2d_backward", "relu_backward"]


def _window_kernel(x, kernel_size, data_format):
    """A kernel with no filters (FN = 0) of the given size, in x's layout: lets im2col and
    col2im run _prepare_conv's checks (ndim, stride, padding, kernel vs padded input) as is."""
    fh, fw = _pair(kernel_size, "kernel_size")
    shape = np.shape(x)
    dtype = np.result_type(np.asarray(x).dtype, np.float32)   # the kernel must not upcast x
    if len(shape) == 2:
        return np.zeros((fh, fw), dtype)
    if len(shape) not in (3, 4):
        _spatial_axes(len(shape), data_format)            # raises the forward's message
    channels_first = data_format == "channels_first"
    c = shape[-3] if channels_first else shape[-1]
    return np.zeros((0, c, fh, fw) if channels_first else (fh, fw, c, 0), dtype)


def _out_hw(hp, wp, fh, fw, sh, sw):
    """Output (OH, OW) of a window of FH x FW moved by (sh, sw) over a padded HP x WP input."""
    return (hp - fh) // sh + 1, (wp - fw) // sw + 1


def _unfold(xp, fh, fw, sh, sw):
    """Padded (N,HP,WP,C) -> windows (N,OH,OW,FH,FW,C), one strided copy per kernel offset."""
    n, hp, wp, c = xp.shape
    oh, ow = _out_hw(hp, wp, fh, fw, sh, sw)
    cols = np.empty((n, oh, ow, fh, fw, c), xp.dtype)
    for u in range(fh):
        for v in range(fw):
            cols[:, :, :, u, v] = xp[:, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw]
    return cols


def _fold(blocks, padded_shape, sh, sw):
    """The adjoint of _unfold: windows (N,OH,OW,FH,FW,C) added back onto (N,HP,WP,C)."""
    n, oh, ow, fh, fw, c = blocks.shape
    dxp = np.zeros(padded_shape, blocks.dtype)
    for u in range(fh):
        for v in range(fw):
            dxp[:, u:u + sh * (oh - 1) + 1:sh, v:v + sw * (ow - 1) + 1:sw] += blocks[:, :, :, u, v]
    return dxp


def _unpad_grad(dxp, pads, mode="zeros"):
    """Gradient w.r.t. the padded input (N,HP,WP,C) -> w.r.t. the input (N,H,W,C).

    zeros: padded cells are constants, their gradient is dropped. replicate: a padded cell is a
    copy of an edge pixel, so its gradient is added to that pixel (rows first, then columns,
    the reverse of how np.pad builds it; a corner cell reaches the corner pixel).
    """
    (top, bottom), (left, right) = pads
    h, w = dxp.shape[1] - top - bottom, dxp.shape[2] - left - right
    if mode == "replicate":
        dxp = dxp.copy()
        dxp[:, :, left] += dxp[:, :, :left].sum(axis=2)
        dxp[:, :, left + w - 1] += dxp[:, :, left + w:].sum(axis=2)
        dxp[:, top] += dxp[:, :top].sum(axis=1)
        dxp[:, top + h - 1] += dxp[:, top + h:].sum(axis=1)
    return dxp[:, top:top + h, left:left + w]


def _check_dout(dout, expected_nhwc, restore, data_format, forward):
    """dout must have the forward output's shape (in x's layout); returns its (N,OH,OW,F) view."""
    d_arr = np.asarray(dout)
    want = restore(np.broadcast_to(np.zeros((), d_arr.dtype), tuple(expected_nhwc))).shape
    if d_arr.shape != want:
        raise ValueError(
            _("dout has shape {shape} but {forward}'s output has shape {want} ({data_format}): "
              "dout = dL/d(output) must have exactly the forward output's shape").format(
                shape=d_arr.shape, forward=forward, want=want, data_format=data_format))
    return _to_nhwc(d_arr, data_format)[0]


def _input_pads(x_nhwc_shape, kernel_hw, stride_hw, padding):
    """((top, bottom), (left, right)) for an (N,H,W,C) input; call after the forward's checks."""
    return padding_2d(padding, x_nhwc_shape[1:3], kernel_hw, stride_hw)


def im2col(x, kernel_size, stride=1, padding="valid", pad_mode="zeros",
           data_format="channels_last"):
    """Unfold every kernel window of x into one row of a matrix ("image to columns", S73).

    x: (H,W), (H,W,C) or (N,H,W,C) [channels_first: (C,H,W) or (N,C,H,W)].
    kernel_size: FH or (FH, FW); stride, padding and pad_mode as in conv2d.
    Returns cols (N*OH*OW, FH*FW*C) (N = 1 and C = 1 where x has no such axis). Row
    (n*OH + i)*OW + j is the window under output (n, i, j), flattened in the kernel's order:
      channels_last:  columns (u, v, c), the order of w.reshape(FH*FW*C, FN) for w (FH,FW,C,FN);
      channels_first: columns (c, u, v), the order of w.reshape(FN, C*FH*FW) for w (FN,C,FH,FW),
                      as in "Deep Learning from Scratch" (the book behind document 004).
    So conv2d(x, w) is cols @ (that matrix), reshaped: see conv2d_im2col.
    """
    xp, wk, _, (sh, sw), _, _ = _prepare_conv(x, _window_kernel(x, kernel_size, data_format),
                                              None, stride, padding, pad_mode, data_format)
    fh, fw, c, _ = wk.shape
    cols = _unfold(xp, fh, fw, sh, sw)                                  # (N,OH,OW,FH,FW,C)
    if data_format == "channels_first":
        cols = cols.transpose(0, 1, 2, 5, 3, 4)                         # (N,OH,OW,C,FH,FW)
    n, oh, ow = cols.shape[:3]
    return cols.reshape(n * oh * ow, fh * fw * c)


def col2im(cols, x_shape, kernel_size, stride=1, padding="valid", pad_mode="zeros",
           data_format="channels_last"):
    """The adjoint of im2col: add every row of cols back onto the window it came from.

    cols: (N*OH*OW, FH*FW*C) in im2col's row and column order; x_shape: the shape of the x that
    im2col unfolded (any accepted layout). Returns an array of shape x_shape. Where windows
    overlap the values add up; values on padding cells are dropped (zeros) or added to the edge
    pixel they copy (replicate). col2im(im2col(x)) is x times the number of windows covering
    each pixel, not x; col2im(dcols) is the gradient dx when dcols = dL/d(cols).
    """
    x_shape = tuple(int(s) for s in x_shape)
    cols = np.asarray(cols)
    probe = np.broadcast_to(np.zeros((), np.result_type(cols.dtype, np.float32)), x_shape)
    xp, wk, _bias, (sh, sw), _out_shape, restore = _prepare_conv(
        probe, _window_kernel(probe, kernel_size, data_format), None, stride, padding,
        pad_mode, data_format)
    fh, fw, c, _fn = wk.shape
    n, hp, wp, _c = xp.shape
    oh, ow = _out_hw(hp, wp, fh, fw, sh, sw)
    if cols.shape != (n * oh * ow, fh * fw * c):
        raise ValueError(_("cols has shape {shape} but im2col of an x of shape {x_shape} with a "
                           "{fh}x{fw} kernel gives (N*OH*OW, FH*FW*C) = ({rows}, {columns})").format(
            shape=cols.shape, x_shape=x_shape, fh=fh, fw=fw, rows=n * oh * ow,
            columns=fh * fw * c))
    if data_format == "channels_first":
        blocks = cols.reshape(n, oh, ow, c, fh, fw).transpose(0, 1, 2, 4, 5, 3)
    else:
        blocks = cols.reshape(n, oh, ow, fh, fw, c)
    dxp = _fold(blocks.astype(xp.dtype, copy=False), xp.shape, sh, sw)
    pads = _input_pads(_to_nhwc(probe, data_format)[0].shape, (fh, fw), (sh, sw), padding)
    return restore(_unpad_grad(dxp, pads, pad_mode))


def conv2d_im2col(x, w, b=None, stride=1, padding="valid", pad_mode="zeros",
                  data_format="channels_last"):
    """conv2d as ONE matrix product (S73):  out = im2col(x) @ W + b.

    Same arguments, layouts and result as conv2d. cols (N*OH*OW, FH*FW*C) times the kernel as a
    matrix W (FH*FW*C, FN) is (N*OH*OW, FN): one row per output position, one column per filter,
    reshaped to (N,OH,OW,FN) (channels_first: (N,FN,OH,OW); no N or FN axis where x or w has
    none, as in conv2d).
    """
    xp, wk, bias, (sh, sw), _, restore = _prepare_conv(x, w, b, stride, padding, pad_mode,
                                                        data_format)
    fh, fw, c, fn = wk.shape
    n, hp, wp, _ = xp.shape
    oh, ow = _out_hw(hp, wp, fh, fw, sh, sw)
    cols = im2col(x, (fh, fw), stride, padding, pad_mode, data_format).astype(wk.dtype,
                                                                              copy=False)
    if data_format == "channels_first" and np.ndim(w) == 4:
        w_mat = np.asarray(w, wk.dtype).reshape(fn, c * fh * fw).T    # rows (c, u, v)
    else:
        w_mat = wk.reshape(fh * fw * c, fn)                            # rows (u, v, c)
    out = cols @ w_mat + bias                                          # (N*OH*OW, FN)
    return restore(out.reshape(n, oh, ow, fn))


def conv2d_backward(dout, x, w, stride=1, padding="valid", pad_mode="zeros",
                    data_format="channels_last"):
    """Gradients of conv2d (without bias; the bias only adds db) with respect to x, w and b.

    dout: dL/d(out), the shape conv2d(x, w, ...) returns; x, w, stride, padding, pad_mode and
    data_format exactly as given to conv2d. Returns (dx, dw, db):
      dx: x's shape  = "full" convolution of dout (spread out by the stride) with the kernel
          flipped: each output spreads dout * w back over the window it read;
      dw: w's shape  = cross-correlation of the (padded) input with dout:
          dw[u,v,c,f] = sum_{n,i,j} xpad[n, i*sh+u, j*sw+v, c] * dout[n,i,j,f];
      db: (FN,)      = dout summed over every position (and image); (1,) for a 2D kernel.
    dw is one matrix product with im2col's matrix, cols.T @ dout; dx is itself a conv2d.
    """
    xp, wk, _, (sh, sw), _, restore = _prepare_conv(x, w, None, stride, padding, pad_mode,
                                                    data_format)
    fh, fw, c, fn = wk.shape
    n, hp, wp, _ = xp.shape
    oh, ow = _out_hw(hp, wp, fh, fw, sh, sw)
    d = _check_dout(dout, (n, oh, ow, fn), restore, data_format, "conv2d")
    d = d.astype(xp.dtype, copy=False)
    d_mat = d.reshape(n * oh * ow, fn)
    # dw: every window (a row of im2col) times the dout of its output position, summed
    cols = _unfold(xp, fh, fw, sh, sw).reshape(n * oh * ow, fh * fw * c)
    dw = (cols.T @ d_mat).reshape(fh, fw, c, fn)                       # (FH,FW,C,FN)
    # dx: each output spreads dout * w back over its window. Summed over outputs that is the
    # "full" convolution of dout (spread out by the stride, zeros between) with the kernel
    # flipped top-bottom and left-right, its input and output channels swapped.
    rh, rw = hp - fh + 1, wp - fw + 1          # the window's top-left corner takes rh x rw places
    if (sh, sw) == (1, 1):
        spread = d
    else:
        spread = np.zeros((n, rh, rw, fn), d.dtype)
        spread[:, ::sh, ::sw] = d
    w_flip = wk[::-1, ::-1].transpose(0, 1, 3, 2)                      # (FH,FW,FN,C)
    dxp = conv2d(spread, w_flip, padding=((fh - 1, fh - 1), (fw - 1, fw - 1)))  # (N,HP,WP,C)
    pads = _input_pads(_to_nhwc(np.asarray(x), data_format)[0].shape, (fh, fw), (sh, sw), padding)
    dx = restore(_unpad_grad(dxp, pads, pad_mode))
    if np.ndim(w) == 2:
        dw = dw[:, :, 0, 0]
    elif data_format == "channels_first":
        dw = dw.transpose(3, 2, 0, 1)                                  # (FN,C,FH,FW)
    return dx, dw, d_mat.sum(axis=0)


def _pool_backward(dout, x, pool_size, stride, padding, data_format, kind):
    """Shared by max/avg pooling: validate like the forward, spread dout over each window."""
    fill = -np.inf if kind == "max" else 0.0
    windows, (top, bottom, left, right), (sh, sw), restore = _pool_windows(
        x, pool_size, stride, padding, data_format, fill)
    n, oh, ow, c, kh, kw = windows.shape
    d = _check_dout(dout, (n, oh, ow, c), restore, data_format, f"{kind}_pool2d")
    d = d.astype(windows.dtype, copy=False)
    if kind == "max":
        arg = windows.reshape(n, oh, ow, c, kh * kw).argmax(axis=-1)     # first max wins ties
    elif any((top, bottom, left, right)):
        d = d / _valid_counts(np.asarray(x), pool_size, stride, padding, data_format)
    else:
        d = d / (kh * kw)
    xn_shape = _to_nhwc(np.asarray(x), data_format)[0].shape
    dxp = np.zeros((n, xn_shape[1] + top + bottom, xn_shape[2] + left + right, c), d.dtype)
    for a in range(kh):
        for b in range(kw):
            share = np.where(arg == a * kw + b, d, 0) if kind == "max" else d
            dxp[:, a:a + sh * (oh - 1) + 1:sh, b:b + sw * (ow - 1) + 1:sw] += share
    return restore(_unpad_grad(dxp, ((top, bottom), (left, right))))


def max_pool2d_backward(dout, x, pool_size=2, stride=None, padding="valid",
                        data_format="channels_last"):
    """Gradient of max_pool2d with respect to x: dx with x's shape.

    dout: the shape max_pool2d(x, ...) returns; the other arguments as given to max_pool2d.
    Each dout value goes to the one input cell that was the maximum of its window (the
    arg-max; the first one in row-major order if several tie), all other cells get 0; a cell
    that wins several overlapping windows collects all their gradients. Padded cells never win.
    """
    return _pool_backward(dout, x, pool_size, stride, padding, data_format, "max")


def avg_pool2d_backward(dout, x, pool_size=2, stride=None, padding="valid",
                        data_format="channels_last"):
    """Gradient of avg_pool2d with respect to x: dx with x's shape.

    Each dout value is shared equally by the cells of its window: dout / (number of real cells
    in the window), which is PH*PW except at the borders of padding="same" (TF does not count
    the padding). Overlapping windows add up.
    """
    return _pool_backward(dout, x, pool_size, stride, padding, data_format, "avg")


def relu_backward(dout, x):
    """Gradient of relu: dx = dout where x > 0, else 0 (also at x == 0, as TF). Same shapes."""
    dout, x = np.asarray(dout), np.asarray(x)
    if dout.shape != x.shape:
        raise ValueError(_("dout has shape {dout_shape} but relu's input x has shape {x_shape}: "
                           "relu works element by element, so they must be equal").format(
            dout_shape=dout.shape, x_shape=x.shape))
    return np.where(x > 0, dout, 0).astype(np.result_type(dout, x, np.float32), copy=False)
