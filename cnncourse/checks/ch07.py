"""Checks for exercises/07_lenet.ipynb: lenet_feature_shapes, lenet_layer_params, build_lenet5.

The reference is ``cnncourse.models.lenet5()`` (document 003, fig 4-19) and the size/parameter
formulas of ``cnncourse.ops``; Keras is imported only when a check needs it.
"""
from __future__ import annotations

from cnncourse import ops
from cnncourse.checks._common import assert_equal, call, fail, ok

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


def check_lenet_feature_shapes(lenet_feature_shapes):
    """lenet_feature_shapes(size=28) -> [(H,W,C) after C1, S2, C3, S4, C5]."""
    name = "lenet_feature_shapes"
    hint = ("C1: 6 filters 5x5 'same' keeps 28x28; S2: 2x2 average pooling halves it; C3: 16 "
            "filters 5x5 'valid' -> 14 - 5 + 1; S4 halves again; C5: 120 filters 5x5 'valid'. "
            "Use output_size(n, F, S, P) for every layer")
    sizes = [28, 32, 36, 44]
    for size in sizes:
        case = f"a {size}x{size}x1 input"
        got = call(name, case, lenet_feature_shapes, size)
        if got is not None:
            got = [tuple(int(v) for v in s) for s in got]
        assert_equal(name, case, reference_feature_shapes(size), got, hint)
    ok(name, len(sizes))


def check_lenet_layer_params(lenet_layer_params):
    """lenet_layer_params() -> [C1, C3, C5, F6, output] parameter counts from the formulas."""
    name = "lenet_layer_params"
    hint = ("conv: (F*F*D1)*K + K with D1 the depth of the layer's input; pooling has none; "
            "dense: (inputs + 1) * units; C5's output is 1x1x120 = 120 inputs for F6")
    case = "LeNet-5 on 28x28x1, layers C1, C3, C5, F6, output"
    got = call(name, case, lenet_layer_params)
    expected = reference_layer_params()
    assert_equal(name, case, expected, list(got) if got is not None else got, hint)
    assert_equal(name, "the total", 61706, sum(expected), "the sum of all layers")
    ok(name, 1)


def check_build_lenet5(build_lenet5):
    """build_lenet5() -> keras.Model with LeNet-5's layers, output shapes and parameter counts."""
    from cnncourse import models

    name = "build_lenet5"
    hint = ("keras.Sequential([keras.Input((28, 28, 1)), Conv2D(6, 5, padding='same'), "
            "AveragePooling2D(2), Conv2D(16, 5), AveragePooling2D(2), Conv2D(120, 5), Flatten(), "
            "Dense(84), Dense(10, activation='softmax')]) - use keras.Input, not input_shape=")
    case = "build_lenet5() on a 28x28x1 input"
    model = call(name, case, build_lenet5)
    ref = models.lenet5()

    n = compare_models(name, case, ref, model, hint, "LeNet-5")
    ok(name, n)


def layer_summary(model):
    """[(layer type, output shape without N, parameters)] of the conv/pool/flatten/dense layers."""
    import keras
    kinds = (keras.layers.Conv2D, keras.layers.AveragePooling2D, keras.layers.MaxPooling2D,
             keras.layers.Flatten, keras.layers.Dense)
    return [(type(layer).__name__, tuple(layer.output.shape[1:]), layer.count_params())
            for layer in model.layers if isinstance(layer, kinds)]


def compare_models(name, case, ref, model, hint, ref_label):
    """Assert that model has ref's layers (type, output shape, parameters); return #comparisons."""
    import keras
    if not isinstance(model, keras.Model):
        fail(name, case, "the function must return a keras.Model", "a keras.Model", model, hint)
    try:
        got = layer_summary(model)
        out_shape = tuple(model.outputs[0].shape)
    except Exception as err:  # a model that was never built has no output shapes
        fail(name, case, f"the model has no output shapes ({type(err).__name__}: {err})",
             "a model that starts with keras.Input((28, 28, 1))", model, hint)
    expected = layer_summary(ref)
    for i, (e, g) in enumerate(zip(expected, got)):
        if e != g:
            fail(name, f"{case}, layer {i + 1} (type, output shape, parameters)",
                 f"layer differs from {ref_label}", e, g, hint)
    assert_equal(name, f"{case}: number of conv/pool/flatten/dense layers", len(expected),
                 len(got), hint)
    assert_equal(name, f"{case}: output shape", tuple(ref.outputs[0].shape), out_shape, hint)
    assert_equal(name, f"{case}: total parameters", ref.count_params(), model.count_params(), hint)
    return len(expected) + 2
