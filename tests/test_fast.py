"""cnncourse.fast: FusedBatchNorm against keras.layers.BatchNormalization, and the CPU precision probe."""
import numpy as np
import pytest
import keras
import tensorflow as tf

from cnncourse.fast import FusedBatchNorm, cpu_precision

RNG = np.random.default_rng(0)


def twin_layers(channels=5):
    """A FusedBatchNorm and a Keras BatchNormalization with the same random gamma/beta/statistics."""
    fused, ref = FusedBatchNorm(), keras.layers.BatchNormalization()
    fused.build((None, 4, 4, channels))
    ref.build((None, 4, 4, channels))
    gamma, beta = RNG.normal(1, 0.3, channels), RNG.normal(0, 0.3, channels)
    mean, var = RNG.normal(0, 1, channels), RNG.uniform(0.5, 2, channels)
    ref.set_weights([gamma, beta, mean, var])              # Keras' order: gamma, beta, mean, variance
    fused.gamma.assign(gamma); fused.beta.assign(beta)
    fused.moving_mean.assign(mean); fused.moving_variance.assign(var)
    return fused, ref


def test_inference_equals_keras_batch_normalization():
    fused, ref = twin_layers()
    x = RNG.normal(2, 3, (6, 4, 4, 5)).astype("float32")
    assert np.allclose(fused(x, training=False), ref(x, training=False), atol=1e-5)


def test_training_output_moving_statistics_and_gradients_equal_keras():
    fused, ref = twin_layers()
    x = tf.constant(RNG.normal(2, 3, (6, 4, 4, 5)).astype("float32"))
    up = tf.constant(RNG.normal(0, 1, (6, 4, 4, 5)).astype("float32"))   # a random upstream gradient
    grads = []
    for layer in (fused, ref):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x, training=True)
            loss = tf.reduce_sum(y * up)
        grads.append((y, tape.gradient(loss, [x, layer.trainable_weights[0], layer.trainable_weights[1]])))
    (y_f, g_f), (y_r, g_r) = grads
    assert np.allclose(y_f, y_r, atol=1e-4)
    for a, b in zip(g_f, g_r):                              # d/dx, d/dgamma, d/dbeta
        assert np.allclose(a, b, atol=1e-3)
    assert np.allclose(fused.moving_mean, ref.moving_mean, atol=1e-5)
    assert np.allclose(fused.moving_variance, ref.moving_variance, atol=1e-5)


def test_bfloat16_inputs_keep_float32_statistics():
    layer = FusedBatchNorm(dtype="mixed_bfloat16")
    x = RNG.normal(0, 1, (8, 3, 3, 4)).astype("float32")
    y = layer(x, training=True)
    assert y.dtype == tf.bfloat16
    assert all(w.dtype == "float32" for w in layer.weights)
    batch = x.reshape(-1, 4)
    assert np.allclose(np.asarray(tf.cast(y, "float32")).reshape(-1, 4).mean(0), 0, atol=0.05)
    assert np.allclose(layer.moving_mean, 0.01 * batch.mean(0), atol=1e-3)


def test_saved_and_loaded_model_predicts_the_same(tmp_path):
    model = keras.Sequential([keras.Input((4, 4, 2)), keras.layers.Conv2D(3, 3), FusedBatchNorm(),
                              keras.layers.Flatten(), keras.layers.Dense(2)])
    x = RNG.normal(0, 1, (5, 4, 4, 2)).astype("float32")
    model(x, training=True)                                # move the statistics away from 0 / 1
    model.save(tmp_path / "m.keras")
    loaded = keras.models.load_model(tmp_path / "m.keras")
    assert np.allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=1e-6)


def test_rejects_inputs_that_are_not_feature_maps():
    with pytest.raises(ValueError, match=r"\(N, H, W, C\)"):
        FusedBatchNorm()(np.zeros((3, 4), "float32"))


@pytest.mark.parametrize("flags, expected", [
    ("fpu sse avx2 avx512f avx512_bf16", "mixed_bfloat16"),
    ("fpu sse amx_bf16 amx_tile", "mixed_bfloat16"),
    ("fpu sse avx2 fma", "float32"),
])
def test_cpu_precision_reads_the_flags(tmp_path, flags, expected):
    info = tmp_path / "cpuinfo"
    info.write_text(f"processor\t: 0\nflags\t\t: {flags}\n\nprocessor\t: 1\nflags\t\t: {flags}\n")
    assert cpu_precision(info) == expected


def test_cpu_precision_without_cpuinfo_is_float32(tmp_path):
    assert cpu_precision(tmp_path / "missing") == "float32"
