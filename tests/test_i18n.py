"""The Korean edition (issue 16): catalogs complete and current, Korean notebooks generated from
them and identical to the English ones except for text, the glossary followed, the prose Korean,
and the package speaking Korean when asked."""
import ast
import io
import os
import re
import subprocess
import sys
import tokenize
from pathlib import Path

import nbformat
import pytest

from cnncourse import i18n
from cnncourse.translation import catalogs, cells, editions, glossary

ROOT = Path(__file__).resolve().parents[1]
SOURCES = editions.sources(ROOT)
TRANSLATED = [s for s in SOURCES if s.catalog.is_file()]
CATALOGS = [editions.package_catalog(ROOT)] + [s.catalog for s in TRANSLATED]
TERMS = glossary.load()
KOREAN_SHARE = 0.80


def ids(items):
    return [getattr(i, "name", None) or editions.relative(i, ROOT) for i in items]


def korean_notebooks():
    """(source, English notebook, Korean notebook) of every translated notebook."""
    return [(s, nbformat.read(s.english, as_version=4), nbformat.read(s.target, as_version=4))
            for s in TRANSLATED]


# ---------------------------------------------------------------- the package speaks Korean

def test_set_language_switches_the_package_messages():
    report = {"python": "3.11.7", "platform": "Linux", "cpu_count": 2, "packages": {},
              "gpus": [], "fashion_mnist": "/data"}
    from cnncourse.checkup import format_report
    english = format_report(report)
    with i18n.language("ko"):
        korean = format_report(report)
    assert "CPU cores     2" in english and "Fashion-MNIST found in /data" in english
    assert "CPU 코어      2" in korean and "Fashion-MNIST 파일 위치: /data" in korean
    assert "없음 (괜찮습니다" in korean and "MISSING" not in korean
    assert format_report(report) == english, "the with-block must restore the language"


def test_the_environment_variable_chooses_the_language_in_a_fresh_process():
    code = ("from cnncourse import checkup; print(checkup.format_report({'python': '3', "
            "'platform': 'x', 'cpu_count': 4, 'packages': {}, 'gpus': [], 'fashion_mnist': ''}))")
    env = dict(os.environ, CNNCOURSE_LANG="ko_KR.UTF-8", PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert "CPU 코어      4" in out and "Fashion-MNIST를 찾지 못했습니다" in out


def test_set_language_accepts_locale_names_and_rejects_unknown_languages():
    try:
        assert i18n.set_language("ko_KR.UTF-8") == "ko" and i18n.get_language() == "ko"
        assert i18n.set_language("EN") == "en"
        with pytest.raises(ValueError, match="'en', 'ko'"):
            i18n.set_language("fr")
    finally:
        i18n._chosen = None


def test_untranslated_and_fuzzy_messages_fall_back_to_english(tmp_path, monkeypatch):
    po = tmp_path / "ko" / "LC_MESSAGES" / "cnncourse.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
                  'msgid "yes"\nmsgstr "예"\n\n#, fuzzy\nmsgid "no"\nmsgstr "아니오"\n\n'
                  'msgid "maybe"\nmsgstr ""\n', encoding="utf-8")
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with i18n.language("ko"):
            assert [i18n._(w) for w in ("yes", "no", "maybe")] == ["예", "no", "maybe"]
    finally:
        i18n.translations.cache_clear()


def test_the_package_catalog_ships_in_the_wheel(tmp_path):
    """An installed course (a wheel, not a checkout) still finds the Korean catalog."""
    import shutil
    import zipfile
    tree = tmp_path / "src"
    shutil.copytree(ROOT, tree, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "notebooks", "solutions", "exercises", "i18n", "tests", "*.egg-info"))
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
                    "-q", "-w", str(tmp_path / "dist"), str(tree)], check=True, timeout=600,
                   capture_output=True)
    wheel, = (tmp_path / "dist").glob("cnncourse-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "cnncourse/locale/ko/LC_MESSAGES/cnncourse.po" in names
    assert "cnncourse/translation/cells.py" in names


# ---------------------------------------------------------------- catalogs: current, complete

def test_catalogs_are_what_the_notebooks_give():
    assert editions.update(ROOT, check=True) == [], "run `make i18n` (cnncourse i18n update)"


def test_korean_notebooks_are_what_the_catalogs_give():
    stale = editions.build(ROOT, check=True)
    assert stale == [], f"out of date: {[editions.relative(p, ROOT) for p in stale]}; run `make i18n`"


def incomplete(catalog):
    """Messages of a catalog that are untranslated or fuzzy: '[fuzzy|missing] context: text'."""
    problems = []
    for entry in catalog:
        strings = list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]
        if not strings or not all(strings):
            problems.append(f"missing {entry.msgctxt}: {entry.msgid[:60]!r}")
        elif "fuzzy" in entry.flags:
            problems.append(f"fuzzy {entry.msgctxt}: {entry.msgid[:60]!r}")
    return problems


@pytest.mark.parametrize("path", CATALOGS, ids=ids(CATALOGS))
def test_every_message_is_translated_and_none_is_fuzzy(path):
    problems = incomplete(catalogs.read(path))
    assert not problems, f"{len(problems)} to translate in {path.name}: {problems[:5]}"


def test_a_missing_or_a_fuzzy_entry_is_caught():
    import polib
    text = ('msgid ""\nmsgstr "Content-Type: text/plain; charset=utf-8\\n"\n\n'
            'msgctxt "c1"\nmsgid "done"\nmsgstr "끝"\n\n'
            'msgctxt "c2"\nmsgid "todo"\nmsgstr ""\n\n'
            '#, fuzzy\nmsgctxt "c3"\nmsgid "changed"\nmsgstr "바뀜"\n')
    problems = incomplete(polib.pofile(text))
    assert [p.split()[0] for p in problems] == ["missing", "fuzzy"]
    assert catalogs.counts(polib.pofile(text)) == {
        "total": 3, "translated": 1, "fuzzy": 1, "missing": 1}


def test_package_translations_keep_their_placeholders():
    for entry in catalogs.read(editions.package_catalog(ROOT)):
        if entry.msgstr:
            assert cells.placeholders(entry.msgid) == cells.placeholders(entry.msgstr), entry.msgid


# ---------------------------------------------------------------- Korean = English but the text

TEXT = {tokenize.COMMENT, tokenize.STRING} | {getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def _tokens(source):
    """(type, text) tokens, IPython magic lines (% or ! in column 0) blanked."""
    lines = [" " * len(line) if line.startswith(("%", "!")) else line
             for line in source.split("\n")]
    return [(t.type, t.string) for t in
            tokenize.generate_tokens(io.StringIO("\n".join(lines)).readline)
            if t.type not in (tokenize.NL, tokenize.ENDMARKER)]


@pytest.mark.parametrize("source,english,korean", korean_notebooks(), ids=ids(TRANSLATED))
def test_same_cells_ids_tags_and_metadata(source, english, korean):
    nbformat.validate(korean)
    assert [(c.id, c.cell_type) for c in korean.cells] == [(c.id, c.cell_type) for c in english.cells]
    for en, ko in zip(english.cells, korean.cells):
        assert ko.metadata == en.metadata, f"cell {en.id}: metadata differ"
    meta = dict(korean.metadata)
    assert meta.pop("cnncourse") == dict(english.metadata.get("cnncourse", {}), lang="ko")
    assert meta == {k: v for k, v in english.metadata.items() if k != "cnncourse"}
    assert not [c.id for c in korean.cells if c.cell_type == "code"
                and (c.outputs or c.execution_count)], "Korean notebooks carry no outputs"


@pytest.mark.parametrize("source,english,korean", korean_notebooks(), ids=ids(TRANSLATED))
def test_code_cells_are_token_identical_except_comments_and_strings(source, english, korean):
    code = [(en, ko) for en, ko in zip(english.cells, korean.cells) if en.cell_type == "code"]
    assert code, "a notebook without code?"
    first_en, first_ko = code[0]
    assert first_ko.source.split("\n")[:2] == editions.LANGUAGE_LINES
    translated = 0
    for i, (en, ko) in enumerate(code):
        ko_source = "\n".join(ko.source.split("\n")[2:]) if i == 0 else ko.source
        a, b = _tokens(en.source), _tokens(ko_source)
        assert [t for t, _ in a] == [t for t, _ in b], f"cell {en.id}: token types differ"
        for (kind, text_en), (_, text_ko) in zip(a, b):
            if text_en != text_ko:
                assert kind in TEXT, (en.id, text_en, text_ko)
                assert re.search("[\uac00-\ud7a3]", text_ko), f"{en.id}: {text_ko!r} is no Korean"
                translated += 1
        compile("\n".join(line if not line.startswith(("%", "!")) else "" for line in
                          ko.source.split("\n")), f"{source.name}:{en.id}", "exec")
    assert translated, "no comment or string was translated"


@pytest.mark.parametrize("source,english,korean", korean_notebooks(), ids=ids(TRANSLATED))
def test_the_prose_is_mostly_korean(source, english, korean):
    prose = [c.source for c in korean.cells
             if c.cell_type == "markdown" and not catalogs.is_generated(c)]
    hangul, latin = map(sum, zip(*(glossary.word_counts(text) for text in prose)))
    share = hangul / (hangul + latin)
    print(f"{source.name}: {hangul} Korean words, {latin} Latin words, {share:.1%} Korean")
    assert share >= KOREAN_SHARE, f"{source.name}: only {share:.1%} of its prose words are Korean"


def test_word_counts_follow_their_definition():
    text = ("합성곱(convolution)은 CNN의 핵심입니다. `conv2d(x, w)` $W_{out}$ "
            "[link](https://example.org/a b) | feature map | 3x3 | <br>")
    # Korean: 합성곱(..)은, CNN의, 핵심입니다.  Latin: convolution, link, feature, map
    assert glossary.word_counts(text) == (3, 4)


@pytest.mark.parametrize("path", CATALOGS, ids=ids(CATALOGS))
def test_translations_use_the_glossary_terms(path):
    problems = []
    for entry in catalogs.read(path):
        if not entry.msgstr or entry.fuzzy:
            continue
        skip = glossary.skipped(entry.tcomment.splitlines())
        for term in glossary.missing_terms(entry.msgid, entry.msgstr, TERMS, skip):
            problems.append(f"{entry.msgctxt}: '{term.english}' needs '{term.korean}'")
    assert not problems, "\n".join(problems)


def test_glossary_matching():
    terms = [glossary.Term("pooling", "풀링"), glossary.Term("max pooling", "최대 풀링"),
             glossary.Term("feature map", "특성 맵")]
    found = glossary.terms_in("Max-pooling of two feature maps; `pooling` in code", terms)
    assert [t.english for t in found] == ["max pooling", "feature map"]
    assert glossary.missing_terms("feature maps", "특성맵을 봅니다", terms) == []
    assert [t.english for t in glossary.missing_terms("the feature map", "특징 맵", terms)] == [
        "feature map"]



def test_a_glossary_skip_comment_wrapped_over_lines_still_counts():
    one_line = ["glossary-skip: dropout, epoch (a dict key reads it back, so it stays English)"]
    wrapped = ["glossary-skip: dropout, epoch (a dict key reads it back, so it",
               "stays English)"]
    assert glossary.skipped(one_line) == glossary.skipped(wrapped) == {"dropout", "epoch"}
    assert glossary.skipped(["a translator's note"]) == set()

def test_the_glossary_has_the_issue_terms_and_notebook_00_shows_all_of_them():
    wanted = {"convolution": "합성곱", "feature map": "특성 맵", "padding": "패딩",
              "stride": "스트라이드", "pooling": "풀링", "kernel": "커널", "filter": "필터",
              "bias": "편향", "weight sharing": "가중치 공유", "receptive field": "수용 영역",
              "backpropagation": "역전파", "hyperparameter": "하이퍼파라미터",
              "overfitting": "과대적합"}
    have = {t.english: t.korean for t in TERMS}
    assert {k: have.get(k) for k in wanted} == wanted
    assert 60 <= len(TERMS) <= 130
    for path in (ROOT / "notebooks" / "00_welcome.ipynb", ROOT / "notebooks/ko/00_welcome.ipynb"):
        cells_ = [c for c in nbformat.read(path, as_version=4).cells if catalogs.is_generated(c)]
        assert len(cells_) == 1, path
        rows = [line for line in cells_[0].source.splitlines() if line.startswith("| ")][1:]
        assert [r.split(" | ")[0][2:] for r in rows] == [t.english for t in TERMS]
        assert all(f"| {t.english} | {t.korean} |" in cells_[0].source for t in TERMS)


def test_no_broken_bold_before_a_korean_particle():
    """'**합성곱(CNN)**을' does not render bold (CommonMark: a closing ** after punctuation needs
    a space or punctuation after it); write '**합성곱**(CNN)을'."""
    bad = re.compile(r"[^\w\s*]\*\*[\uac00-\ud7a3]")
    problems = [f"{s.name} {c.id}: {m.group(0)}" for s, _, ko in korean_notebooks()
                for c in ko.cells if c.cell_type == "markdown" for m in bad.finditer(c.source)]
    assert not problems


# ---------------------------------------------------------------- extraction and building

CELL = '''import numpy as np
%matplotlib inline
def area(w, h):
    """Area of a w x h rectangle."""
    ### BEGIN SOLUTION
    return w * h  # width times height
    ### END SOLUTION
config = {"window size": 3}                      # a dict key is code
y = ops.conv2d(x, k, padding="same")
print(f"output shape {y.shape}:", "%d pixels" % y.size)
ax.set_title("the feature map")
plt.savefig("out file.png")                      # a file name is code
show(x, title="input image", cmap="gray")
'''


def test_extraction_takes_text_and_leaves_code_alone():
    found = [(p.kind, p.text) for p in cells.code_pieces(CELL)]
    assert found == [("docstring", "Area of a w x h rectangle."),
                     ("comment", "width times height"),
                     ("comment", "a dict key is code"),
                     ("string", "output shape {y.shape}:"), ("string", "%d pixels"),
                     ("string", "the feature map"),
                     ("comment", "a file name is code"),
                     ("string", "input image")]


LABELS = '''variants = {T("viewpoint: moved"): a, "window size": 3}   # T() marks a dict key
fig = viz.show_images([a, b], ["original", "blur"], cmap="gray")
viz.show_images(maps, [f"stride {k}" for k in (1, 2)])
print("{:8s} {:>6s}".format("layer", "params"))
rows = [(T("original"), 1), (f"centre {s}x{s} hidden", 2), ("dropout", 3)]
print(f"{'by hand':10s} formula")
h = history["val_loss"]
'''


def test_labels_shown_later_are_text_by_the_documented_rules():
    """Rule 2 (arguments of display calls, through comprehensions and .format's arguments),
    rule 3 (prose, an f-string by its literal parts) and rule 4 (the T() marker)."""
    found = [p.text for p in cells.code_pieces(LABELS)]
    assert found == ["viewpoint: moved", "T() marks a dict key", "original", "blur",
                     "stride {k}", "layer", "params", "original", "centre {s}x{s} hidden",
                     "{'by hand':10s} formula"]
    # code stays code: an unmarked dict key, cmap=, a subscript, a one-word tuple item; and a
    # string inside another string's {placeholder} is never a message of its own
    for code in ("window size", "gray", "val_loss", "dropout", "by hand"):
        assert code not in found
    from cnncourse import T
    assert T("원본") == "원본"


def test_the_glossary_check_ignores_code_and_placeholders():
    found = glossary.terms_in("the {kernel.shape} of `padding` with padding=1, output_size, "
                              "keras.layers, shift(x), x.shape; the stride of each layer(s)",
                              TERMS)
    assert [t.english for t in found] == ["stride", "layer"]
    assert [t.english for t in glossary.terms_in("pooling layer를 더 넣는다", TERMS)] == [
        "pooling layer"]


def test_a_language_block_holds_in_its_own_thread_only():
    import threading
    seen = {}
    with i18n.language("ko"):
        worker = threading.Thread(target=lambda: seen.update(other=i18n.get_language()))
        worker.start()
        worker.join()
        seen["here"] = i18n.get_language()
    assert seen == {"here": "ko", "other": "en"} and i18n.get_language() == "en"


def test_the_command_line_speaks_korean_when_asked(tmp_path):
    """CNNCOURSE_LANG=ko: argparse's errors, the command list and a command's own errors."""
    env = dict(os.environ, CNNCOURSE_LANG="ko", PYTHONPATH=str(ROOT))

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "cnncourse", *args], env=env,
                              capture_output=True, text=True, timeout=300)
    proc = cli("frobnicate")
    assert proc.returncode == 2 and "사용법: cnncourse" in proc.stderr
    assert "오류: 인자 COMMAND: 고를 수 없는 값입니다: 'frobnicate'" in proc.stderr
    assert "제출된 연습 문제 노트북을 nbval로 채점합니다" in cli("--help").stdout
    proc = cli("grade", str(tmp_path / "a.ipynb"), "--report", str(tmp_path / "r.txt"))
    assert proc.returncode == 2
    assert proc.stderr.strip() == (f"cnncourse grade: --report {tmp_path / 'r.txt'}: 파일 이름이 "
                                   ".csv나 .json으로 끝나야 합니다")
    assert "채점할 노트북 수" in cli("grade", "--help").stdout
    english = subprocess.run([sys.executable, "-m", "cnncourse", "frobnicate"],
                             env=dict(env, CNNCOURSE_LANG="en"), capture_output=True, text=True,
                             timeout=300)
    assert "invalid choice: 'frobnicate'" in english.stderr and "usage: cnncourse" in english.stderr


def test_data_errors_speak_korean(tmp_path):
    from cnncourse import data
    bad = tmp_path / "train-images-idx3-ubyte.gz"
    bad.write_bytes(b"not gzip")
    with i18n.language("ko"), pytest.raises(data.DataError) as err:
        data.read_idx(bad)
    assert "gzip으로 읽을 수 없습니다" in str(err.value) and "다시 받으십시오" in str(err.value)
    with i18n.language("ko"), pytest.raises(data.DataError, match="파일이 없습니다"):
        data.load_fashion_mnist(path=tmp_path)
    with i18n.language("ko"):
        assert data.how_to_get().startswith("Fashion-MNIST를 준비하는 방법:")
    with pytest.raises(data.DataError, match="path argument .* is missing"):
        data.load_fashion_mnist(path=tmp_path)


def test_a_translated_cell_differs_only_in_text_and_bad_translations_are_refused():
    pieces = cells.code_pieces(CELL)
    korean = {"width times height": "너비 곱하기 높이", "the feature map": "특성 맵",
              "output shape {y.shape}:": "출력 형태 {y.shape}:", "%d pixels": "픽셀 %d개"}
    out = cells.apply(CELL, pieces, [korean.get(p.text) for p in pieces])
    assert 'print(f"출력 형태 {y.shape}:", "픽셀 %d개" % y.size)' in out
    assert "### BEGIN SOLUTION" in out and 'padding="same"' in out
    assert cells.token_differences(CELL, out) == []
    broken = cells.apply(CELL, pieces, ['특성 "맵' if p.text == "the feature map" else None
                                        for p in pieces])
    assert cells.token_differences(CELL, broken) != []
    feature = next(p for p in pieces if p.text == "the feature map")
    with pytest.raises(cells.TranslationError, match="quote"):
        cells.check_translation(feature, '특성 "맵"')
    cells.check_translation(feature, '특성 \\"맵\\"')
    string = next(p for p in pieces if p.text == "output shape {y.shape}:")
    with pytest.raises(cells.TranslationError, match="placeholders"):
        cells.check_translation(string, "출력 형태:")
    comment = next(p for p in pieces if p.kind == "comment")
    with pytest.raises(cells.TranslationError, match="one line"):
        cells.check_translation(comment, "두\n줄")


def test_language_lines_go_in_and_come_out():
    for source in ("import cnncourse\nx = 1", "%%time\nx = 1", ""):
        ko = editions.inject_language(source)
        assert editions.LANGUAGE_LINES[1] in ko and editions.strip_language(ko) == source


def _course(root, english_cell, solution_cell=None):
    """A tiny course folder: one lecture (and one solution notebook) and the glossary."""
    (root / "i18n").mkdir()
    (root / "i18n" / "glossary.ko.tsv").write_text(
        "english\tkorean\tnote\nfeature map\t특성 맵\t\n", encoding="utf-8")
    lecture = nbformat.v4.new_notebook()
    lecture.cells = [nbformat.v4.new_markdown_cell("# One\n\nA feature map.", id="t-0"),
                     nbformat.v4.new_code_cell(english_cell, id="t-1")]
    (root / "notebooks").mkdir()
    nbformat.write(lecture, root / "notebooks" / "01_one.ipynb")
    if solution_cell:
        solution = nbformat.v4.new_notebook(metadata={"cnncourse": {"chapter": "01_one"}})
        setup = nbformat.v4.new_code_cell("import numpy as np  # setup", id="s-1",
                                          metadata={"tags": ["setup"]})
        answer = nbformat.v4.new_code_cell(solution_cell, id="s-2", metadata={
            "tags": ["solution"], "cnncourse": {"exercise": "double"}})
        solution.cells = [nbformat.v4.new_markdown_cell("# Exercises", id="s-0"), setup, answer]
        (root / "solutions").mkdir()
        nbformat.write(solution, root / "solutions" / "01_one.ipynb")


def _translate(po, table):
    catalog = catalogs.read(po)
    for entry in catalog:
        if entry.msgid in table:
            entry.msgstr = table[entry.msgid]
            entry.flags = [f for f in entry.flags if f != "fuzzy"]
    po.write_text(catalogs.render(catalog), encoding="utf-8")


def test_update_keeps_translations_marks_changes_fuzzy_and_drops_the_gone(tmp_path):
    _course(tmp_path, 'print("hello world")  # say hello\nprint("bye now")')
    changed = editions.update(tmp_path, new=["notebooks/01_one"])
    po = tmp_path / "i18n" / "ko" / "notebooks" / "01_one.po"
    assert po in changed
    assert catalogs.counts(catalogs.read(po)) == {"total": 4, "translated": 0, "fuzzy": 0,
                                                  "missing": 4}
    _translate(po, {"# One\n\nA feature map.": "# 하나\n\n특성 맵 하나.", "hello world": "안녕하세요",
                    "say hello": "인사", "bye now": "안녕히"})
    assert editions.update(tmp_path, check=True) == []
    lecture = nbformat.read(tmp_path / "notebooks" / "01_one.ipynb", as_version=4)
    lecture.cells[1].source = 'print("hello, world!")  # say hello'
    nbformat.write(lecture, tmp_path / "notebooks" / "01_one.ipynb")
    assert editions.update(tmp_path) == [po]
    by_id = {e.msgid: e for e in catalogs.read(po)}
    assert set(by_id) == {"# One\n\nA feature map.", "hello, world!", "say hello"}
    assert by_id["hello, world!"].fuzzy and by_id["hello, world!"].msgstr == "안녕하세요"
    assert by_id["hello, world!"].previous_msgid == "hello world"
    assert not by_id["say hello"].fuzzy and by_id["say hello"].msgstr == "인사"
    assert editions.update(tmp_path) == []         # a second update keeps the old English
    assert catalogs.read(po).find("hello, world!", msgctxt="t-1").previous_msgid == "hello world"
    # the build leaves a fuzzy message in English
    editions.build(tmp_path)
    korean = nbformat.read(tmp_path / "notebooks" / "ko" / "01_one.ipynb", as_version=4)
    assert korean.cells[1].source.endswith('print("hello, world!")  # 인사')


def test_korean_exercises_are_generated_from_the_korean_solutions(tmp_path):
    solution = ('def double(x):\n    """Return twice x."""\n    ### BEGIN SOLUTION\n'
                '    return 2 * x  # twice\n    ### END SOLUTION')
    _course(tmp_path, "x = 1", solution)
    editions.update(tmp_path, new=["solutions/01_one"])
    po = tmp_path / "i18n" / "ko" / "solutions" / "01_one.po"
    _translate(po, {"# Exercises": "# 연습 문제", "setup": "준비", "Return twice x.": "x의 두 배를 돌려줍니다.",
                    "twice": "두 배"})
    stale = editions.build(tmp_path)
    exercise = tmp_path / "exercises" / "ko" / "01_one.ipynb"
    assert exercise in stale and (tmp_path / "solutions" / "ko" / "01_one.ipynb") in stale
    nb = nbformat.read(exercise, as_version=4)
    assert nb.cells[1].source.startswith("\n".join(editions.LANGUAGE_LINES))
    assert nb.cells[1].source.endswith("import numpy as np  # 준비")
    assert '"""x의 두 배를 돌려줍니다."""' in nb.cells[2].source
    # the stub speaks the notebook's language (the English exercise keeps the English text:
    # tests/test_exercises.py)
    assert 'raise NotImplementedError("double: 아직 구현하지 않았습니다")' in nb.cells[2].source
    assert "BEGIN SOLUTION" not in nb.cells[2].source
    assert editions.build(tmp_path, check=True) == []
    (tmp_path / "solutions" / "01_one.ipynb").unlink()       # a source removed: its twins go
    assert set(editions.build(tmp_path)) == {exercise, tmp_path / "solutions/ko/01_one.ipynb"}
    assert not exercise.exists()


def test_the_cli(capsys):
    from cnncourse.cli import COMMANDS, main
    assert "i18n" in COMMANDS
    assert main(["i18n", "update", "--check"]) == 0
    assert main(["i18n", "build", "--check"]) == 0
    assert main(["i18n", "status"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"notebooks/00_welcome\s+\d+\s+\d+\s+0\s+0\s+100\.0%", out), out
    assert main(["i18n", "update", "--new", "notebooks/99_nothing", "--check"]) == 2


# ---------------------------------------------------------------- choosing the edition

def _lab_notebook(**env):
    base = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES",
                                                             "COURSE_LANG")}
    proc = subprocess.run(["make", "-n", "lab"], cwd=ROOT, env=dict(base, **env),
                          capture_output=True, text=True, timeout=60)
    line = next(l for l in proc.stdout.splitlines() if "jupyter lab" in l)
    return line.split()[-1]


def test_make_lab_picks_the_edition():
    assert _lab_notebook(LANG="en_US.UTF-8") == "notebooks/00_welcome.ipynb"
    assert _lab_notebook(LANG="en_US.UTF-8", COURSE_LANG="ko") == "notebooks/ko/00_welcome.ipynb"
    assert _lab_notebook(LANG="ko_KR.UTF-8") == "notebooks/ko/00_welcome.ipynb"
    assert _lab_notebook(LANG="ko_KR.UTF-8", COURSE_LANG="en") == "notebooks/00_welcome.ipynb"
    assert (ROOT / "notebooks/ko/00_welcome.ipynb").is_file()


def test_each_edition_of_00_links_to_the_other_and_readme_ko_is_linked():
    for path, other in (("notebooks/00_welcome.ipynb", "ko/00_welcome.ipynb"),
                        ("notebooks/ko/00_welcome.ipynb", "../00_welcome.ipynb")):
        first = nbformat.read(ROOT / path, as_version=4).cells[0].source
        assert f"]({other})" in first, path
        assert (ROOT / path).parent.joinpath(other).resolve().is_file()
    head = "\n".join((ROOT / "README.md").read_text().splitlines()[:5])
    assert "(README.ko.md)" in head
    korean = (ROOT / "README.ko.md").read_text()
    assert "make lab COURSE_LANG=ko" in korean and "make test" in korean
    table = re.compile(r"^\| (\d\d) \| `(\w+)` \|", re.MULTILINE)
    assert table.findall(korean) == table.findall((ROOT / "README.md").read_text())


# ---------------------------------------------------------------- the goal of issue 16

def test_every_notebook_has_its_korean_edition():
    missing = [s.name for s in SOURCES if not s.catalog.is_file() or not s.target.is_file()]
    assert not missing, f"no Korean edition: {missing}"
    exercises = sorted(p.name for p in (ROOT / "exercises").glob("*.ipynb"))
    assert sorted(p.name for p in (ROOT / "exercises" / "ko").glob("*.ipynb")) == exercises


# The Korean code is the English code (tests above), which tests/test_notebooks.py runs in full;
# the Korean run checks the Korean text paths (set_language, messages, titles). The training
# notebooks run only their cheap cells there, to stay inside CI's time.
TRAINING = {"08_fashion_mnist", "09_improving_the_model"}
EXPENSIVE_CALLS = {"fit", "search", "evaluate", "predict", "train_best_model"}


def _cell_names(tree):
    """(names a cell binds, names it reads, receivers of its expensive calls, does it train)"""
    bound, read, receivers, trains = set(), set(), set(), False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else read).add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if name in EXPENSIVE_CALLS:
                trains = True
                if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                    receivers.add(func.value.id)
    return bound, read, receivers, trains


def cheap_cells(nb):
    """Ids of the code cells that neither train (fit, search, evaluate, predict) nor read a name
    that a skipped cell binds or trained, in order."""
    tainted, cheap = set(), []
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        bound, read, receivers, trains = _cell_names(ast.parse(cells.mask_magics(cell.source) or ""))
        if trains or read & tainted:
            tainted |= bound | receivers
        else:
            cheap.append(cell.id)
    return cheap


def test_cheap_cells_of_the_training_notebooks():
    for name in sorted(TRAINING):
        nb = nbformat.read(ROOT / "notebooks" / f"{name}.ipynb", as_version=4)
        code = {c.id: c.source for c in nb.cells if c.cell_type == "code"}
        cheap = cheap_cells(nb)
        assert cheap and len(cheap) < len(code), name
        assert not any(re.search(r"\.(fit|search)\(", code[i]) for i in cheap), name
    toy = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s, id=f"c{i}") for i, s in
                                          enumerate(["import numpy as np\nx = np.ones(3)",
                                                     "import inspect\nh = model.fit(x)",
                                                     "print(h)", "print(model, x)",
                                                     "print(inspect, x)", "y = x + 1"])])
    assert cheap_cells(toy) == ["c0", "c5"]


@pytest.mark.slow
@pytest.mark.parametrize("source", TRANSLATED, ids=ids(TRANSLATED))
def test_korean_lecture_notebook_runs(source):
    if source.english.parent.name != "notebooks":
        pytest.skip("solutions run in tests/test_exercises.py")
    from tests.test_notebooks import run_nbval
    path = source.target
    if source.english.stem in TRAINING:
        nb = nbformat.read(path, as_version=4)
        keep = set(cheap_cells(nb))
        for cell in nb.cells:
            if cell.cell_type == "code" and cell.id not in keep:
                cell.metadata.setdefault("tags", []).append("nbval-skip")
        path = path.parent / f"ci-cheap-{path.name}"        # same folder: same relative paths
        nbformat.write(nb, path)
    try:
        proc, seconds = run_nbval(path)
    finally:
        if path != source.target:
            path.unlink()
    print(f"{source.target.name} (ko): {seconds:.1f} s")
    assert proc.returncode == 0, proc.stdout[-6000:]
