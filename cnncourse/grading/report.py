"""Report rows, the CSV/JSON report and the printed summary.

Every text that reaches a report or the terminal is cleaned first (``Row``): control characters
and terminal escapes removed, length capped. The CSV neutralises spreadsheet formulas: a field
that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading ``'``
(OWASP's advice), so that a file named ``=HYPERLINK(...).ipynb`` or a message quoting a
student's output is shown as text by Excel, LibreOffice or an LMS import.

The report's columns and statuses are data (an LMS imports them): always English. The messages
are in each submission's language (the runner), the printed summary in the language in force.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from dataclasses import asdict, dataclass
from pathlib import Path

from cnncourse.grading import protocol
from cnncourse.i18n import N_, _

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
            raise ValueError(f"unknown status {self.status!r}")   # a grader bug: English


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
        raise ValueError(_("report {path} must end in .csv or .json").format(path=path))


def scores(rows):
    """{submission: (passed, total)} in first-seen order."""
    out = {}
    for row in rows:
        passed, total = out.get(row.submission, (0, 0))
        out[row.submission] = (passed + (row.status == "passed"), total + 1)
    return out


#: the statuses as the summary shows them (translated there; the report keeps protocol.STATUSES)
STATUS_NAMES = {"passed": N_("passed"), "failed": N_("failed"), "error": N_("error"),
                "timeout": N_("timeout"), "invalid": N_("invalid")}


def status_name(status):
    """A status in the language in force ('passed' -> '통과' in Korean)."""
    return _(STATUS_NAMES[status]) if status in STATUS_NAMES else status


def display_width(text):
    """Columns `text` takes in a terminal: Hangul and other wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in str(text))


def _pad(text, width, right=False):
    fill = " " * max(0, width - display_width(text))
    return fill + str(text) if right else str(text) + fill


def summary(rows):
    """A plain-text table in the language in force: one line per submission, a count per
    status, and the score (columns aligned for wide characters too)."""
    buf = io.StringIO()
    heading = _("submission")
    width = max([display_width(heading)] + [display_width(r.submission) for r in rows])
    names = [status_name(s) for s in protocol.STATUSES]
    cols = [max(7, display_width(n)) for n in names]
    buf.write(_pad(heading, width) + "  "
              + " ".join(_pad(n, c, right=True) for n, c in zip(names, cols))
              + "   " + _("score") + "\n")
    for sub, (passed, total) in scores(rows).items():
        counts = [sum(r.submission == sub and r.status == s for r in rows) for s in protocol.STATUSES]
        buf.write(_pad(sub, width) + "  "
                  + " ".join(_pad(n, c, right=True) for n, c in zip(counts, cols))
                  + f"   {passed}/{total}\n")
    return buf.getvalue()
