"""Checks for exercises/01_why_convolution.ipynb: dense_vs_conv_params, name_the_change,
receptive_field, find_pattern (difficulty rising in that order).

name_the_change and find_pattern are built from a known answer (the change applied, the place
the pattern was cut from), which is the case's expected value (``Case.held_out``); the cases are
drawn so that the answer is unambiguous (checked when they are drawn).
"""
from __future__ import annotations

import numpy as np

from cnncourse import data, ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import (Case, Exercise, assert_equal, check, choice, registry,
                                      rng, shapes)

CHANGES = ("viewpoint", "illumination", "occlusion")


# ----------------------------------------------------------------------------- 1. parameters
def params_cases(seed):
    """Chapter 01's 28x28 grey input with Dense(128) vs Conv2D(32, 3x3), then 7 random ones."""
    layers = [((28, 28, 1), 128, 32, 3, _("chapter 01, S2: Dense(128) vs Conv2D(32, 3x3)"))]
    for k in range(7):
        r = rng(seed + k)
        side = int(r.integers(8, 129))
        shape = (side, int(r.integers(8, 129)), int(r.choice([1, 3])))
        layers.append((shape, int(r.integers(1, 257)), int(r.integers(1, 129)),
                       int(r.choice([1, 3, 5, 7])), _("seed {seed}").format(seed=seed + k)))
    return [Case(_("input {shape}, units={units}, filters={filters}, kernel={kernel} ({note})").format(
        shape=shape, units=u, filters=f, kernel=k, note=note), (shape, u, f, k))
            for shape, u, f, k, note in layers]


def reference_params(input_shape, units, filters, kernel):
    """(Dense(units) on the flattened input, Conv2D(filters, kernel x kernel)): with biases."""
    h, w, c = input_shape
    return (h * w * c + 1) * units, ops.conv2d_params(kernel, c, filters)


# ----------------------------------------------------------------------------- 2. the change
def _photo():
    """The cameraman photo, every 4th pixel (128x128, values in [0, 1])."""
    return data.sample_image("camera")[::4, ::4]


def change_cases(seed):
    """9 crops of the cameraman photo (32x32), each changed in one of the three ways with random
    amounts: 3 of each, in a shuffled order."""
    photo, cases = _photo(), []
    kinds = rng(seed).permutation(np.repeat(np.arange(3), 3))
    for k, kind in enumerate(kinds):
        r = rng(seed + 1 + k)
        top, left = (int(v) for v in r.integers(0, 128 - 32, size=2))
        image = photo[top:top + 32, left:left + 32]
        name = CHANGES[kind]
        if name == "viewpoint":
            dy, dx = (int(v) for v in r.choice([-3, -2, -1, 0, 1, 2, 3], size=2))
            dx = dx or 1
            changed, how = ops.shift(image, dy, dx), _("shifted ({dy}, {dx})").format(dy=dy, dx=dx)
        elif name == "illumination":
            factor = float(r.choice([r.uniform(0.4, 0.7), r.uniform(1.3, 1.8)]).round(2))
            changed, how = ops.brightness(image, factor), _("brightness x{factor}").format(
                factor=factor)
        else:
            size = int(r.integers(6, 13))
            y, x = (int(v) for v in r.integers(0, 32 - size, size=2))
            changed = ops.occlude(image, y, x, size, fill=0.5)
            how = _("a {size}x{size} grey square at ({y}, {x})").format(size=size, y=y, x=x)
        cases.append(Case(_("a 32x32 crop of the cameraman photo at ({top}, {left}), {how} "
                            "(seed {seed})").format(top=top, left=left, how=how,
                                                    seed=seed + 1 + k),
                          (image, changed), held_out=name))
    return cases


CHANGE_WHY = {
    "viewpoint": N_("The whole picture moved: `changed` equals `original` shifted by a few pixels "
                  "(changed[y + dy, x + dx] == original[y, x] for a small dy, dx), so almost "
                  "every pixel changed value although nothing about the scene changed."),
    "illumination": N_("Every pixel was multiplied by the same factor (then clipped to [0, 1]): "
                     "changed / original is one number wherever the pixel is neither 0 nor "
                     "clipped. Brighter or darker light changes all values, not the layout."),
    "occlusion": N_("Only the pixels of one square block changed, all to the same value (0.5, "
                  "grey); everything outside the block is equal to the original: something "
                  "hides part of the object."),
}


# ----------------------------------------------------------------------------- 3. receptive field
def rf_cases(seed):
    """Chapter 01's 1-4 stacked 3x3 convolutions, document 001's conv-pool-conv-pool, then 6
    random stacks of 1-6 layers with kernels 1-7 and strides 1-3."""
    stacks = [([3], None, _("one 3x3 layer")),
              ([3, 3], None, _("two stacked 3x3 layers (002, S4)")),
              ([3, 3, 3, 3], None, _("four 3x3 layers")),
              ([3, 2, 3, 2], [1, 2, 1, 2],
               _("document 001: conv 3x3, pool 2x2, conv 3x3, pool 2x2"))]
    for k in range(6):
        r = rng(seed + k)
        n = int(r.integers(1, 7))
        kernels = [int(v) for v in r.integers(1, 8, size=n)]
        strides = [int(v) for v in r.integers(1, 4, size=n)]
        stacks.append((kernels, strides, _("seed {seed}").format(seed=seed + k)))
    return [Case(f"kernels={ks}, strides={ss} ({note})", (ks, ss)) for ks, ss, note in stacks]


def reference_receptive_field(kernels, strides=None):
    """Side of the input window one unit of the last layer sees: r = 1 + sum (F_l - 1) * J_l,
    J_l the product of the strides of the layers before l."""
    strides = [1] * len(kernels) if strides is None else strides
    size, jump = 1, 1
    for f, s in zip(kernels, strides):
        size += (f - 1) * jump
        jump *= s
    return size


# ----------------------------------------------------------------------------- 4. find the pattern
def _responses(image, pattern):
    """(zero-mean dot products, normalised responses) of pattern at every valid position."""
    f_h, f_w = pattern.shape
    kernel = pattern - pattern.mean()
    dot = ops.conv2d(image, kernel)
    ones = np.ones(pattern.shape)
    local = ops.conv2d(image ** 2, ones) - ops.conv2d(image, ones) ** 2 / (f_h * f_w)
    return dot, dot / (np.sqrt(np.maximum(local, 1e-12)) * np.linalg.norm(kernel))


def _clear_winner(image, pattern, where, margin=0.1):
    """Both scores put their maximum at ``where``, the normalised one ahead by ``margin``."""
    dot, norm = _responses(image, pattern)
    second = np.sort(norm.ravel())[-2]
    return (np.unravel_index(np.argmax(dot), dot.shape) == where
            and np.unravel_index(np.argmax(norm), norm.shape) == where
            and norm[where] - second > margin)


def pattern_cases(seed):
    """Chapter 01's cat-eye filter on the half-size photo of Chelsea (S6), then 5 noisy patches
    of the cameraman photo, each found again in a crop of the photo."""
    from skimage import transform
    small = transform.rescale(data.sample_image("chelsea", gray=True), 0.5, anti_aliasing=True)
    eye = small[50:77, 72:99].copy()
    cases = [Case(_("{shapes} (chapter 01, S6: the cat's left eye, cut from the photo)").format(
        shapes=shapes(image=small, pattern=eye)), (small, eye), held_out=(50, 72))]
    photo = _photo()
    k = 0
    while len(cases) < 6:
        r = rng(seed + k)
        k += 1
        h, w, size = int(r.integers(24, 49)), int(r.integers(24, 49)), int(r.integers(5, 10))
        top, left = int(r.integers(0, 128 - h)), int(r.integers(0, 128 - w))
        image = photo[top:top + h, left:left + w]
        y, x = int(r.integers(0, h - size + 1)), int(r.integers(0, w - size + 1))
        pattern = (image[y:y + size, x:x + size] + r.normal(0, 0.03, (size, size))).round(3)
        if pattern.std() < 0.08 or not _clear_winner(image, pattern, (y, x)):
            continue                    # a flat patch, or one that looks like another place
        cases.append(Case(_("{shapes}: a patch of the cameraman photo with a little noise "
                            "(seed {seed})").format(shapes=shapes(image=image, pattern=pattern),
                                                    seed=seed + k - 1), (image, pattern),
                          held_out=(y, x)))
    return cases


EXERCISES = registry(
    Exercise("dense_vs_conv_params", params_cases, reference_params, seed=2500,
             compare=assert_equal,
             hint=N_("a Dense unit has one weight per input value, H*W*C of them, plus a bias: "
                   "(H*W*C + 1) * units; a Conv2D filter has one weight per value of its F x F x C "
                   "window plus a bias, whatever the image size: (F*F*C + 1) * filters")),
    Exercise("name_the_change", change_cases, None, seed=2600,
             compare=choice(*CHANGES, why=CHANGE_WHY),
             hint=N_("Compare the arrays: np.isclose(original, changed) shows which pixels kept "
                   "their value; look at where the others are and how they changed.")),
    Exercise("receptive_field", rf_cases, reference_receptive_field, seed=2700,
             compare=assert_equal,
             hint=N_("go layer by layer keeping the window size r (start 1) and the jump J (start "
                   "1: how far apart in the input two neighbouring units of the current layer "
                   "are): a layer with kernel F and stride S makes r = r + (F - 1) * J, then "
                   "J = J * S. Two 3x3 layers: 1 + 2 + 2 = 5")),
    Exercise("find_pattern", pattern_cases, None, seed=2800, compare=assert_equal,
             hint=N_("slide the pattern over every position (row, col) where it fits, as in S6; "
                   "score the window under it by the sum of (window - window mean) * (pattern - "
                   "pattern mean), divided by the norms of both (1.0 = the same pattern); "
                   "return the (row, col) of the top-left corner with the highest score")),
)


def check_dense_vs_conv_params(dense_vs_conv_params):
    """dense_vs_conv_params((H, W, C), units, filters, kernel) -> (Dense params, Conv2D params)."""
    __tracebackhide__ = True
    check(EXERCISES["dense_vs_conv_params"], dense_vs_conv_params)


def check_name_the_change(name_the_change):
    """name_the_change(original, changed) -> 'viewpoint', 'illumination' or 'occlusion'."""
    __tracebackhide__ = True
    check(EXERCISES["name_the_change"], name_the_change)


def check_receptive_field(receptive_field):
    """receptive_field(kernels, strides=None) -> side of one last-layer unit's input window."""
    __tracebackhide__ = True
    check(EXERCISES["receptive_field"], receptive_field)


def check_find_pattern(find_pattern):
    """find_pattern(image, pattern) -> (row, col) of the best-matching window's top-left."""
    __tracebackhide__ = True
    check(EXERCISES["find_pattern"], find_pattern)
