"""cnncourse.training, cnncourse.inside, models.best_cpu_model and the training benchmark's report.

Model shapes and parameter counts are compared with the hand formulas of chapters 04-06
(ops.output_size, ops.conv2d_params); feature maps with ops.conv2d; nothing is trained on real data.
"""
from pathlib import Path

import numpy as np
import pytest
import keras

from cnncourse import inside, models, ops, training
from cnncourse.bench import training as bench_training

RNG = np.random.default_rng(0)


def dense_params(n_in, n_out, bias=True):
    return n_in * n_out + (n_out if bias else 0)


def bn_params(c):
    return 4 * c            # gamma, beta (trained) + moving mean, moving variance


def test_fashion_cnn_001_shapes_and_421642_params_by_hand():
    m = models.fashion_cnn_001()
    s1 = ops.output_size(28, 2, 2)                      # after pool1: 14
    s2 = ops.output_size(s1, 2, 2)                      # after pool2: 7
    expected = (ops.conv2d_params(3, 1, 32) + ops.conv2d_params(3, 32, 64)
                + dense_params(s2 * s2 * 64, 128) + dense_params(128, 10))
    assert expected == 421_642 == m.count_params()
    assert tuple(m.get_layer("pool2").output.shape[1:]) == (s2, s2, 64)
    assert m.get_layer("flatten").output.shape[-1] == 3136


@pytest.mark.parametrize("precision", ["float32", "mixed_bfloat16"])
def test_best_cpu_model_params_and_shapes_by_hand(precision):
    m = models.best_cpu_model(precision=precision)
    spec = models.BEST_CPU_SPEC
    # walk the spec with the hand formulas: (kind, arg) items, input 28x28x1
    h, c, total = 28, 1, 0
    for kind, arg in spec:
        if kind in ("conv", "conv_pool"):
            total += ops.conv2d_params(3, c, arg, use_bias=False) + bn_params(arg)
            c = arg
        if kind in ("pool", "conv_pool"):
            h = -(-h // 2)                              # 2x2 pooling with padding="same": ceil
    head = models.BEST_CPU_HEAD
    total += dense_params(h * h * c, head, bias=False) + bn_params(head) + dense_params(head, 10)
    assert m.count_params() == total
    assert tuple(m.get_layer("flatten").input.shape[1:]) == (h, h, c) == (7, 7, 64)
    assert tuple(m.output.shape) == (None, 10)
    assert m.get_layer("conv2").compute_dtype == precision.replace("mixed_", "")
    assert m.output.dtype == "float32"                  # the softmax stays float32


@pytest.mark.parametrize("spec", [models.BEST_CPU_SPEC, models.ONE_CONV_SPEC])
def test_multiply_adds_are_the_sum_over_the_built_layers(spec):
    # independent count from the built model: each Conv2D costs (output pixels) * 9 * C_in * C_out,
    # each Dense C_in * C_out
    m = models.best_cpu_model(spec=spec, precision="float32")
    total = 0
    for layer in m.layers:
        if isinstance(layer, keras.layers.Conv2D):
            kh, kw, cin, cout = layer.kernel.shape
            _, oh, ow, _ = layer.output.shape
            total += oh * ow * kh * kw * cin * cout
        elif isinstance(layer, keras.layers.Dense):
            total += layer.kernel.shape[0] * layer.kernel.shape[1]
    assert models.multiply_adds(spec) == total


def test_conv_pool_normalises_after_pooling():
    m = models.best_cpu_model(precision="float32")
    names = [l.name for l in m.layers]
    assert names.index("conv1") < names.index("pool1") < names.index("bn1") < names.index("relu1")
    assert tuple(m.get_layer("bn1").output.shape[1:]) == (14, 14, 16)


def test_recipes_per_precision_path():
    assert training.best_recipe("float32")["precision"] == "float32"
    bf16 = training.best_recipe("mixed_bfloat16")
    assert bf16["epochs"] >= training.best_recipe("float32")["epochs"]
    with pytest.raises(ValueError, match="float32"):
        training.best_recipe("float16")


def test_unknown_spec_item_is_refused():
    with pytest.raises(ValueError, match="conv_pool"):
        models.best_cpu_model(spec=(("conv", 8), ("dense", 3)))


@pytest.mark.parametrize("precision", ["float32", "mixed_bfloat16"])
def test_best_cpu_model_outputs_probabilities(precision):
    m = models.best_cpu_model(precision=precision)
    p = np.asarray(m(RNG.random((3, 28, 28, 1)).astype("float32"), training=False))
    assert p.shape == (3, 10) and np.allclose(p.sum(axis=1), 1, atol=1e-5) and (p >= 0).all() and p.dtype == np.float32


def test_prepare_scales_and_adds_channel_axis():
    x = RNG.integers(0, 256, (5, 28, 28)).astype("uint8")
    out = training.prepare(x)
    assert out.shape == (5, 28, 28, 1) and out.dtype == np.float32
    assert np.allclose(out[..., 0], x / 255.0)
    with pytest.raises(ValueError, match="expected images"):
        training.prepare(np.zeros(28))


def test_augmentation_flip_only_returns_image_or_mirror():
    aug = training.augmentation(flip=True, shift_px=0, seed=1)
    x = RNG.random((16, 28, 28, 1)).astype("float32")
    y = np.asarray(aug(x, training=True))
    for a, b in zip(x, y):
        assert np.allclose(a, b) or np.allclose(a[:, ::-1], b)
    assert np.allclose(np.asarray(aug(x, training=False)), x)


def test_augmentation_shift_moves_by_at_most_two_pixels():
    aug = training.augmentation(flip=False, shift_px=2, seed=3)
    x = np.zeros((8, 28, 28, 1), "float32")
    x[:, 13, 13, 0] = 1.0                               # one bright pixel in the middle
    y = np.asarray(aug(x, training=True))
    for img in y:
        r, c = np.unravel_index(np.argmax(img[..., 0]), (28, 28))
        assert abs(r - 13) <= 2 and abs(c - 13) <= 2


def test_warmup_cosine_shape():
    s = training.warmup_cosine(1e-2, 100, warmup_fraction=0.2, start_fraction=0.1)
    assert float(s(0)) == pytest.approx(1e-3)
    assert float(s(20)) == pytest.approx(1e-2)
    assert float(s(60)) == pytest.approx(0.5e-2, rel=1e-3)   # half-way down the cosine
    assert float(s(100)) == pytest.approx(0.0, abs=1e-8)


def tiny_model():
    keras.utils.set_random_seed(0)
    return keras.Sequential([
        keras.Input((8, 8, 1)),
        keras.layers.Conv2D(3, 3, padding="same", activation="relu", name="c1"),
        keras.layers.MaxPooling2D(2, name="p1"),
        keras.layers.Flatten(name="f"),
        keras.layers.Dense(4, activation="softmax", name="out")])


def test_evaluate_with_flip_averages_mirror_predictions():
    m = tiny_model()
    x = RNG.random((20, 8, 8, 1)).astype("float32")
    y = RNG.integers(0, 4, 20)
    acc, p = training.evaluate(m, x, y, flip=True)
    manual = (m.predict(x, verbose=0) + m.predict(x[:, :, ::-1], verbose=0)) / 2
    assert np.allclose(p, manual, atol=1e-6)
    assert acc == pytest.approx(np.mean(manual.argmax(1) == y))


def test_shift_moves_every_image_of_a_batch_pixel_by_pixel():
    x = RNG.random((3, 6, 6, 1)).astype("float32")
    for dy, dx in [(0, 1), (0, -1), (2, 0), (-1, -2)]:
        moved = ops.shift(x, dy, dx)
        assert moved.shape == x.shape
        for n, r, c in np.ndindex(3, 6, 6):
            src_r, src_c = r - dy, c - dx
            inside_ = 0 <= src_r < 6 and 0 <= src_c < 6
            assert moved[n, r, c, 0] == (x[n, src_r, src_c, 0] if inside_ else 0.0)


def test_evaluate_with_shifts_weights_unshifted_views_as_much_as_all_shifts():
    m = tiny_model()
    x = RNG.random((20, 8, 8, 1)).astype("float32")
    y = RNG.integers(0, 4, 20)
    acc, p = training.evaluate(m, x, y, flip=True, shift=1)
    both = lambda imgs: (m.predict(imgs, verbose=0) + m.predict(imgs[:, :, ::-1], verbose=0)) / 2
    shifted = [np.stack([ops.shift(im, dy, dx) for im in x]) for dy, dx in [(0, 1), (0, -1), (1, 0), (-1, 0)]]
    manual = 0.5 * both(x) + 0.125 * sum(both(s) for s in shifted)
    assert np.allclose(p, manual, atol=1e-6)
    assert acc == pytest.approx(np.mean(manual.argmax(1) == y))


def test_feature_maps_equal_ops_conv2d():
    m = tiny_model()
    x = RNG.random((8, 8, 1)).astype("float32")
    maps = inside.feature_maps(m, x)
    assert list(maps) == ["c1", "p1"] == inside.conv_layers(m)
    w, b = (np.asarray(v) for v in m.get_layer("c1").weights)
    expected = ops.relu(ops.conv2d(x, w, b, padding="same"))
    assert np.allclose(maps["c1"][0], expected, atol=1e-5)
    assert np.allclose(maps["p1"][0], ops.max_pool2d(expected, 2), atol=1e-5)
    with pytest.raises(ValueError, match="no layer named"):
        inside.feature_maps(m, x, ["nope"])


def test_occlusion_sensitivity_shape_and_values():
    m = tiny_model()
    x = RNG.random((8, 8, 1)).astype("float32")
    heat = inside.occlusion_sensitivity(m, x, label=2, patch=3, stride=2)
    n = ops.output_size(8, 3, 2)
    assert heat.shape == (n, n)
    hidden = x.copy()
    hidden[2:5, 4:7] = 0.0                              # position (1, 2)
    base = m.predict(x[None], verbose=0)[0, 2]
    assert heat[1, 2] == pytest.approx(base - m.predict(hidden[None], verbose=0)[0, 2], abs=1e-5)
    with pytest.raises(ValueError, match="patch"):
        inside.occlusion_sensitivity(m, x, 0, patch=9)


def test_grad_cam_is_a_normalized_map_of_the_layer_size():
    m = tiny_model()
    cam = inside.grad_cam(m, RNG.random((8, 8, 1)), "c1")
    assert cam.shape == (8, 8) and cam.min() >= 0 and cam.max() <= 1 + 1e-6
    # an all-zero or constant map is no heat map: the largest value is 1, and the map varies
    assert cam.max() == pytest.approx(1.0) and cam.std() > 0.05


def grad_cam_by_hand(m, x):
    """Grad-CAM of tiny_model at c1 in NumPy: the feature maps A from ops.conv2d, the gradient
    of the top softmax probability through Dense, Flatten and 2x2 max pooling by the chain
    rule, alpha_k = mean of that gradient over map k, cam = ReLU(sum_k alpha_k A^k) / max."""
    w, b = (np.asarray(v, float) for v in m.get_layer("c1").weights)
    wd, bd = (np.asarray(v, float) for v in m.get_layer("out").weights)
    a = ops.relu(ops.conv2d(np.asarray(x, float), w, b, padding="same"))     # (8, 8, 3)
    pooled = ops.max_pool2d(a, 2)                                            # (4, 4, 3)
    z = pooled.reshape(-1) @ wd + bd
    p = np.exp(z - z.max())
    p /= p.sum()
    c = int(np.argmax(p))
    dz = p[c] * ((np.arange(len(p)) == c) - p)              # d p_c / d z (softmax)
    dpooled = (wd @ dz).reshape(pooled.shape)                # through Dense and Flatten
    grads = np.stack([np.where(ops.kept_by_max_pool(a[:, :, k], 2),
                               np.kron(dpooled[:, :, k], np.ones((2, 2))), 0.0)
                      for k in range(a.shape[2])], axis=-1)  # max pooling routes to the max
    cam = ops.relu((a * grads.mean(axis=(0, 1))).sum(axis=-1))
    return cam / cam.max()


def test_grad_cam_equals_the_formula_computed_by_hand():
    m = tiny_model()
    for seed in range(3):
        x = np.random.default_rng(seed).random((8, 8, 1)).astype("float32")
        expected = grad_cam_by_hand(m, x)
        assert expected.std() > 0.05                        # a real map, not a flat one
        np.testing.assert_allclose(inside.grad_cam(m, x, "c1"), expected, atol=1e-4)


def test_shift_brightness_occlude():
    x = RNG.random((6, 6, 1)).astype("float32")
    s = ops.shift(x, 1, -2)
    assert np.allclose(s[1:, :4], x[:5, 2:]) and np.all(s[0] == 0) and np.all(s[:, 4:] == 0)
    assert np.allclose(ops.shift(x, 0, 0), x)
    assert np.allclose(ops.brightness(x, 0.5), x * 0.5)
    assert ops.brightness(x, 10).max() <= 1.0
    o = ops.occlude(x, 1, 2, 3)
    assert np.all(o[1:4, 2:5] == 0) and np.allclose(o[0], x[0])


def test_bench_report_table_and_target():
    res = {"seed_model": {"test_accuracy": 0.9, "train_seconds": 200.0, "params": 421642},
           "best_model": {"test_accuracy": 0.94, "train_seconds": 150.0, "params": 100000}}
    text = bench_training.report(res)
    assert "time ratio best/seed 0.75" in text
    assert "error ratio best/seed 0.60" in text
    assert "met" in text and "NOT met" not in text
    res["best_model"]["train_seconds"] = 250.0
    assert "NOT met" in bench_training.report(res)


def test_bench_report_names_machine_precision_and_spread():
    seed = bench_training._summary([{"test_accuracy": a, "train_seconds": t}
                                    for a, t in ((0.897, 180.0), (0.896, 200.0), (0.898, 170.0))])
    best = bench_training._summary([{"test_accuracy": a, "train_seconds": t}
                                    for a, t in ((0.936, 100.0), (0.938, 90.0), (0.937, 120.0))])
    assert seed["train_seconds"] == 180.0 and seed["seconds_range"] == [170.0, 200.0]
    assert best["test_accuracy"] == 0.937 and best["accuracy_range"] == [0.936, 0.938]
    res = {"machine": {"cpu": "Test CPU 9000", "cpus": 2, "flags": ["avx2", "fma"], "cpu_precision": "float32",
                       "backend": "tensorflow", "accelerators": [], "load_before": 0.1, "load_after": 0.2},
           "precision": "float32", "seed_model": dict(seed, params=421642), "best_model": dict(best, params=1),
           "ratios": {"time_paired": [0.55, 0.45, 0.7]}}
    text = bench_training.report(res)
    assert "Test CPU 9000" in text and "avx2 fma" in text and "load average 0.1" in text
    assert "precision path of best_model: float32;" in text          # the CPU's own path: not "forced"
    assert "0.9360..0.9380" in text and "170.0..200.0" in text and "3 runs" in text
    assert "time ratio best/seed 0.56 (paired per repeat 0.45..0.70)" in text   # 100 / 180
    res["machine"]["cpu_precision"] = "mixed_bfloat16"
    assert "float32 (forced)" in bench_training.report(res)
    assert "ONEDNN_MAX_CPU_ISA" not in bench_training.report(res)


def test_bench_machine_names_an_instruction_set_cap(monkeypatch):
    monkeypatch.setenv("ONEDNN_MAX_CPU_ISA", "AVX2")
    m = bench_training.machine()
    assert m["onednn_max_cpu_isa"] == "AVX2"
    assert "ONEDNN_MAX_CPU_ISA=AVX2: TensorFlow's oneDNN kernels use only" in bench_training.report({"machine": m})
    monkeypatch.delenv("ONEDNN_MAX_CPU_ISA")
    assert "onednn_max_cpu_isa" not in bench_training.machine()


def test_grad_cam_and_feature_maps_on_a_saved_and_loaded_model(tmp_path):
    m = tiny_model()
    path = tmp_path / "tiny.keras"
    m.save(path)
    loaded = keras.models.load_model(path)
    x = RNG.random((8, 8, 1)).astype("float32")
    assert np.allclose(inside.grad_cam(loaded, x, "c1"), inside.grad_cam(m, x, "c1"), atol=1e-5)
    assert np.allclose(inside.feature_maps(loaded, x)["p1"], inside.feature_maps(m, x)["p1"], atol=1e-6)


def test_shift_augmentation_is_training_only():
    # the sweep's shift_px option: a RandomTranslation layer after the flip, no weights, and at
    # prediction time the model computes exactly what the same weights compute without it
    plain = models.best_cpu_model(precision="float32")
    shifted = models.best_cpu_model(precision="float32", shift_px=1)
    assert "random_shift" in [l.name for l in shifted.layers] and shifted.count_params() == plain.count_params()
    shifted.set_weights(plain.get_weights())
    x = RNG.random((4, 28, 28, 1)).astype("float32")
    assert np.allclose(np.asarray(shifted(x, training=False)), np.asarray(plain(x, training=False)), atol=1e-6)


def test_the_adopted_sweep_row_is_what_the_package_trains():
    # benchmarks/sweep_float32.txt names two14_no4_lr2e-2 as adopted: its layout and recipe must be
    # models.BEST_CPU_SPEC / BEST_CPU_HEAD and training.BEST_RECIPES["float32"]
    import importlib.util
    path = Path(__file__).resolve().parents[1] / "benchmarks" / "sweep_float32.py"
    spec = importlib.util.spec_from_file_location("sweep_float32", path)
    sweep = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(sweep)
    layout, head, changes = sweep.CANDIDATES["two14_no4_lr2e-2"]
    assert layout == models.BEST_CPU_SPEC and head == models.BEST_CPU_HEAD
    recipe = dict(sweep.RECIPE0, **changes)
    assert not recipe.pop("ema") and not recipe.pop("shift_px")
    assert recipe == training.BEST_RECIPES["float32"]
    assert sweep.describe(layout) == "16|32,32|64|-"
