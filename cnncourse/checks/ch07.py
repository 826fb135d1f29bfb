"""Checks for exercises/07_lenet.ipynb: lenet_feature_shapes, lenet_layer_params, build_lenet5,
the predict item flatten_size_002 (S49-S51) and the document-bug item model_002 (002's printed
code, fixed for Keras 3: S62).

The reference is ``cnncourse.models.lenet5()`` (document 003, fig 4-19) and the size/parameter
formulas of ``cnncourse.ops``; Keras is imported only when a check needs it.
"""
from __future__ import annotations

import functools

from cnncourse import ops
from cnncourse.i18n import N_, _
from cnncourse.checks._common import (Case, Exercise, assert_equal, check,
                                      compare_models, fail, registry, rng)

# (kind, filters/units, kernel or pool size, padding) for C1 S2 C3 S4 C5, as in 003's figure
LENET_FEATURES = [("conv", 6, 5, "same"), ("pool", 6, 2, "valid"), ("conv", 16, 5, "valid"),
                  ("pool", 16, 2, "valid"), ("conv", 120, 5, "valid")]


def reference_feature_shapes(size=28):
    """(H, W, C) after C1, S2, C3, S4, C5 for a size x size grey image, from the formulas."""
    shapes, h = [], size
    for kind, depth, k, padding in LENET_FEATURES:
        stride = 1 if kind == "conv" else k
        h = ops.output_size(h, k, stride, padding)
        shapes.append((h, h, depth))
    return shapes


def reference_layer_params():
    """Parameters of C1, C3, C5, F6, output: conv (F*F*D1)*K + K, dense (inputs + 1) * units."""
    return [ops.conv2d_params(5, 1, 6), ops.conv2d_params(5, 6, 16), ops.conv2d_params(5, 16, 120),
            (120 + 1) * 84, (84 + 1) * 10]


def reference_lenet5():
    from cnncourse import models
    return models.lenet5()


def feature_shapes_cases(seed):
    """Document 003's 28x28, LeCun's original 32x32, then 2 random sizes from 33 to 64 (C5
    needs at least 28)."""
    sizes = [(28, _("document 003")), (32, _("the 1998 paper's input"))]
    r = rng(seed)
    sizes += [(int(v), _("seed {seed}").format(
        seed=seed)) for v in r.choice(range(33, 65), size=2, replace=False)]
    return [Case(_("a {size}x{size}x1 input ({note})").format(size=size, note=note), (size,))
            for size, note in sizes]


def layer_params_cases(seed):
    """One case: lenet_layer_params() takes no input."""
    return [Case(_("LeNet-5 on 28x28x1, layers C1, C3, C5, F6, output"))]


def build_lenet5_cases(seed):
    return [Case(_("build_lenet5() on a 28x28x1 input"))]


compare_with_lenet5 = functools.partial(compare_models, ref_label=N_("LeNet-5"))


def flatten_cases(seed):
    """Document 002's 28x28 input, a 32x32 and a 64x64 one, then 5 random sizes from 8 to 100."""
    sizes = [(28, _("document 002")), (32, _("a 32x32 input")), (64, _("a 64x64 input"))]
    r = rng(seed)
    sizes += [(int(v), _("seed {seed}").format(
        seed=seed)) for v in r.choice(range(8, 101), size=5, replace=False)]
    return [Case(_("a {size}x{size}x1 input ({note})").format(size=n, note=note), (n,))
            for n, note in sizes]


def reference_flatten_size(size=28):
    """Values Flatten hands to Dense(128) in 002's deep CNN: the 'same' convolutions keep the
    size, each of the three MaxPooling2D(2) floors it to half; 256 maps at the end."""
    for _step in range(3):
        size = ops.output_size(size, 2, 2)
    return size * size * 256


def model_002_cases(seed):
    return [Case(_("model_002() on a 28x28x1 input"))]


def reference_model_002():
    from cnncourse import models
    return models.deep_cnn_002()


def compare_with_002(exercise, case, expected, got, hint):
    """The layers of 002's model (type, output shape, parameters) and its Dropout layers."""
    __tracebackhide__ = True
    count = compare_models(exercise, case, expected, got, hint, ref_label=N_("document 002's model"))
    kinds = lambda model: [type(layer).__name__ for layer in model.layers]     # noqa: E731
    if kinds(got) != kinds(expected):
        fail(exercise, _("{case}: every layer's type, in order").format(case=case),
             _("the layers differ from document 002's (Dropout included)"), kinds(expected),
             kinds(got), hint)
    return count + 1

EXERCISES = registry(
    Exercise("lenet_feature_shapes", feature_shapes_cases, reference_feature_shapes, seed=2000,
             compare=assert_equal,
             hint=N_("C1: 6 filters 5x5 'same' keeps 28x28; S2: 2x2 average pooling halves it; C3: "
                   "16 filters 5x5 'valid' -> 14 - 5 + 1; S4 halves again; C5: 120 filters 5x5 "
                   "'valid'. Use output_size(n, F, S, P) for every layer")),
    Exercise("lenet_layer_params", layer_params_cases, reference_layer_params,
             compare=assert_equal,
             hint=N_("conv: (F*F*D1)*K + K with D1 the depth of the layer's input; pooling has "
                   "none; dense: (inputs + 1) * units; C5's output is 1x1x120 = 120 inputs for "
                   "F6")),
    Exercise("build_lenet5", build_lenet5_cases, reference_lenet5, compare=compare_with_lenet5,
             hint=N_("keras.Sequential([keras.Input((28, 28, 1)), Conv2D(6, 5, padding='same'), "
                   "AveragePooling2D(2), Conv2D(16, 5), AveragePooling2D(2), Conv2D(120, 5), "
                   "Flatten(), Dense(84), Dense(10, activation='softmax')]) - use keras.Input, "
                   "not input_shape=")),
    Exercise("flatten_size_002", flatten_cases, reference_flatten_size, seed=4000,
             compare=assert_equal,
             hint=N_("002's convolutions use padding='same' and stride 1, so only the three "
                   "MaxPooling2D(2) change the size: each halves it with the floor of the "
                   "output-size formula, (n - 2) // 2 + 1 = n // 2: 28 -> 14 -> 7 -> 3. Flatten "
                   "then hands over 3 * 3 * 256 = 2304 values: size * size * (filters of the last "
                   "convolution).")),
    Exercise("model_002", model_002_cases, reference_model_002, compare=compare_with_002,
             hint=N_("three fixes turn 002's printed code into Keras 3: the comma missing after the "
                   "first Conv2D(...), keras.laeyrs -> keras.layers (twice), and the input shape "
                   "given by keras.Input(shape=(28, 28, 1)) as the first element of the list "
                   "instead of the old keyword on the first Conv2D")),
)


def check_lenet_feature_shapes(lenet_feature_shapes):
    """lenet_feature_shapes(size=28) -> [(H,W,C) after C1, S2, C3, S4, C5]."""
    __tracebackhide__ = True
    check(EXERCISES["lenet_feature_shapes"], lenet_feature_shapes)


def check_lenet_layer_params(lenet_layer_params):
    """lenet_layer_params() -> [C1, C3, C5, F6, output] parameter counts from the formulas."""
    __tracebackhide__ = True
    check(EXERCISES["lenet_layer_params"], lenet_layer_params)


def check_build_lenet5(build_lenet5):
    """build_lenet5() -> keras.Model with LeNet-5's layers, output shapes and parameter counts."""
    __tracebackhide__ = True
    check(EXERCISES["build_lenet5"], build_lenet5)


def check_flatten_size_002(flatten_size_002):
    """flatten_size_002(size=28) -> values Flatten passes on in 002's deep CNN on size x size."""
    __tracebackhide__ = True
    check(EXERCISES["flatten_size_002"], flatten_size_002)


def check_model_002(model_002):
    """model_002() -> document 002's deep CNN, its printed code fixed to run on Keras 3."""
    __tracebackhide__ = True
    check(EXERCISES["model_002"], model_002)
