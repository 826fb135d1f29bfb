"""cnncourse.checks: right answers pass with one OK line, wrong ones raise an AssertionError a
student can act on, unfilled stubs raise NotImplementedError, and the documents' worked
examples are inside the checks. The right answers here come from cnncourse.ops and Keras, the
wrong ones are the mistakes students make (flipped kernel, off-by-one, reshape for transpose)."""
import numpy as np
import pytest

from cnncourse import models, ops
from cnncourse.checks import CHAPTERS, _common, ch02, ch03, ch04, ch05, ch06, ch07, ch08


def sobel(image):
    return np.sqrt(ops.conv2d(image, ch02.SOBEL_X) ** 2 + ops.conv2d(image, ch02.SOBEL_Y) ** 2)


RIGHT = [
    (ch02.check_conv1d, [lambda x, w, b=0.0: ops.conv1d(x, w, b)]),
    (ch02.check_cross_correlate2d, [lambda x, k: ops.conv2d(x, k)]),
    (ch02.check_sobel_magnitude, [sobel]),
    (ch03.check_pad_image, [lambda x, p, mode="zeros": ops.pad2d(x, p, mode=mode)]),
    (ch03.check_same_padding, [ops.same_padding]),
    (ch03.check_conv2d_same, [lambda x, k: ops.conv2d(x, k, padding="same")]),
    (ch04.check_output_size, [ops.output_size]),
    (ch04.check_conv2d_strided, [lambda x, k, s=1: ops.conv2d(x, k, stride=s)]),
    (ch04.check_conv_output_shape, [lambda shape, f, k, s=1, p=0: (
        ops.output_size(shape[0], k, s, p), ops.output_size(shape[1], k, s, p), f)]),
    (ch05.check_max_pool, [ops.max_pool2d]),
    (ch05.check_avg_pool, [ops.avg_pool2d]),
    (ch05.check_pooled_shape, [lambda shape, p=2, s=None: ops.max_pool2d(np.zeros(shape), p, s).shape]),
    (ch06.check_conv2d_multi, [lambda x, w, b: ops.conv2d(x, w, b)]),
    (ch06.check_conv2d_params, [ops.conv2d_params]),
    (ch06.check_layouts, [ops.to_channels_first, ops.to_channels_last]),
    (ch06.check_conv2d_nchw, [lambda x, w, b: ops.conv2d(x, w, b, data_format="channels_first")]),
    (ch07.check_lenet_feature_shapes, [ch07.reference_feature_shapes]),
    (ch07.check_lenet_layer_params, [ch07.reference_layer_params]),
    (ch07.check_build_lenet5, [models.lenet5]),
    (ch08.check_prepare_images, [ch08.reference_prepare]),
    (ch08.check_build_model, [models.fashion_cnn_001]),
    (ch08.check_predict_classes, [lambda m, x: np.argmax(m.predict(x, verbose=0), axis=1)]),
]

WRONG = [   # (check, answers, what the message must mention)
    (ch02.check_conv1d, [lambda x, w, b=0.0: np.convolve(x, w, "valid") + b], "wrong values"),
    (ch02.check_conv1d, [lambda x, w, b=0.0: ops.conv1d(x, w)], "b="),           # forgot the bias
    (ch02.check_cross_correlate2d, [lambda x, k: ops.conv2d(x, k[::-1, ::-1])], "wrong values"),
    (ch02.check_sobel_magnitude, [lambda im: np.abs(ops.conv2d(im, ch02.SOBEL_X))], "camera"),
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
    (ch07.check_lenet_feature_shapes, [lambda size=28: ch07.reference_feature_shapes(size)[:4]],
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


def test_success_writes_grading_evidence_only_when_grading(tmp_path, monkeypatch, capsys):
    log = tmp_path / "evidence.txt"
    monkeypatch.delenv(_common.EVIDENCE_ENV, raising=False)
    ch06.check_conv2d_params(ops.conv2d_params)
    assert not log.exists()
    monkeypatch.setenv(_common.EVIDENCE_ENV, str(log))
    ch06.check_conv2d_params(ops.conv2d_params)
    with pytest.raises(AssertionError):
        ch04.check_output_size(lambda n, k, s=1, p=0: 0)
    assert log.read_text().split() == ["conv2d_params"]
