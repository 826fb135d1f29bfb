"""Every number the lectures state is computed next to it, or cited (issue 13).

Two halves:
- ``cnncourse.claims.claim`` / ``claim_between`` print and assert (unit tests below);
- a static rule over notebooks/00-10: a lecture is cut into sections at its markdown headings; in a
  section that has code, every number a markdown cell quotes must appear among the numbers written
  in that section's code - as the expected value of a ``claim(...)`` (a computed result) or as an
  input the reader can see (``Conv2D(32, 3)``, ``epochs=3``). A number that appears nowhere in the
  code is either computed and unchecked, or stale: the test names it.
  "Cited" numbers are exempt: years, equation/figure/section numbers ((4.10), fig 4-19, 그림 4-8,
  S21), document numbers 000-004, chapter/notebook numbers, editions and versions (Keras 3,
  2nd ed.), numbers inside code spans, and names that contain
  digits (Conv2D, float32, 1D), quotations in double quotes, and the few numbers listed in
  CITED_NUMBERS with their source. Sections without code (history, prose) are audited by hand.
"""
import ast
import json
import math
import re
from pathlib import Path

import numpy as np
import pytest

from cnncourse.claims import claim, claim_between

ROOT = Path(__file__).resolve().parents[1]
# Issue 13 audited lectures 00-10; a later lecture joins this list once its numbers are claimed.
LECTURES = sorted(p for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb") if int(p.name[:2]) <= 10)


# --------------------------------------------------------------------------- claim() itself
def test_claim_passes_prints_and_returns_the_value(capsys):
    assert claim(61706, 61706, "LeNet-5 parameters") == 61706
    assert "LeNet-5 parameters: 61,706" in capsys.readouterr().out
    claim(0.812, 0.8, "accuracy", tol=0.02)
    claim(np.float32(0.25), 0.25, "a quarter")
    claim((1, 1, 120), (1, 1, 120), "C5 output shape")
    claim(np.array([0.5, 1.0]), [0.5, 1.0], "two values")
    claim(np.bool_(True), True, "a boolean from NumPy")
    claim(1010, 1000, "about a thousand", rel=0.02)
    claim([(28, 28), np.int64(10)], [(28, 28), 10], "nested: a shape and a count")
    claim({"Shirt", "Coat"}, {"Coat", "Shirt"}, "a set of class names")
    claim([np.bool_(True), 0.5001], [True, 0.5], "a list of mixed values", tol=1e-3)


@pytest.mark.parametrize("args, kwargs", [
    ((61705, 61706, "LeNet-5 parameters"), {}),
    ((0.75, 0.8, "accuracy"), {"tol": 0.02}),
    ((1030, 1000, "about a thousand"), {"rel": 0.02}),
    (((1, 1, 120), (1, 120), "shape"), {}),
    (((28, 28, 6), (28, 28, 16), "shape"), {}),
    ((1, True, "an int is not a boolean"), {}),
    (("same", "valid", "padding"), {}),
    (([(28, 28), 10], [(28, 28), 9], "nested"), {}),
    (({"Shirt"}, {"Coat"}, "a set"), {}),
])
def test_claim_fails_naming_what_the_text_says(args, kwargs):
    with pytest.raises(AssertionError, match=re.escape(args[2])) as err:
        claim(*args, **kwargs)
    assert "the text says" in str(err.value) and "computed" in str(err.value)


def test_claim_between_and_bad_arguments():
    claim_between(0.95, 0.9, None, "dense share")
    claim_between(3, 1, 5, "in range")
    with pytest.raises(AssertionError, match="at least 0.9"):
        claim_between(0.85, 0.9, None, "dense share")
    with pytest.raises(AssertionError, match="at most 5"):
        claim_between(6, None, 5, "steps")
    with pytest.raises(ValueError):
        claim_between("a", 0, 1, "not a number")
    with pytest.raises(ValueError):
        claim_between(1, 2, 1, "empty range")
    with pytest.raises(ValueError):
        claim(1, 1, "negative tolerance", tol=-1)



def test_report_mode_prints_a_failed_claim_instead_of_raising(monkeypatch, capsys):
    monkeypatch.setenv("CNNCOURSE_CLAIMS", "report")
    assert claim(2.23, 6, "points lost", tol=3) == 2.23
    assert claim_between(0.85, 0.9, None, "dense share") == 0.85
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("✗ claim failed: the text says points lost is 6 ± 3") and "2.23" in out[0]
    assert out[1].startswith("✗ claim failed: the text says dense share is at least 0.9")
    monkeypatch.setenv("CNNCOURSE_CLAIMS", "")              # anything else: claims assert
    with pytest.raises(AssertionError):
        claim(2.23, 6, "points lost", tol=3)

# --------------------------------------------------------------------------- the static rule
CITED = [
    r"\b(1[89]|20)\d\d\b",                                    # years
    r"\(\d+\.\d+\)|\b(equation|eq\.|식)\s*\(?\d+\.\d+\)?",      # equation numbers (4.10)
    r"\b(fig(ure)?s?\.?|그림)\s*\d+(-\d+)?(\s*\([a-z]\))?",   # figure numbers fig 4-19, 그림 4-8
    r"\b(fig(ure)?s?\.?|그림)\s*\d+-\d+\s*(and|,|or)\s*\d+-\d+",
    r"\bS\d+(-S?\d+)?\b",                                     # course-map items S21, S1-S6
    r"(?<![\d.,])\b00[0-4]\b(?![.,]\d)",                                           # the documents 000-004
    r"\b(notebooks?|chapters?|lectures?|exercises?|sections?|items?)\s+\d+(\s*(-|–|and|,|to)\s*\d+)*",
    r"\b\d+(st|nd|rd|th)\b", r"\b\d+/E\b", r"\b\d+(\.\d+)?\s*(ed\.|edition)",
    r"\b(Keras|TensorFlow|TF|Python|nbformat|Hands-On ML)\s*\d+(\.\d+)*",
    r"\b(4\.3(\.\d)?)\b",                                     # 003's section numbers
    r"arXiv:\s*\d+\.\d+", r"\bpp?\.\s*\d+(-\d+)?", r"\b\d+\(\d+\)",   # citation details
    r"^#\s*\d\d\b", r"^\s*\d+\.\s", r"(?<=[;:—]\s)\d+\.\s",          # numbered list markers
]
# Numbers quoted from a source that no pattern recognises: (notebook, number) -> the source.
CITED_NUMBERS = {
    ("05_pooling.ipynb", "0.4"): "Krizhevsky et al. 2012, section 3.4: overlapping pooling, top-1 error -0.4",
    ("05_pooling.ipynb", "0.3"): "Krizhevsky et al. 2012, section 3.4: overlapping pooling, top-5 error -0.3",
    ("09_improving_the_model.ipynb", "92%"): "Geron, Hands-On ML 2nd ed., ch. 14: 002's CNN 'over 92%'",
    ("09_improving_the_model.ipynb", "90%"): "001's test accuracy, computed and claimed in notebook 08 (S61)",
    ("09_improving_the_model.ipynb", "99.5%"): "Dosovitskiy et al., ICLR 2021, table 2: ViT-H/14 on CIFAR-10",
}
CITED_RE = re.compile("|".join(f"(?:{p})" for p in CITED), re.IGNORECASE | re.MULTILINE)
QUOTATION = re.compile(r'"[^"\n]{1,200}"|“[^”]*”')      # quotations (of 000-004, of papers): cited
NUMBER = re.compile(r"(?<![\w.])(?<![A-Za-z]-)(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?(?:e-?\d+)?)(%?)(?![\w])")


def _markdown_numbers(text):
    """The numbers a markdown cell states: (token, value, is_percent), citations removed."""
    text = re.sub(r"```.*?```", " ", text, flags=re.S)                 # code blocks
    text = re.sub(r"`[^`]*`", " ", text)                                 # code spans
    text = QUOTATION.sub(" ", text)                                      # quotations
    text = re.sub(r"\\(mathrm|text|operatorname)\{[^}]*\}", " ", text)   # words in formulas
    text = re.sub(r"\\[td]?frac\d\d", " ", text)                         # \tfrac12 = 1/2
    text = re.sub(r"\^\{?\d+\}?", " ", text)                               # exponents: F^2, 1/k^{2}
    text = re.sub(r"\\[a-zA-Z]+", " ", text)                             # other LaTeX commands
    text = re.sub(r"https?://\S+", " ", text)
    text = CITED_RE.sub(" ", text)
    text = re.sub(r"(\d)\s*[x×*·]\s*(?=\d)", r"\1 ", text)               # 28x28, 5*5, 7·7
    text = re.sub(r"(\d)\s*[xX×]\b", r"\1 ", text)                       # 2x (times)
    found = []
    for m in NUMBER.finditer(text):
        token = m.group(1)
        found.append((token + m.group(2), float(token.replace(",", "")), m.group(2) == "%"))
    return found


def _code_numbers(source):
    """Every numeric literal written in a code cell, f-strings included (IPython magics skipped)."""
    lines = [line for line in source.splitlines() if not line.lstrip().startswith(("%", "!"))]
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:                       # not Python: fall back to the digits it contains
        return {float(t) for t in re.findall(r"\d+(?:\.\d+)?", source)}
    return {float(node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, (int, float))
            and not isinstance(node.value, bool)}


def _matches(value, is_percent, literals):
    candidates = [value] + ([value / 100] if is_percent else [])
    return any(math.isclose(c, v, rel_tol=1e-9, abs_tol=1e-12) for c in candidates for v in literals)


def sections(cells):
    """Cut a notebook's cells at markdown headings: lists of cells. The first one (the title, the
    chapter's overview and the set-up code) is prose: its numbers are stated again, and computed,
    in the sections they announce."""
    out = [[]]
    for cell in cells:
        source = "".join(cell["source"])
        if cell["cell_type"] == "markdown" and re.match(r"\s*#{1,4} ", source) and out[-1]:
            out.append([])
        out[-1].append(cell)
    return out


def unsupported_numbers(cells, notebook=""):
    """[(cell id, token)] for numbers stated in markdown but absent from their section's code
    (and not in CITED_NUMBERS for this notebook)."""
    problems = []
    for section in sections(cells)[1:]:      # [0]: the title, the overview and the imports
        code = ["".join(c["source"]) for c in section if c["cell_type"] == "code"]
        if not code:
            continue
        literals = set().union(*(_code_numbers(src) for src in code))
        for cell in section:
            if cell["cell_type"] != "markdown":
                continue
            for token, value, pct in _markdown_numbers("".join(cell["source"])):
                if value <= 1 and not pct and token in ("0", "1"):
                    continue                      # "one ring of zeros", "sums to 1": structural
                if not _matches(value, pct, literals) and (notebook, token) not in CITED_NUMBERS:
                    problems.append((cell.get("id"), token))
    return problems


def test_the_rule_catches_an_unsupported_number_and_accepts_a_claimed_one():
    title = {"cell_type": "markdown", "id": "t", "source": ["# 07 · LeNet"]}
    md = {"cell_type": "markdown", "id": "m", "source": ["## LeNet-5\nIt has 61,706 parameters "
                                                          "and 95.2% of them are dense (fig 4-19, 1998)."]}
    bare = {"cell_type": "code", "id": "c", "source": ["model.count_params()"]}
    claimed = {"cell_type": "code", "id": "c", "source": [
        "claim(model.count_params(), 61706, 'parameters')\nclaim(share, 0.952, 'dense share')"]}
    assert unsupported_numbers([title, md, bare]) == [("m", "61,706"), ("m", "95.2%")]
    assert unsupported_numbers([title, md, claimed]) == []
    assert _markdown_numbers("a `Conv2D(32, 3)` layer, equation (4.10), S21, notebook 03, 2012, 003") == []
    assert [t for t, _, _ in _markdown_numbers("6,000 images, rate 0.001")] == ["6,000", "0.001"]
    assert [t for t, _, _ in _markdown_numbers("28x28 -> 14×14, 7·7·64 = 3136")] == \
        ["28", "28", "14", "14", "7", "7", "64", "3136"]


@pytest.mark.parametrize("path", LECTURES, ids=[p.name for p in LECTURES])
def test_every_stated_number_is_computed_or_cited(path):
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    problems = unsupported_numbers(cells, path.name)
    assert not problems, (
        f"{path.name}: numbers stated in markdown that no code in their section computes or uses "
        f"(cell id, number): {problems}. Compute each one in the section's code and check it with "
        "cnncourse.claims.claim(value, expected, what), cite it (document, figure, year), or remove it.")
