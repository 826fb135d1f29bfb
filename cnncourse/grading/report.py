"""Report rows, the CSV/JSON report and the printed summary.

Every text that reaches a report or the terminal is cleaned first (``Row``): control characters
and terminal escapes removed, length capped. The CSV neutralises spreadsheet formulas: a field
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``
(OWASP's advice), so that a file named ``=HYPERLINK(...).ipynb`` or a message quoting a
student's output is shown as text by Excel, LibreOffice or an LMS import.
"""
from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from cnncourse.grading import protocol

_CONTROL = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|[\x00-\x08\x0b-\x1f\x7f\u202a-\u202e\u2066-\u2069]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


def clean(text, limit=protocol.MAX_MESSAGE):
    """Text safe for a report and a terminal: no escapes or control characters, capped."""
    text = _CONTROL.sub("", str(text))
    return text if len(text) <= limit else text[:limit - 14] + " [... cut off]"


@dataclass
class Row:
    submission: str
    exercise: str
    status: str
    message: str = ""
    flags: str = ""
    seed: str = ""
    sandbox: str = ""

    def __post_init__(self):
        for name in protocol.FIELDS:
            setattr(self, name, clean(getattr(self, name)))
        if self.status not in protocol.STATUSES:
            raise ValueError(f"unknown status {self.status!r}")


def spreadsheet_safe(value):
    """A CSV field a spreadsheet will not run as a formula."""
    value = str(value)
    return "'" + value if value.startswith(_FORMULA) else value


def write_report(rows, path):
    """CSV (for a spreadsheet / LMS import) or JSON, chosen by the file's extension."""
    path = Path(path)
    if path.suffix.lower() == ".json":
        path.write_text(json.dumps([asdict(r) for r in rows], indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    elif path.suffix.lower() == ".csv":
        with open(path, "w", newline="", encoding="utf-8") as fh:
            writer = csv.writer(fh)
            writer.writerow(protocol.FIELDS)
            for row in rows:
                writer.writerow([spreadsheet_safe(getattr(row, f)) for f in protocol.FIELDS])
    else:
        raise ValueError(f"report {path} must end in .csv or .json")


def scores(rows):
    """{submission: (passed, total)} in first-seen order."""
    out = {}
    for row in rows:
        passed, total = out.get(row.submission, (0, 0))
        out[row.submission] = (passed + (row.status == "passed"), total + 1)
    return out


def summary(rows):
    """A plain-text table: one line per submission, a count per status, and the score."""
    buf = io.StringIO()
    width = max([len("submission")] + [len(r.submission) for r in rows])
    buf.write(f"{'submission':<{width}}  " + " ".join(f"{s:>7}" for s in protocol.STATUSES)
              + "   score\n")
    for sub, (passed, total) in scores(rows).items():
        counts = [sum(r.submission == sub and r.status == s for r in rows) for s in protocol.STATUSES]
        buf.write(f"{sub:<{width}}  " + " ".join(f"{c:>7}" for c in counts)
                  + f"   {passed}/{total}\n")
    return buf.getvalue()
