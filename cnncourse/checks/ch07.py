"""Checks for exercises/07_lenet.ipynb: lenet_feature_shapes, lenet_layer_params, build_lenet5.

The reference is ``cnncourse.models.lenet5()`` (document 003, fig 4-19) and the size/parameter
formulas of ``cnncourse.ops``; Keras is imported only when a check needs it.
"""
from __future__ import annotations

import functools

from cnncourse import ops
from cnncourse.checks._common import (Case, Exercise, assert_equal, check,
                                      compare_models, registry, rng)

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
    sizes = [(28, "document 003"), (32, "the 1998 paper's input")]
    r = rng(seed)
    sizes += [(int(v), f"seed {seed}") for v in r.choice(range(33, 65), size=2, replace=False)]
    return [Case(f"a {size}x{size}x1 input ({note})", (size,)) for size, note in sizes]


def layer_params_cases(seed):
    """One case: lenet_layer_params() takes no input."""
    return [Case("LeNet-5 on 28x28x1, layers C1, C3, C5, F6, output")]


def build_lenet5_cases(seed):
    return [Case("build_lenet5() on a 28x28x1 input")]


compare_with_lenet5 = functools.partial(compare_models, ref_label="LeNet-5")

EXERCISES = registry(
    Exercise("lenet_feature_shapes", feature_shapes_cases, reference_feature_shapes, seed=2000,
             compare=assert_equal,
             hint=("C1: 6 filters 5x5 'same' keeps 28x28; S2: 2x2 average pooling halves it; C3: "
                   "16 filters 5x5 'valid' -> 14 - 5 + 1; S4 halves again; C5: 120 filters 5x5 "
                   "'valid'. Use output_size(n, F, S, P) for every layer")),
    Exercise("lenet_layer_params", layer_params_cases, reference_layer_params,
             compare=assert_equal,
             hint=("conv: (F*F*D1)*K + K with D1 the depth of the layer's input; pooling has "
                   "none; dense: (inputs + 1) * units; C5's output is 1x1x120 = 120 inputs for "
                   "F6")),
    Exercise("build_lenet5", build_lenet5_cases, reference_lenet5, compare=compare_with_lenet5,
             hint=("keras.Sequential([keras.Input((28, 28, 1)), Conv2D(6, 5, padding='same'), "
                   "AveragePooling2D(2), Conv2D(16, 5), AveragePooling2D(2), Conv2D(120, 5), "
                   "Flatten(), Dense(84), Dense(10, activation='softmax')]) - use keras.Input, "
                   "not input_shape=")),
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
