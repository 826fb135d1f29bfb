"""BackwardStepper without a browser: drive the slider, compare with cnncourse.ops."""
import os

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

from cnncourse import ops  # noqa: E402
from cnncourse.widgets import BackwardStepper  # noqa: E402

PNG_MAGIC = b"\x89PNG"
RNG = np.random.default_rng(11)
CASES = [
    dict(x=RNG.integers(-3, 4, (5, 6)).astype(float), w=RNG.integers(-2, 3, (3, 3)).astype(float),
         stride=1, padding=0),
    dict(x=RNG.normal(size=(7, 7)), w=RNG.normal(size=(3, 2)), stride=2, padding="same"),
    dict(x=RNG.integers(0, 5, (6, 6)).astype(float), w=RNG.integers(-1, 2, (2, 2)).astype(float),
         stride=2, padding=1),
]


@pytest.mark.parametrize("case", CASES)
def test_every_step_equals_conv2d_backward_of_the_dout_seen_so_far(case):
    st = BackwardStepper(case["x"], case["w"], stride=case["stride"], padding=case["padding"])
    pads = st.pads
    dout = st.dout
    n = dout.size
    for step in range(n):
        if step in (1, n // 2, n - 1):
            st.step.value = step                               # what a student does
            assert st.last_error is None and bytes(st.figure_view.value).startswith(PNG_MAGIC)
        seen = (np.arange(n) <= step).reshape(dout.shape)     # the backward pass is linear in dout
        dx, dw, db = ops.conv2d_backward(dout * seen, case["x"], case["w"],
                                         stride=case["stride"], padding=pads)
        np.testing.assert_allclose(st.partial_dw(step), dw, atol=1e-12)
        np.testing.assert_allclose(st.partial_dx(step), dx, atol=1e-12)
        assert st.partial_db(step) == pytest.approx(db[0])
    assert st.step.value == n - 1
    np.testing.assert_allclose(st.partial_dw(), dw, atol=1e-12)


def test_touches_are_the_window_and_the_kernel_times_the_current_dout():
    x = np.arange(1.0, 17.0).reshape(4, 4)
    w = np.array([[1.0, 0.0], [0.0, -1.0]])
    dout = np.arange(9.0).reshape(3, 3) - 4
    st = BackwardStepper(x, w, dout)
    st.step.value = 5                                          # output (1, 2)
    assert st.position() == (1, 2) and st.window() == (1, 2)
    t = st.touches()
    np.testing.assert_array_equal(t["dw"], dout[1, 2] * x[1:3, 2:4])
    np.testing.assert_array_equal(t["dx"], dout[1, 2] * w)
    assert t["db"] == 1.0
    np.testing.assert_array_equal(st.partial_dw(5) - st.partial_dw(4), t["dw"])
    assert "dout[1, 2] = <b>1</b>" in st.value_html.value
    assert "dw[u, v] += 1 × xpad[1 + u, 2 + v]" in st.formula_html.value
    st.step.value = st.step.max
    dx, dw, db = ops.conv2d_backward(dout, x, w)
    np.testing.assert_allclose(st.partial_dx(), dx)
    np.testing.assert_allclose(st.partial_dw(), dw)


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="2D input"):
        BackwardStepper(np.ones((4, 4, 1)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="dout has shape"):
        BackwardStepper(np.ones((4, 4)), np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="stride"):
        BackwardStepper(np.ones((4, 4)), np.ones((2, 2)), stride=0)
