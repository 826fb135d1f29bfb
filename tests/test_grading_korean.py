"""The Korean edition under the grader (issue 16): a Korean submission (an exercise notebook from
exercises/ko/, metadata.cnncourse.lang = "ko") is graded exactly like an English one -- same
chapter, cells, ids, cases and statuses, with the setup and check cells of exercises/ko/ -- and its
report messages and the summary are in Korean; ``--lang`` chooses the report's language.
(The English class: tests/test_grading.py.)"""
import contextlib
import copy
import io
import json
import re
from pathlib import Path

import nbformat
import pytest

from cnncourse import i18n
from cnncourse.cli import main
from cnncourse.grading import runner
from cnncourse.grading.notebook import build_graded, exercises_of, load_editions, read_submission

ROOT = Path(__file__).resolve().parents[1]
CHAPTER = "02_convolution"
EXERCISES = ["conv1d", "cross_correlate2d", "sobel_magnitude", "which_gate"]
RIGHT_CONV1D = "return np.array([np.dot(x[i:i + len(w)], w) for i in range(n)]) + b"
FLIPPED_CONV1D = "return np.convolve(x, w, 'valid') + b"     # convolution, not cross-correlation
HANGUL = re.compile("[\uac00-\ud7a3]")


def cell(nb, cid):
    return next(c for c in nb.cells if c.id == cid)


def korean(folder):
    return nbformat.read(ROOT / folder / "ko" / f"{CHAPTER}.ipynb", as_version=4)


def test_the_korean_pristine_notebook_is_the_english_one_but_the_text():
    english = nbformat.read(ROOT / "exercises" / f"{CHAPTER}.ipynb", as_version=4)
    ko = korean("exercises")
    assert ko.metadata["cnncourse"] == dict(english.metadata["cnncourse"], lang="ko")
    assert [(c.id, c.metadata) for c in ko.cells] == [(c.id, c.metadata) for c in english.cells]
    assert exercises_of(ko) == exercises_of(english) == EXERCISES
    editions = load_editions(ROOT / "exercises", [CHAPTER, "03_padding"])
    assert set(editions) == {"en", "ko"} and set(editions["ko"]) == {CHAPTER, "03_padding"}
    assert cell(editions["ko"][CHAPTER], "setup").source == cell(ko, "setup").source


def test_a_korean_submission_is_graded_with_the_korean_setup_and_check_cells():
    student = korean("solutions")
    cell(student, "conv1d-check").source = "pass"                      # restored from ko/
    parsed = read_submission(json.dumps(student).encode())
    assert parsed["lang"] == "ko" and parsed["chapter"] == CHAPTER
    pristine = korean("exercises")
    graded = build_graded(parsed, pristine)
    assert cell(graded, "conv1d-check").source == cell(pristine, "conv1d-check").source
    assert cell(graded, "setup").source.startswith('from cnncourse import set_language\n'
                                                   'set_language("ko")')
    assert RIGHT_CONV1D in cell(graded, "conv1d-answer").source
    english = nbformat.read(ROOT / "exercises" / f"{CHAPTER}.ipynb", as_version=4)
    assert [c.id for c in graded.cells] == [c.id for c in build_graded(
        nbformat.read(ROOT / "solutions" / f"{CHAPTER}.ipynb", as_version=4), english).cells]


def _pristine():
    return {lang: {ch: nbformat.writes(nb) for ch, nb in edition.items()}
            for lang, edition in load_editions(ROOT / "exercises", [CHAPTER, "03_padding"]).items()}


def test_invalid_submissions_get_messages_in_their_own_language_or_in_lang():
    """No kernel runs: the notebook is the wrong chapter, or no notebook at all."""
    pristine = _pristine()
    ko03 = nbformat.writes(nbformat.read(ROOT / "solutions/ko/03_padding.ipynb", as_version=4))
    en03 = nbformat.writes(nbformat.read(ROOT / "solutions/03_padding.ipynb", as_version=4))
    options = runner.Options(chapter=CHAPTER, sandbox="none")

    def message(raw, **change):
        rows = runner.grade_one("s.ipynb", raw.encode(), pristine,
                                runner.Options(**dict(vars(options), **change)))
        assert [r["status"] for r in rows] == ["invalid"] * len(EXERCISES)
        assert [r["exercise"] for r in rows] == EXERCISES
        return rows[0]["message"]
    assert message(ko03) == ("다른 장의 노트북입니다: 이 노트북은 03_padding 장인데, "
                             "02_convolution 장이어야 합니다")
    assert message(en03) == "wrong notebook: this is chapter 03_padding, expected 02_convolution"
    assert message(en03, lang="ko").startswith("다른 장의 노트북입니다")
    assert message(ko03, lang="en").startswith("wrong notebook")
    assert message("{", default_lang="ko").startswith("노트북이 아닙니다: 올바른 JSON 파일이 아닙니다")
    assert message("{").startswith("not a notebook: the file is not valid JSON")


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """A Korean class graded in one run: right, unfilled, wrong, crashing."""
    folder = tmp_path_factory.mktemp("ko-class")
    sol, ex = korean("solutions"), korean("exercises")
    nbformat.write(sol, folder / "correct.ipynb")
    nbformat.write(ex, folder / "empty.ipynb")
    wrong = copy.deepcopy(sol)
    answer = cell(wrong, "conv1d-answer")
    assert RIGHT_CONV1D in answer.source
    answer.source = answer.source.replace(RIGHT_CONV1D, FLIPPED_CONV1D)
    crash = cell(wrong, "sobel-magnitude-answer")
    crash.source = crash.source.replace("### BEGIN SOLUTION", "### BEGIN SOLUTION\n    "
                                        "raise ValueError('mine')")
    nbformat.write(wrong, folder / "wrong.ipynb")
    report = folder.parent / "ko-grades.json"
    files = [str(folder / n) for n in ("correct.ipynb", "empty.ipynb", "wrong.ipynb")]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["grade", *files, "--chapter", CHAPTER, "--timeout", "30", "--jobs", "2",
                     "--report", str(report)])
    return dict(files=files, report=report, code=code, out=out.getvalue())


@pytest.fixture(scope="module")
def rows(graded):
    data = json.loads(graded["report"].read_text(encoding="utf-8"))
    return {(Path(r["submission"]).name, r["exercise"]): r for r in data}


def test_the_korean_class_gets_the_statuses_an_english_one_gets(graded, rows):
    assert graded["code"] == 0
    statuses = {key: row["status"] for key, row in rows.items()}
    assert statuses == {
        **{("correct.ipynb", ex): "passed" for ex in EXERCISES},
        **{("empty.ipynb", ex): "error" for ex in EXERCISES},
        ("wrong.ipynb", "conv1d"): "failed", ("wrong.ipynb", "cross_correlate2d"): "passed",
        ("wrong.ipynb", "sobel_magnitude"): "error", ("wrong.ipynb", "which_gate"): "passed"}


def test_korean_messages(rows):
    assert rows["correct.ipynb", "conv1d"]["message"] == "conv1d: 통과 (경우 12개)"     # = the check's
    assert rows["empty.ipynb", "conv1d"]["message"] == "구현되지 않음: conv1d: 아직 구현하지 않았습니다"
    crash = rows["wrong.ipynb", "sobel_magnitude"]["message"]
    assert crash.startswith("sobel_magnitude: 이 경우에서 함수가 ValueError 예외를 일으켰습니다: ")
    assert crash.endswith("ValueError: mine")
    assert all(r["status"] in ("passed", "failed", "error") for r in rows.values())


def test_a_korean_wrong_answer_reads_korean(rows):
    assert HANGUL.search(rows["wrong.ipynb", "conv1d"]["message"].split("\n")[0])
    message = rows["wrong.ipynb", "conv1d"]["message"]
    assert message.startswith("conv1d: 오답: 값이 다릅니다"), message
    assert "\n  경우: " in message and "\n  힌트: " in message


def test_the_summary_of_a_korean_class_is_korean(graded):
    lines = graded["out"].splitlines()
    assert re.match(r"제출물\s+통과\s+실패\s+오류\s+시간 초과\s+무효\s+점수$", lines[0]), lines[0]
    scores = {Path(line.split()[0]).name: line.split()[-1] for line in lines[1:4]}
    assert scores == {"correct.ipynb": "4/4", "empty.ipynb": "0/4", "wrong.ipynb": "2/4"}
    assert any("wrong.ipynb conv1d: 실패: conv1d: " in line for line in lines), graded["out"]
    assert "비밀 테스트 경우의 시드" in graded["out"]
    assert "제출물 3개를" in graded["out"] and "보고서: " in graded["out"]


def test_lang_and_the_graders_language_choose_the_summarys(graded, capsys, monkeypatch):
    """No kernel starts: the chapter is wrong, so every row is invalid."""
    args = ["grade", graded["files"][0], "--chapter", "03_padding", "--sandbox", "none"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("제출물") and ": 무효: 다른 장의 노트북입니다" in out
    assert "격리되지 않음: 커널이 샌드박스 없이 실행되었습니다 (채점기에 샌드박스를 쓰지 말라고" in out
    assert main(args + ["--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("submission") and ": invalid: wrong notebook" in out
    monkeypatch.setenv("CNNCOURSE_LANG", "en")        # the grader's own language: the summary's,
    assert main(args) == 0                             # each row still in the submission's
    out = capsys.readouterr().out
    assert out.startswith("submission") and ": invalid: 다른 장의 노트북입니다" in out
