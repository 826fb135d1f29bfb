"""cnncourse.checks: right answers pass with one OK line, wrong ones raise an AssertionError a
student can act on, unfilled stubs raise NotImplementedError, and the documents' worked
examples are inside the checks. The right answers here are written independently of the
references the checks use (loops, scipy, TensorFlow, Keras models built by hand, the numbers
of the documents), so a wrong reference in cnncourse is caught; the wrong ones are the
mistakes students make (flipped kernel, off-by-one, reshape for transpose)."""
import math

import numpy as np
import pytest
import scipy.signal

from cnncourse import models, ops
from cnncourse.checks import CHAPTERS, _common, ch02, ch03, ch04, ch05, ch06, ch07, ch08

# ----------------------------------------------------------------------------- right answers
SOBEL_X = np.array([[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]], float)      # document 003, as printed
SOBEL_Y = np.array([[-1, -2, -1], [0, 0, 0], [1, 2, 1]], float)


def correlate(x, k):
    """Valid cross-correlation of one channel, by scipy."""
    return scipy.signal.correlate2d(np.asarray(x, float), np.asarray(k, float), mode="valid")


def conv1d_loop(x, w, b=0.0):
    return np.array([sum(x[i + k] * w[k] for k in range(len(w)))
                     for i in range(len(x) - len(w) + 1)]) + b


def sobel(image):
    return np.hypot(correlate(image, SOBEL_X), correlate(image, SOBEL_Y))


def pad_image(x, p, mode="zeros"):
    return np.pad(x, p, mode={"zeros": "constant", "replicate": "edge"}[mode])


def positions(n, f, s=1, p=0):
    """How many kernel positions fit: counted, not computed from the formula."""
    return len(range(0, n + 2 * p - f + 1, s))


def same_padding(n, k, s=1):
    """The smallest total padding that gives ceil(n / s) positions, split as TF splits it."""
    total = next(t for t in range(k + 1) if len(range(0, n + t - k + 1, s)) >= math.ceil(n / s))
    return total // 2, total - total // 2


def conv2d_same(x, k):
    """TensorFlow's own 'SAME' convolution, in float64."""
    import tensorflow as tf
    out = tf.nn.conv2d(x[None, :, :, None].astype("float64"), k[:, :, None, None].astype("float64"),
                       1, "SAME")
    return out.numpy()[0, :, :, 0]


def pool_by_hand(x, p=2, s=None, reduce=np.max):
    s = p if s is None else s
    return np.array([[[reduce(x[i:i + p, j:j + p, c]) for c in range(x.shape[2])]
                      for j in range(0, x.shape[1] - p + 1, s)]
                     for i in range(0, x.shape[0] - p + 1, s)])


def conv2d_multi(x, w, b):
    return np.stack([sum(correlate(x[:, :, c], w[:, :, c, f]) for c in range(x.shape[2])) + b[f]
                     for f in range(w.shape[3])], axis=-1)


def conv2d_nchw(x, w, b):
    return np.array([[sum(correlate(image[c], w[f, c]) for c in range(x.shape[1])) + b[f, 0, 0]
                      for f in range(w.shape[0])] for image in x])


def lenet_feature_shapes(size=28):
    c3 = size // 2 - 4                                  # C1 'same' keeps size, S2 halves
    return [(size, size, 6), (size // 2, size // 2, 6), (c3, c3, 16), (c3 // 2, c3 // 2, 16),
            (c3 // 2 - 4, c3 // 2 - 4, 120)]


def lenet5_by_hand():
    import keras
    from keras import layers
    return keras.Sequential([keras.Input((28, 28, 1)), layers.Conv2D(6, 5, padding="same"),
                             layers.AveragePooling2D(2), layers.Conv2D(16, 5),
                             layers.AveragePooling2D(2), layers.Conv2D(120, 5), layers.Flatten(),
                             layers.Dense(84), layers.Dense(10, activation="softmax")])


def cnn_001_by_hand():
    import keras
    from keras import layers
    return keras.Sequential([keras.Input((28, 28, 1)),
                             layers.Conv2D(32, 3, padding="same", activation="relu"),
                             layers.MaxPooling2D(2),
                             layers.Conv2D(64, 3, padding="same", activation="relu"),
                             layers.MaxPooling2D(2), layers.Flatten(),
                             layers.Dense(128, activation="relu"),
                             layers.Dense(10, activation="softmax")])


RIGHT = [
    (ch02.check_conv1d, [conv1d_loop]),
    (ch02.check_cross_correlate2d, [correlate]),
    (ch02.check_sobel_magnitude, [sobel]),
    (ch03.check_pad_image, [pad_image]),
    (ch03.check_same_padding, [same_padding]),
    (ch03.check_conv2d_same, [conv2d_same]),
    (ch04.check_output_size, [positions]),
    (ch04.check_conv2d_strided, [lambda x, k, s=1: correlate(x, k)[::s, ::s]]),
    (ch04.check_conv_output_shape, [lambda shape, f, k, s=1, p=0: (
        positions(shape[0], k, s, p), positions(shape[1], k, s, p), f)]),
    (ch05.check_max_pool, [lambda x, p=2, s=None: pool_by_hand(x, p, s, np.max)]),
    (ch05.check_avg_pool, [lambda x, p=2, s=None: pool_by_hand(x, p, s, np.mean)]),
    (ch05.check_pooled_shape, [lambda shape, p=2, s=None: (
        positions(shape[0], p, s or p), positions(shape[1], p, s or p), shape[2])]),
    (ch06.check_conv2d_multi, [conv2d_multi]),
    (ch06.check_conv2d_params, [lambda f, c, k: (f * f * c + 1) * k]),
    (ch06.check_layouts, [lambda x: np.moveaxis(x, -1, -3), lambda x: np.moveaxis(x, -3, -1)]),
    (ch06.check_conv2d_nchw, [conv2d_nchw]),
    (ch07.check_lenet_feature_shapes, [lenet_feature_shapes]),
    (ch07.check_lenet_layer_params, [lambda: [156, 2416, 48120, 10164, 850]]),   # document 003
    (ch07.check_build_lenet5, [lenet5_by_hand]),
    (ch08.check_prepare_images, [lambda x: x[..., None].astype("float32") / np.float32(255)]),
    (ch08.check_build_model, [cnn_001_by_hand]),
    (ch08.check_predict_classes, [lambda m, x: np.argmax(np.asarray(m(x)), axis=1)]),
]

WRONG = [   # (check, answers, what the message must mention)
    (ch02.check_conv1d, [lambda x, w, b=0.0: np.convolve(x, w, "valid") + b], "wrong values"),
    (ch02.check_conv1d, [lambda x, w, b=0.0: ops.conv1d(x, w)], "b="),           # forgot the bias
    (ch02.check_cross_correlate2d, [lambda x, k: ops.conv2d(x, k[::-1, ::-1])], "wrong values"),
    (ch02.check_sobel_magnitude, [lambda im: np.abs(correlate(im, SOBEL_X))], "camera"),
    (ch03.check_pad_image, [lambda x, p, mode="zeros": ops.pad2d(x, p)], "replicate"),
    (ch03.check_same_padding, [lambda n, k, s=1: ((k - 1) - (k - 1) // 2, (k - 1) // 2)], "stride"),
    (ch03.check_conv2d_same, [lambda x, k: ops.conv2d(x, k, padding=k.shape[0] // 2)], "shape"),
    (ch04.check_output_size, [lambda n, k, s=1, p=0: (n - k + 2 * p) / s + 1], "floor"),
    (ch04.check_conv2d_strided, [lambda x, k, s=1: ops.conv2d(x, k)[::s, ::s][:-1]], "stride="),
    (ch04.check_conv_output_shape, [lambda shape, f, k, s=1, p=0: (
        ops.output_size(shape[0], k, s, p), ops.output_size(shape[1], k, s, p), shape[2])],
     "filters"),
    (ch05.check_max_pool, [lambda x, p=2, s=None: ops.max_pool2d(x, p, 1)], "pool_size"),
    (ch05.check_avg_pool, [ops.max_pool2d], "mean"),
    (ch05.check_pooled_shape, [lambda shape, p=2, s=None: (shape[0] // 2, shape[1] // 2, shape[2])],
     "pool_size"),
    (ch06.check_conv2d_multi, [lambda x, w, b: ops.conv2d(x, w)], "bias"),      # forgot b
    (ch06.check_conv2d_params, [lambda f, c, k: f * f * c * k], "760"),
    (ch06.check_layouts, [lambda x: x.reshape(x.shape[:-3] + (x.shape[-1],) + x.shape[-3:-1]),
                          ops.to_channels_last], "transpose"),
    (ch06.check_conv2d_nchw, [lambda x, w, b: ops.conv2d(x, w, data_format="channels_first")],
     "b shape"),
    (ch07.check_lenet_feature_shapes, [lambda size=28: lenet_feature_shapes(size)[:4]],
     "C5"),
    (ch07.check_lenet_layer_params, [lambda: [156, 2416, 48120, 10080, 840]], "(inputs + 1)"),
    (ch07.check_build_lenet5, [models.fashion_cnn_001], "LeNet-5"),
    (ch08.check_prepare_images, [lambda x: x.reshape(-1, 28, 28, 1).astype("float32")], "255"),
    (ch08.check_build_model, [models.lenet5], "001"),
    (ch08.check_predict_classes, [lambda m, x: np.argmin(m.predict(x, verbose=0), axis=1)],
     "argmax"),
]


def name_of(check):
    return check.__name__.replace("check_", "")


@pytest.mark.parametrize("check,answers", RIGHT, ids=[name_of(c) for c, _ in RIGHT])
def test_right_answers_pass_with_one_ok_line(check, answers, capsys):
    check(*answers)
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and out[0].startswith(f"{name_of(check)}: OK (") and out[0].endswith(")")


@pytest.mark.parametrize("check,answers,mention", WRONG,
                         ids=[f"{name_of(c)}-{i}" for i, (c, _, _) in enumerate(WRONG)])
def test_wrong_answers_raise_a_message_to_act_on(check, answers, mention):
    with pytest.raises(AssertionError) as info:
        check(*answers)
    message = str(info.value)
    exercise = message.split(":")[0]
    assert exercise in (name_of(check), "to_channels_first", "to_channels_last")
    for part in ("case:", "expected:", "got:", "hint:"):
        assert part in message
    assert mention in message, message


@pytest.mark.parametrize("check,answers", RIGHT, ids=[name_of(c) for c, _ in RIGHT])
def test_unfilled_stubs_raise_not_implemented_naming_the_exercise(check, answers):
    def stub(*args, **kwargs):
        raise NotImplementedError(f"{name_of(check)}: not implemented yet")
    with pytest.raises(NotImplementedError, match=name_of(check)):
        check(*[stub] * len(answers))


def test_hard_coding_the_worked_example_fails():
    example = ops.conv1d(np.array([1., 2, 3, 4, 5]), np.array([1., 0, -1]))
    with pytest.raises(AssertionError, match="seed 200"):
        ch02.check_conv1d(lambda x, w, b=0.0: example)


def test_a_crash_in_the_answer_names_the_case():
    def crashes(x, w, b=0.0):
        return x[100]
    with pytest.raises(IndexError) as info:
        ch02.check_conv1d(crashes)
    assert any("conv1d" in note and "case" in note for note in info.value.__notes__)


def test_returning_none_says_return():
    with pytest.raises(AssertionError, match="return"):
        ch02.check_conv1d(lambda x, w, b=0.0: None)


def test_documents_worked_examples_are_in_the_checks():
    # S39: document 003 fig 4-14, the grey node is 9
    assert ops.conv2d(ch06.FIG_4_14_X, ch06.FIG_4_14_W).item() == 9
    # S45: 760 and 3200; S25: 32x32x3 with ten 5x5 kernels, stride 1, pad 2 -> 32x32x10
    assert ops.conv2d_params(5, 3, 10) == 760 and ops.conv2d_params(7, 1, 64) == 3200
    assert ops.conv2d(np.zeros((32, 32, 3)), np.zeros((5, 5, 3, 10)), padding=2).shape == (32, 32, 10)
    # S20: (4,4) padded to (6,6), then (3,3) -> (4,4); LeNet-5 has 61,706 parameters
    assert ops.conv2d(ops.pad2d(np.zeros((4, 4)), 1), np.zeros((3, 3))).shape == (4, 4)
    assert sum(ch07.reference_layer_params()) == models.lenet5().count_params() == 61706


def test_every_chapter_has_a_checks_module():
    import importlib
    for chapter, module in CHAPTERS.items():
        checks = [n for n in dir(importlib.import_module(f"cnncourse.checks.{module}"))
                  if n.startswith("check_")]
        assert 3 <= len(checks) <= 5, (chapter, checks)


def test_grading_mode_hands_out_results_and_judges_nothing(tmp_path, monkeypatch, capsys):
    """Outside grading a check judges and writes nothing. In grading mode (the grader sets
    CNNCOURSE_GRADING in the kernel) it runs the function on the grader's cases and writes what
    it returned as plain data -- a wrong answer too, without raising: the grader judges
    (cnncourse.grading.judge), outside the kernel."""
    from cnncourse.checks import handout
    from cnncourse.grading import judge
    monkeypatch.delenv(handout.KERNEL_DIR_ENV, raising=False)
    with pytest.raises(AssertionError):
        ch04.check_output_size(lambda n, k, s=1, p=0: 0)
    assert list(tmp_path.iterdir()) == []
    exercise = ch04.EXERCISES["output_size"]
    cases = exercise.cases(777)
    handout.write_cases(tmp_path / "inputs" / "output_size", cases)
    monkeypatch.setenv(handout.KERNEL_DIR_ENV, str(tmp_path))
    outputs = tmp_path / "outputs" / "output_size"
    ch04.check_output_size(lambda n, k, s=1, p=0: 0)               # wrong: no AssertionError
    assert handout.read_outputs(outputs) == [("value", 0)] * len(cases)
    status, message = judge.judge_exercise(exercise, cases, outputs)
    assert status == "failed" and "output_size: wrong answer" in message
    ch04.check_output_size(ops.output_size)
    assert judge.judge_exercise(exercise, cases, outputs) == (
        "passed", f"output_size: OK ({len(cases)} cases)")
    capsys.readouterr()


# ----------------------------------------------------------------------------- the registries
def chapter_modules():
    import importlib
    return {chapter: importlib.import_module(f"cnncourse.checks.{module}")
            for chapter, module in CHAPTERS.items()}


def test_every_check_cell_has_an_exercise_in_its_chapters_registry():
    import nbformat
    from cnncourse import grading, paths
    for chapter, module in chapter_modules().items():
        nb = nbformat.read(paths.solutions() / f"{chapter}.ipynb", as_version=4)
        custom = getattr(module, "CUSTOM", ())
        assert sorted(grading.exercises_of(nb)) == sorted([*module.EXERCISES, *custom]), chapter
        for name, exercise in module.EXERCISES.items():
            assert exercise.name == name and callable(getattr(module, f"check_{name}"))


@pytest.mark.parametrize("check,answers", RIGHT, ids=[name_of(c) for c, _ in RIGHT])
def test_right_answers_pass_on_the_cases_of_another_seed(check, answers, capsys):
    """What the grader will do with a secret seed: draw the cases of that seed from the
    registry and compare with the reference computed for them."""
    exercise = next(ex for module in chapter_modules().values()
                    for ex in module.EXERCISES.values()
                    if check is getattr(module, f"check_{ex.name}"))
    student = dict(zip(exercise.function_names(), answers)) if len(answers) > 1 else answers[0]
    for seed in (12345, 987654):
        cases = exercise.cases(seed)
        n = _common.check(exercise, student, seed=seed)
        assert n >= len(cases) >= 1
        for case in cases:
            assert case.function in (None, *exercise.function_names())
            exercise.expected(case)                    # the reference answers every case
    if exercise.name not in ("same_padding", "lenet_layer_params", "build_lenet5",
                             "build_model"):           # those have fixed cases only
        labels = [[c.label for c in exercise.cases(s)] for s in (12345, 987654)]
        assert labels[0] != labels[1], "the cases do not depend on the seed"
    capsys.readouterr()


def test_a_seed_changes_the_random_cases_but_not_the_worked_examples():
    first, other = ch02.conv1d_cases(200), ch02.conv1d_cases(7)
    assert first[0].label == other[0].label and "worked example" in first[0].label
    assert "seed 200" in first[1].label and "seed 7" in other[1].label
    assert not np.array_equal(first[1].args[0], other[1].args[0])


def test_a_student_function_that_writes_into_its_input_changes_nothing(capsys):
    def sneaky(x, w, b=0.0):
        out = conv1d_loop(x, w, b)
        x[:] = 0.0
        w[:] = 0.0
        return out
    ch02.check_conv1d(sneaky)
    assert capsys.readouterr().out.startswith("conv1d: OK (12 cases)")


def test_checks_hide_their_own_frames_from_tracebacks():
    """__tracebackhide__ in every frame of cnncourse.checks that a failing check runs through:
    the student reads the message, not the package's internals."""
    with pytest.raises(AssertionError) as info:
        ch02.check_conv1d(lambda x, w, b=0.0: np.convolve(x, w, "valid") + b)
    ours = [entry.frame for entry in info.traceback
            if "cnncourse/checks" in str(entry.path).replace("\\", "/")]
    assert len(ours) >= 4                               # check_conv1d, check, run_cases, ...
    assert all(frame.f_locals.get("__tracebackhide__") is True for frame in ours)
