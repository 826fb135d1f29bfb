"""cnncourse.checks.ch11 (exercises 11): right answers pass with one OK line, on the notebook's
seed and on others (what the grader does), the usual mistakes raise an AssertionError a student
can act on, unfilled stubs raise NotImplementedError. The right answers are written independently
of the references (loops, TensorFlow's autodiff); the wrong ones are what students write."""
import numpy as np
import pytest

from cnncourse import ops
from cnncourse.checks import _common, ch11

tf = pytest.importorskip("tensorflow")


def conv_loops(x, w, b, stride=1):
    """Valid convolution, one output value at a time."""
    fh, fw, _, fn = w.shape
    oh, ow = (x.shape[1] - fh) // stride + 1, (x.shape[2] - fw) // stride + 1
    out = np.zeros((x.shape[0], oh, ow, fn))
    for i in range(oh):
        for j in range(ow):
            window = x[:, i * stride:i * stride + fh, j * stride:j * stride + fw, :]
            out[:, i, j, :] = np.tensordot(window, w, axes=3) + b
    return out


def tf_conv_backward(dout, x, w, stride=1):
    xv, wv = tf.Variable(x), tf.Variable(w)
    with tf.GradientTape() as tape:
        y = tf.nn.conv2d(xv, wv, stride, "VALID")
    dx, dw = tape.gradient(y, [xv, wv], output_gradients=tf.constant(dout))
    return dx.numpy(), dw.numpy(), dout.sum(axis=(0, 1, 2))


def tf_max_pool_backward(dout, x, pool_size=2):
    xv = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = tf.nn.max_pool2d(xv, pool_size, pool_size, "VALID")
    return tape.gradient(y, xv, output_gradients=tf.constant(dout)).numpy()


def centred(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        old = x[k]
        x[k] = old + h
        f_plus = f(x)
        x[k] = old - h
        grad[k] = (f_plus - f(x)) / (2 * h)
        x[k] = old
    return grad


def no_flip_backward(dout, x, w, stride=1):
    """dx as a 'full' correlation with the kernel NOT flipped (the classic mistake)."""
    dx, dw, db = ops.conv2d_backward(dout, x, w, stride)
    fh, fw = w.shape[:2]
    if stride == 1:
        dx = ops.conv2d(ops.pad2d(dout, ((fh - 1, fh - 1), (fw - 1, fw - 1))),
                        w.transpose(0, 1, 3, 2))
    return dx, dw, db


def forward_difference(f, x, h=1e-5):
    grad = np.zeros_like(x)
    base = f(x)
    for k in np.ndindex(x.shape):
        old = x[k]
        x[k] = old + h
        grad[k] = (f(x) - base) / h
        x[k] = old
    return grad


def forgets_to_restore(f, x, h=1e-5):
    grad = np.zeros_like(x)
    for k in np.ndindex(x.shape):
        old = x[k]
        x[k] = old + h
        f_plus = f(x)
        x[k] = old - h
        grad[k] = (f_plus - f(x)) / (2 * h)
    return grad


RIGHT = [
    (ch11.check_conv2d_im2col, conv_loops),
    (ch11.check_conv2d_backward, tf_conv_backward),
    (ch11.check_max_pool2d_backward, tf_max_pool_backward),
    (ch11.check_numerical_gradient, centred),
]

WRONG = [   # (check, answer, what the message must mention)
    (ch11.check_conv2d_im2col, lambda x, w, b, s=1: ops.conv2d(x, w, b), "stride=2"),
    (ch11.check_conv2d_im2col,                                    # columns in (c, u, v) order
     lambda x, w, b, s=1: ops.conv2d_im2col(x, w.transpose(2, 0, 1, 3).reshape(w.shape), b,
                                            stride=s), "(u, v, c)"),
    (ch11.check_conv2d_backward, no_flip_backward, "FLIPPED"),
    (ch11.check_conv2d_backward,
     lambda d, x, w, s=1: ops.conv2d_backward(d, x, w, s)[:2] + (d.sum(),), "db"),
    (ch11.check_conv2d_backward, lambda d, x, w, s=1: ops.conv2d_backward(d, x, w, s)[:2],
     "(dx, dw, db)"),
    (ch11.check_max_pool2d_backward,                              # spread like average pooling
     lambda d, x, p=2: ops.avg_pool2d_backward(d, x, p) * p * p, "ONE cell"),
    (ch11.check_numerical_gradient, forward_difference, "Centred"),
    (ch11.check_numerical_gradient, forgets_to_restore, "PUT x[k] = old BACK"),
]


@pytest.mark.parametrize("check, answer", RIGHT, ids=[c.__name__ for c, _ in RIGHT])
def test_right_answers_pass_with_one_ok_line(check, answer, capsys):
    check(answer)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith(check.__name__.replace("check_", "") + ": OK (")


@pytest.mark.parametrize("check, answer, mention", WRONG,
                         ids=[f"{c.__name__}-{m}" for c, _, m in WRONG])
def test_wrong_answers_raise_a_message_to_act_on(check, answer, mention):
    with pytest.raises(AssertionError) as err:
        check(answer)
    text = str(err.value)
    assert text.startswith(check.__name__.replace("check_", "") + ":")
    assert "case:" in text and "hint:" in text and mention in text


@pytest.mark.parametrize("check, answer", RIGHT, ids=[c.__name__ for c, _ in RIGHT])
def test_right_answers_pass_on_the_cases_of_another_seed(check, answer, capsys):
    exercise = ch11.EXERCISES[check.__name__.replace("check_", "")]
    labels = []
    for seed in (12345, 987654):
        assert _common.check(exercise, answer, seed=seed) >= len(exercise.cases(seed))
        labels.append([c.label for c in exercise.cases(seed)])
    assert labels[0][0] == labels[1][0] and labels[0][1:] != labels[1][1:]
    capsys.readouterr()


@pytest.mark.parametrize("check", [c for c, _ in RIGHT], ids=[c.__name__ for c, _ in RIGHT])
def test_unfilled_stubs_raise_not_implemented(check):
    def stub(*args, **kwargs):
        raise NotImplementedError("stub: not implemented yet")
    with pytest.raises(NotImplementedError):
        check(stub)


def test_the_worked_examples_are_in_the_checks():
    assert ops.conv2d(ch11.EXAMPLE_X, ch11.EXAMPLE_W).ravel().tolist() == [8, 8, 8, 8]
    np.testing.assert_array_equal(
        ops.max_pool2d_backward(np.array([[10.0, 20.0], [30.0, 40.0]])[None, :, :, None],
                                ch11.EXAMPLE_POOL_X)[0, :, :, 0],
        [[0, 10, 0, 0], [0, 0, 20, 0], [0, 0, 0, 0], [30, 0, 40, 0]])
