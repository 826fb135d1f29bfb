"""The package's learner-facing messages in Korean (issue 16): the checks' OK line, wrong-answer
messages, case descriptions and hints, the ops errors and the claims speak Korean when asked, are
looked up when shown (the language can change after import), and stay byte-identical in English.
(The machinery and the catalogs: tests/test_i18n.py; the grader: tests/test_grading_korean.py.)"""
import contextlib
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import numpy as np
import pytest

from cnncourse import claims, i18n, ops
from cnncourse.checks import _common, ch02
from cnncourse.translation import cells

ROOT = Path(__file__).resolve().parents[1]
HANGUL = re.compile("[\uac00-\ud7a3]")


def right_conv1d(x, w, b=0.0):
    return np.array([np.dot(x[i:i + len(w)], w) for i in range(len(x) - len(w) + 1)]) + b


def flipped_conv1d(x, w, b=0.0):
    """Convolution, not cross-correlation: wrong on every kernel that is not symmetric."""
    return np.convolve(x, w, "valid") + b


def test_a_wrong_answer_and_the_ok_line_are_korean_under_cnncourse_lang_ko():
    """A fresh process, as a student's kernel started with CNNCOURSE_LANG=ko."""
    code = (
        "import numpy as np\n"
        "from cnncourse.checks import ch02\n"
        "ch02.check_conv1d(lambda x, w, b=0.0: np.array([np.dot(x[i:i + len(w)], w) "
        "for i in range(len(x) - len(w) + 1)]) + b)\n"
        "try:\n"
        "    ch02.check_conv1d(lambda x, w, b=0.0: np.convolve(x, w, 'valid') + b)\n"
        "except AssertionError as err:\n"
        "    print(err)\n")
    env = dict(os.environ, CNNCOURSE_LANG="ko", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=300, check=True).stdout
    lines = out.splitlines()
    assert lines[0] == "conv1d: 통과 (경우 12개)"
    assert lines[1].startswith("conv1d: 오답: 값이 다릅니다 (처음으로 크게 다른 곳은 인덱스 (")
    assert lines[2].startswith("  경우: x 형태 (5,), w 형태 (3,), b=0.0 (풀이 예제)")
    assert lines[3].startswith("  기대한 값: 형태가 (3,)인 배열:")
    hint = next(line for line in lines if line.startswith("  힌트: "))
    assert "교차 상관" in hint and "w를 뒤집지 마십시오" in hint


def check_output(check, function):
    """(printed text, AssertionError text or None) of one check call."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        try:
            check(function)
        except AssertionError as err:
            return out.getvalue(), str(err)
    return out.getvalue(), None


def test_check_messages_follow_the_language_in_force_when_they_are_shown():
    """The same imported module speaks English, then Korean, then English again."""
    english = check_output(ch02.check_conv1d, flipped_conv1d)[1]
    with i18n.language("ko"):
        korean = check_output(ch02.check_conv1d, flipped_conv1d)[1]
        assert check_output(ch02.check_conv1d, right_conv1d) == ("conv1d: 통과 (경우 12개)\n",
                                                                  None)
    assert check_output(ch02.check_conv1d, flipped_conv1d)[1] == english
    assert check_output(ch02.check_conv1d, right_conv1d) == ("conv1d: OK (12 cases)\n", None)
    assert english.startswith("conv1d: wrong values (first large difference at index (")
    assert "\n  case: x shape (5,), w shape (3,), b=0.0 (worked example)\n" in english
    assert "\n  hint: s[i] = sum over k of x[i + k] * w[k], plus b;" in english
    assert not HANGUL.search(english)
    first = korean.split("\n")
    assert first[0].startswith("conv1d: 오답: ") and first[1].startswith("  경우: ")
    assert [line.split(":")[0] for line in first[1:3]] == ["  경우", "  기대한 값"]
    assert any(line.startswith("  받은 값:   ") for line in first)


def test_the_ok_line_counts_in_both_languages():
    for n, english, korean in [(1, "x: OK (1 case)", "x: 통과 (경우 1개)"),
                               (12, "x: OK (12 cases)", "x: 통과 (경우 12개)")]:
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            _common.ok("x", n)
            with i18n.language("ko"):
                _common.ok("x", n)
        assert out.getvalue().splitlines() == [english, korean]


def test_case_labels_hints_and_choices_are_korean_when_asked():
    exercise = ch02.EXERCISES["which_gate"]
    english = [case.label for case in exercise.cases(7)]
    with i18n.language("ko"):
        korean = [case.label for case in exercise.cases(7)]
        with pytest.raises(AssertionError) as wrong:
            exercise.compare("which_gate", korean[0], "AND", "OR", exercise.hint)
        with pytest.raises(AssertionError) as unknown:
            exercise.compare("which_gate", korean[0], "AND", "XOR", exercise.hint)
    assert english[0] == "w=(0.5, 0.5), b=-0.7 (chapter 02, S12)"
    assert korean[0] == "w=(0.5, 0.5), b=-0.7 (02장, S12)"
    assert all(e.replace("(seed ", "(시드 ") == k for e, k in zip(english[2:], korean[2:]))
    message = str(wrong.value)
    assert message.startswith("which_gate: 오답: 고른 답은 'OR'입니다\n")
    assert "두 입력이 모두 1일 때만 유닛이 발화합니다." in message       # AND's reasoning
    assert "임계값은 -b입니다" in message                                # the hint
    assert str(unknown.value).startswith("which_gate: 다음 가운데 하나로 답하십시오: 'AND', ")


def test_an_ops_error_is_korean_under_set_language_ko():
    image, kernel = np.zeros((3, 3)), np.ones((5, 5))
    with pytest.raises(ValueError) as english:
        ops.conv2d(image, kernel)
    try:
        i18n.set_language("ko")
        with pytest.raises(ValueError) as korean:
            ops.conv2d(image, kernel)
        with pytest.raises(ValueError, match="^알 수 없는 pad_mode입니다: 'mirror'"):
            ops.pad2d(image, 1, mode="mirror")
        with pytest.raises(ValueError, match="^stride: 1 이상이어야 하는데, 받은 값은 0입니다: "
                                             "커널이 앞으로 움직여야 합니다$"):
            ops.conv2d(image, np.ones((2, 2)), stride=0)
    finally:
        i18n._chosen = None
    assert str(english.value).startswith("kernel 5x5 is larger than the padded input 3x3 (input "
                                         "3x3, padding ((0, 0), (0, 0))): the output size")
    assert str(korean.value) == (
        "커널 크기 5x5: 패딩한 입력 3x3보다 큽니다 (입력 3x3, 패딩 ((0, 0), (0, 0))). 출력 크기 "
        "(W - F + 2P)/S + 1이 1보다 작아집니다. 패딩을 늘리거나(padding='same') 더 작은 커널 "
        "크기를 쓰십시오")


def test_claims_speak_korean_when_asked():
    out = io.StringIO()
    with contextlib.redirect_stdout(out), i18n.language("ko"):
        claims.claim(0.91, 0.9, "테스트 정확도", tol=0.02)
        claims.claim_between(12, 10, None, "에포크")
        with pytest.raises(AssertionError) as failed:
            claims.claim(3, 4, "층 수")
    assert out.getvalue().splitlines() == ["✓ 테스트 정확도: 0.91  (본문: 0.9 ± 0.02)",
                                           "✓ 에포크: 12  (본문: 10 이상)"]
    assert str(failed.value).startswith("claim 실패 - 층 수: 본문에 적힌 값은 4, 코드가 계산한 "
                                        "값은 3입니다.")


def test_a_claims_text_argument_is_a_message_and_its_expected_value_stays_code():
    cell = nbformat.v4.new_code_cell(
        'claim(diagnose(h), "good fit", "diagnosis")\n'
        'claim_between(acc, 0.8, None, what="test accuracy")\n'
        'claim(name, "vertical edge", f"kernel {k}")\n')
    assert [piece.text for piece in cells.cell_pieces(cell)] == [
        "diagnosis", "test accuracy", "kernel {k}"]
