"""Every Keras backend: cnncourse.backend's helpers, batch norm by backend, and the models / training /
inside tests and notebook 08's model cells once more under KERAS_BACKEND=jax (in a fresh process:
the backend is chosen when keras is first imported).

The in-process tests run under whatever backend this process has (TensorFlow in `make test`, JAX in
the subprocess below): gradients are compared with the derivative written out by hand, batch norm
with the formula, and the JAX run with the same tests the TensorFlow run passes.
"""
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest
import keras

from cnncourse import backend, fast, models

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.default_rng(0)
IN_JAX_RUN = ["tests/test_models.py", "tests/test_training.py", "tests/test_backends.py"]


def test_name_is_the_keras_backend():
    assert backend.name() == keras.backend.backend() in ("tensorflow", "jax", "torch")


def test_accelerators_is_a_list_of_names():
    found = backend.accelerators()
    assert isinstance(found, list) and all(isinstance(a, str) for a in found)


def test_gradient_of_a_quadratic_form_is_the_hand_derivative():
    a = RNG.normal(size=(4, 4)).astype("float32")
    x = RNG.normal(size=(3, 4)).astype("float32")
    # f(x) = sum_ij x_i A x_j^T ... take f(x) = sum((x @ A) * x): df/dx = x @ (A + A^T)
    value, grad = backend.gradient(lambda t: keras.ops.sum(keras.ops.matmul(t, a) * t), x)
    assert np.isclose(float(value), float(np.sum((x @ a) * x)), rtol=1e-5)
    assert np.allclose(grad, x @ (a + a.T), atol=1e-5)


def test_gradient_through_keras_layers_matches_the_chain_rule():
    dense = keras.layers.Dense(3, activation="relu")
    x = RNG.normal(size=(5, 4)).astype("float32")
    dense.build((None, 4))
    w, b = (keras.ops.convert_to_numpy(v) for v in dense.weights)
    _, grad = backend.gradient(lambda t: keras.ops.sum(dense(t)), x)
    active = (x @ w + b) > 0                                 # d relu(z) / dz = 1 where z > 0
    assert np.allclose(grad, active.astype("float32") @ w.T, atol=1e-5)


def test_grad_cam_equals_the_hand_gradient_of_a_linear_head():
    # conv -> global average pooling -> Dense (no softmax): d score_c / d A_ijk = W[k, c] / (H' W'),
    # so alpha_k = W[k, c] / (H' W') and cam = relu(sum_k alpha_k A_k), scaled to [0, 1]
    from cnncourse import inside
    m = keras.Sequential([keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, name="c1"),
                          keras.layers.GlobalAveragePooling2D(name="gap"), keras.layers.Dense(3, name="out")])
    x = RNG.random((8, 8, 1)).astype("float32")
    a = inside.feature_maps(m, x, ["c1"])["c1"][0]                     # (6, 6, 4)
    w = keras.ops.convert_to_numpy(m.get_layer("out").kernel)          # (4, 3)
    for c in range(3):
        cam = np.maximum((a * (w[:, c] / 36)).sum(axis=-1), 0)
        expected = cam / cam.max() if cam.max() > 0 else cam
        assert np.allclose(inside.grad_cam(m, x, "c1", class_index=c), expected, atol=1e-5)


def test_batch_norm_is_fused_only_on_tensorflow():
    layer = fast.batch_norm()
    assert isinstance(layer, keras.layers.BatchNormalization)
    assert isinstance(layer, fast.FusedBatchNorm) == (backend.name() == "tensorflow")


def test_fused_batch_norm_runs_the_batch_norm_formula_on_this_backend():
    layer = fast.FusedBatchNorm(momentum=0.9)
    x = RNG.normal(2, 3, (6, 4, 4, 5)).astype("float32")
    y = keras.ops.convert_to_numpy(layer(x, training=True))
    mean, var = x.reshape(-1, 5).mean(0), x.reshape(-1, 5).var(0)
    assert np.allclose(y, (x - mean) / np.sqrt(var + 1e-3), atol=1e-4)
    assert np.allclose(keras.ops.convert_to_numpy(layer.moving_mean), 0.1 * mean, atol=1e-5)
    assert np.allclose(keras.ops.convert_to_numpy(layer.moving_variance), 0.9 + 0.1 * var, atol=1e-4)


def test_best_model_trains_one_step_and_round_trips_through_a_file(tmp_path):
    m = models.best_cpu_model(precision="float32")
    m.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    x, y = RNG.random((8, 28, 28, 1)).astype("float32"), RNG.integers(0, 10, 8)
    loss = m.train_on_batch(x, y)
    assert np.isfinite(float(np.ravel(loss)[0]))
    m.save(tmp_path / "best.keras")
    loaded = keras.models.load_model(tmp_path / "best.keras")
    assert np.allclose(loaded.predict(x, verbose=0), m.predict(x, verbose=0), atol=1e-5)


def _run_under(backend_name, args, timeout, cwd=ROOT, **extra_env):
    env = dict(os.environ, **extra_env, KERAS_BACKEND=backend_name, MPLBACKEND="Agg", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
                          cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def _jax_available():
    try:
        import jax  # noqa: F401
        return True
    except ImportError:
        return False


needs_jax = pytest.mark.skipif(not _jax_available(), reason="jax is not installed (pip install -e .[dev])")


@pytest.mark.slow
@needs_jax
@pytest.mark.skipif(keras.backend.backend() == "jax", reason="this is the JAX run itself")
def test_models_training_and_inside_tests_pass_under_jax():
    proc = _run_under("jax", IN_JAX_RUN, timeout=900)
    assert proc.returncode == 0, f"under KERAS_BACKEND=jax:\n{proc.stdout[-6000:]}\n{proc.stderr[-2000:]}"
    assert re.search(r"\d+ passed", proc.stdout)


@pytest.mark.slow
@needs_jax
@pytest.mark.skipif(keras.backend.backend() == "jax", reason="run from the TensorFlow suite")
def test_notebook_08_model_cells_under_jax(tmp_path):
    """Notebook 08 top to bottom under JAX, with 001's 10 epochs cut to 2 (the same cells otherwise)."""
    nb = nbformat.read(ROOT / "notebooks" / "08_fashion_mnist.ipynb", as_version=4)
    fits = [c for c in nb.cells if c.cell_type == "code" and "epochs=10" in c.source]
    assert len(fits) == 1, "notebook 08 trains 001's model in one cell with epochs=10"
    fits[0].source = fits[0].source.replace("epochs=10", "epochs=2")   # 2: a cell compares the last two epochs
    folder = tmp_path / "notebooks"
    folder.mkdir()
    nbformat.write(nb, folder / "08_fashion_mnist.ipynb")
    # 2 epochs and another backend give other numbers than the text states: the claims print
    # their difference (CNNCOURSE_CLAIMS=report) instead of stopping the run; this test is about
    # the code running on JAX, the full TensorFlow run in test_notebooks asserts the numbers
    proc = _run_under("jax", ["--nbval-lax", "--nbval-current-env", "--nbval-cell-timeout=600",
                              str(folder / "08_fashion_mnist.ipynb")], timeout=900, cwd=folder,
                      CNNCOURSE_CLAIMS="report")
    assert proc.returncode == 0, f"notebook 08 under KERAS_BACKEND=jax:\n{proc.stdout[-6000:]}"


@pytest.mark.slow
@needs_jax
@pytest.mark.skipif(keras.backend.backend() == "jax", reason="saves here, loads under JAX")
def test_a_model_saved_here_loads_and_predicts_the_same_under_jax(tmp_path):
    m = models.best_cpu_model(precision="float32")
    x = RNG.random((6, 28, 28, 1)).astype("float32")
    for _ in range(3):
        m(x, training=True)                               # move the batch-norm statistics off 0 / 1
    m.save(tmp_path / "best.keras")
    np.save(tmp_path / "x.npy", x)
    np.save(tmp_path / "p.npy", m.predict(x, verbose=0))
    code = ("import numpy as np, keras, cnncourse.models; "
            f"m = keras.models.load_model({str(tmp_path / 'best.keras')!r}); "
            f"x, p = np.load({str(tmp_path / 'x.npy')!r}), np.load({str(tmp_path / 'p.npy')!r}); "
            "print(keras.backend.backend(), float(np.abs(m.predict(x, verbose=0) - p).max()))")
    env = dict(os.environ, KERAS_BACKEND="jax", TF_CPP_MIN_LOG_LEVEL="2",
               PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    name, diff = proc.stdout.split()[-2:]
    assert name == "jax" and float(diff) < 1e-5
