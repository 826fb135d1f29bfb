"""The documents' models: every layer's shape and parameter count equal the hand formulas."""
import pytest

from cnncourse import models, ops

keras = pytest.importorskip("keras")


def dense_params(n_in, n_out):
    return n_in * n_out + n_out


def shapes_and_params(model):
    return [(layer.name, tuple(layer.output.shape[1:]), layer.count_params())
            for layer in model.layers]


def test_fashion_cnn_001_has_421642_parameters_by_formula():
    model = models.fashion_cnn_001()
    s1 = ops.output_size(28, 3, 1, "same")                 # 28
    p1 = ops.output_size(s1, 2, 2)                         # 14
    p2 = ops.output_size(ops.output_size(p1, 3, 1, "same"), 2, 2)   # 7
    expected = [
        ("conv1", (28, 28, 32), ops.conv2d_params(3, 1, 32)),
        ("pool1", (p1, p1, 32), 0),
        ("conv2", (14, 14, 64), ops.conv2d_params(3, 32, 64)),
        ("pool2", (p2, p2, 64), 0),
        ("flatten", (7 * 7 * 64,), 0),
        ("dense", (128,), dense_params(3136, 128)),
        ("output", (10,), dense_params(128, 10)),
    ]
    assert shapes_and_params(model) == expected
    assert model.count_params() == 421_642


def test_lenet5_turns_28x28_into_a_120_feature_vector():
    model = models.lenet5()
    got = shapes_and_params(model)
    assert [shape for _, shape, _ in got] == [(28, 28, 6), (14, 14, 6), (10, 10, 16),
                                              (5, 5, 16), (1, 1, 120), (120,), (84,), (10,)]
    assert [p for *_, p in got] == [ops.conv2d_params(5, 1, 6), 0, ops.conv2d_params(5, 6, 16),
                                    0, ops.conv2d_params(5, 16, 120), 0, dense_params(120, 84),
                                    dense_params(84, 10)]
    assert model.count_params() == 61_706
    assert isinstance(model.get_layer("S2"), keras.layers.AveragePooling2D)


def test_deep_cnn_002_resolution_28_14_7_3():
    model = models.deep_cnn_002()
    pools = [layer for layer in model.layers if isinstance(layer, keras.layers.MaxPooling2D)]
    assert [tuple(p.output.shape[1:3]) for p in pools] == [(14, 14), (7, 7), (3, 3)]
    convs = [layer for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    assert [c.filters for c in convs] == [64, 128, 128, 256, 256]
    assert model.get_layer("conv1").count_params() == ops.conv2d_params(7, 1, 64) == 3200
    assert model.get_layer("flatten").output.shape[1] == 3 * 3 * 256
    assert sum(isinstance(layer, keras.layers.Dropout) for layer in model.layers) == 2


def test_cnn_004_traced_in_chw_notation():
    model = models.cnn_004()
    assert tuple(model.get_layer("pool2").output.shape[1:]) == (7, 7, 32)
    assert model.get_layer("conv2").count_params() == ops.conv2d_params(3, 16, 32)
    assert [model.get_layer(n).units for n in ("fc1", "fc2", "fc3")] == [100, 50, 10]
    assert model.get_layer("fc1").count_params() == dense_params(7 * 7 * 32, 100)

