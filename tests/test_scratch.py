"""cnncourse.scratch (the NumPy CNN, fit_kernel, the optimizers) against Keras/TF, the plots of
notebook 11, and the reports of bench ops / parallel / gpu."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnncourse import ops, scratch, scratch_plots  # noqa: E402
from cnncourse.bench import gpu, parallel  # noqa: E402
from cnncourse.bench import ops as bench_ops  # noqa: E402

tf = pytest.importorskip("tensorflow")
keras = pytest.importorskip("keras")


def small_batch(n=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.random((n, 28, 28, 1)).astype(np.float32), rng.integers(0, 10, n)


def test_cnn_gradients_equal_tf_gradient_tape_of_the_keras_twin():
    params = scratch.init_params(seed=1, filters=4)
    x, y = small_batch()
    logits, cache = scratch.forward(params, x)
    loss, dlogits = scratch.softmax_cross_entropy(logits, y)
    grads = scratch.backward(params, cache, dlogits)
    model = scratch.keras_twin(params)
    with tf.GradientTape() as tape:
        k_logits = model(x)
        k_loss = model.loss(y, k_logits)
    k_grads = tape.gradient(k_loss, model.trainable_variables)
    np.testing.assert_allclose(logits, k_logits.numpy(), rtol=1e-4, atol=1e-5)
    assert loss == pytest.approx(float(k_loss), rel=1e-5)
    for name, g in zip(("W1", "b1", "W2", "b2"), k_grads):
        assert grads[name].shape == params[name].shape
        np.testing.assert_allclose(grads[name], g.numpy(), rtol=1e-3, atol=1e-6)


def test_adam_and_sgd_steps_equal_keras_optimizers():
    rng = np.random.default_rng(2)
    params = {"a": rng.standard_normal((3, 4)).astype(np.float32)}
    for ours, theirs in ((scratch.Adam(0.01), keras.optimizers.Adam(0.01, epsilon=1e-7)),
                         (scratch.SGD(0.1), keras.optimizers.SGD(0.1))):
        p = {"a": params["a"].copy()}
        var = keras.Variable(params["a"].copy())
        for step in range(3):
            g = rng.standard_normal((3, 4)).astype(np.float32)
            ours.step(p, {"a": g})
            theirs.apply_gradients([(keras.ops.convert_to_tensor(g), var)])
        np.testing.assert_allclose(p["a"], var.numpy(), rtol=1e-5, atol=1e-6)


def test_softmax_cross_entropy_equals_keras_and_its_gradient_is_p_minus_onehot():
    rng = np.random.default_rng(3)
    logits, y = rng.standard_normal((5, 10)) * 3, rng.integers(0, 10, 5)
    loss, dz = scratch.softmax_cross_entropy(logits, y)
    k = keras.losses.SparseCategoricalCrossentropy(from_logits=True)(y, logits)
    assert loss == pytest.approx(float(k), rel=1e-6)
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(dz, (p - np.eye(10)[y]) / 5, rtol=1e-6)


def test_training_on_the_same_batches_follows_keras_step_by_step():
    x, y = small_batch(64, seed=4)
    p0 = scratch.init_params(seed=0, filters=4)
    batches = [np.arange(i, i + 16) for i in range(0, 64, 16)]
    model = scratch.keras_twin(p0, "sgd", 0.1)
    params = {k: v.copy() for k, v in p0.items()}
    hist = scratch.train(params, (x, y), (x[:8], y[:8]), epochs=1,
                         optimizer=scratch.SGD(0.1), batches=batches)
    keras_losses = [float(model.train_on_batch(x[b], y[b])) for b in batches]
    np.testing.assert_allclose(hist["step_loss"], keras_losses, rtol=1e-4)
    for name, w in zip(("W1", "b1", "W2", "b2"), model.get_weights()):
        np.testing.assert_allclose(params[name], w, rtol=1e-4, atol=1e-5)
    assert len(hist["test_accuracy"]) == 1 and 0 <= hist["test_accuracy"][0] <= 1


def test_fit_kernel_recovers_a_kernel():
    rng = np.random.default_rng(5)
    x = rng.standard_normal((4, 12, 12))
    true = rng.standard_normal((3, 3))
    target = ops.conv2d(x[..., None], true[:, :, None, None])[..., 0]
    result = scratch.fit_kernel(x, target, steps=400, lr=0.05)
    np.testing.assert_allclose(result["kernel"], true, atol=1e-3)
    assert result["loss"][-1] < 1e-4 * result["loss"][0]
    assert sorted(result["snapshots"]) == [0, 10, 30, 100, 400]


def test_scratch_plots_draw():
    x = np.arange(1.0, 17.0).reshape(4, 4)
    w = np.array([[1.0, 0.0, -1.0]] * 3)
    figs = [scratch_plots.draw_im2col(x, w, padding="same"),
            scratch_plots.draw_conv_backward(x, w, np.ones((2, 2))),
            scratch_plots.draw_maxpool_routing(x, np.array([[1.0, 2.0], [3.0, 4.0]])),
            scratch_plots.plot_loss_agreement([2.3, 2.1], [2.3, 2.1001]),
            scratch_plots.plot_timings({"a": 1.0, "b": 10.0})]
    hist = {"step_loss": list(np.linspace(2, 0.5, 20)), "loss": [1.5, 0.7],
            "accuracy": [0.6, 0.8], "test_accuracy": [0.7, 0.82]}
    figs.append(scratch_plots.plot_scratch_training(hist))
    res = {"loss": np.linspace(1, 0.01, 30), "snapshots": {0: w, 30: w}}
    figs.append(scratch_plots.plot_kernel_learning(res, w, others={"sgd": res}))
    assert all(len(f.axes) >= 1 for f in figs)
    # the max-pool picture outlines exactly the 4 winners
    assert len(figs[2].axes[0].patches) == 4
    plt.close("all")
    with pytest.raises(ValueError, match="2D image"):
        scratch_plots.draw_im2col(np.ones((4, 4, 1)), w)


def test_bench_reports():
    rows = {"conv2d (ours, vectorised)": 0.01, "tf.nn.conv2d": 0.02, "max_pool2d (ours)": 0.001,
            "tf.nn.max_pool2d": 0.002, "conv2d_backward (ours)": 0.05,
            "TF gradient of tf.nn.conv2d": 0.025}
    text = bench_ops.format_table(rows)
    assert "backward ratio ours / TF: 2.00x" in text
    record = gpu.json.loads(gpu.RECORD.read_text())
    table = gpu.table(record)
    assert record["machine"]["gpu"] and "GPU" in table and "CPU 1 thr" in table
    assert {r["n"] for r in record["rows"]} == {32, 256}
    measured = parallel.measure(repeat=1, loop=False, tf=False, threads=(1,))
    assert set(measured) == {"conv2d (NumPy), 1 thread", "conv2d_im2col (NumPy), 1 thread"}
    assert all(ms > 0 for ms in measured.values())
