"""Reports an instructor can open safely (cnncourse.grading.report) and submissions parsed
strictly (cnncourse.grading.notebook): formulas neutralised, escapes removed, sizes capped,
every malformed file `invalid` with a message that says what is wrong."""
import csv
import json

import pytest

from cnncourse.grading import protocol
from cnncourse.grading.notebook import Invalid, read_submission
from cnncourse.grading.report import Row, clean, scores, spreadsheet_safe, summary, write_report


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1",
                                  "=HYPERLINK(\"http://x\",\"y\")"])
def test_formulas_are_shown_as_text(text):
    assert spreadsheet_safe(text) == "'" + text


def test_plain_fields_are_kept():
    assert spreadsheet_safe("conv1d: OK (12 cases)") == "conv1d: OK (12 cases)"
    assert spreadsheet_safe("a-b") == "a-b"


def test_csv_report_neutralises_every_field(tmp_path):
    rows = [Row("=cmd|' /C calc'!A0.ipynb", "conv1d", "failed", "-2+3 expected", "@flag", "1",
                "bwrap")]
    write_report(rows, tmp_path / "r.csv")
    with open(tmp_path / "r.csv", newline="", encoding="utf-8") as fh:
        got = list(csv.reader(fh))
    assert got[0] == list(protocol.FIELDS)
    assert got[1] == ["'=cmd|' /C calc'!A0.ipynb", "conv1d", "failed", "'-2+3 expected", "'@flag",
                      "1", "bwrap"]


def test_messages_lose_escapes_and_are_capped():
    row = Row("a.ipynb", "conv1d", "error", "\x1b[2J\x1b[31mred\x07\x00 text\nnext line" + "x" * 5000)
    assert row.message.startswith("red text\nnext line")
    assert len(row.message) <= protocol.MAX_MESSAGE and row.message.endswith("[... cut off]")
    assert clean("\u202eevil") == "evil"                       # no right-to-left override
    with pytest.raises(ValueError, match="unknown status"):
        Row("a", "b", "great")


def test_summary_counts_and_scores():
    rows = [Row("a.ipynb", "x", "passed"), Row("a.ipynb", "y", "failed"),
            Row("b.ipynb", "x", "invalid")]
    assert scores(rows) == {"a.ipynb": (1, 2), "b.ipynb": (0, 1)}
    text = summary(rows)
    assert "1/2" in text and "0/1" in text


def nb(**changes):
    data = {"nbformat": 4, "nbformat_minor": 5, "metadata": {"cnncourse": {"chapter": "02_convolution"}},
            "cells": [{"cell_type": "code", "id": "a", "source": "x = 1", "metadata": {},
                       "outputs": [], "execution_count": None}]}
    data.update(changes)
    return json.dumps(data).encode()


@pytest.mark.parametrize("raw, why", [
    (b"\xff\xfe", "not UTF-8"),
    (b'{"cells": [', "not valid JSON"),
    (b"[" * 100_000 + b"]" * 100_000, "nested"),
    (json.dumps({"a": [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}).encode(), "nested"),
    (b"[]", "no nbformat 4"),
    (nb(nbformat=3), "no nbformat 4"),
    (nb(cells={"a": 1}), "no nbformat 4"),
    (nb(metadata={"cnncourse": "02_convolution"}), "metadata.cnncourse.chapter"),
    (nb(metadata={"cnncourse": {"chapter": 2}}), "metadata.cnncourse.chapter"),
    (nb(metadata=[]), "metadata.cnncourse.chapter"),
    (nb(cells=[{"cell_type": "code", "source": [1, 2]}]), "source of cell 0 must be text"),
    (nb(cells=[{"cell_type": "widget", "source": ""}]), "cell 0 is not a code"),
    (nb(cells=["x"]), "cell 0 is not a code"),
    (b" " * (protocol.MAX_SUBMISSION_BYTES + 1), "larger than"),
])
def test_malformed_submissions_are_invalid_with_a_reason(raw, why):
    with pytest.raises(Invalid, match=why):
        read_submission(raw)


def test_a_fair_submission_is_read_to_type_id_and_source():
    got = read_submission(nb(cells=[{"cell_type": "code", "id": "bad id!", "source": ["a\n", "b"],
                                     "metadata": {"tags": "check"}, "outputs": "junk"}]))
    assert got == {"chapter": "02_convolution",
                   "cells": [{"cell_type": "code", "id": None, "source": "a\nb"}]}
