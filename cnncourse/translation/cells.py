"""One notebook cell <-> its translatable messages ("pieces"), and back.

A markdown cell is one message. A code cell's messages are its comments and its text string
literals; everything else (names, numbers, operators, strings that are code such as
``padding="same"``, dict keys, file names) is never touched, so a translated code cell tokenizes
exactly like the English one except for the text inside those comments and strings.

A string literal is text when it has a Latin word (2+ letters) and
  1. it is a docstring, an ``assert`` message, or an argument of a ``raise``d exception;
  2. or it is shown by a call: (inside lists, tuples, ``%``/``+``, conditionals, comprehensions,
     ``"...".format(...)`` and its arguments, ``", ".join(...)``) a positional argument of a call
     that shows text (``print``, ``set_title``, ``xlabel``, ``legend``, ``show_images``, ... see
     DISPLAY_CALLS), the text argument of a claim (``claim(value, expected, what)``,
     ``claim_between(value, low, high, what)``: ``what`` only, TEXT_ARGUMENTS) or the value of
     a text keyword (``title=``, ``titles=``, ``label=``, ...);
  3. or it reads like prose (two words separated by a space; an f-string counts its literal
     parts) and is not a dict key, a subscript, a comparison operand, an argument of a call that
     takes code (``open``, ``get_layer``, ...) or the value of a code keyword (``padding=``, ...);
  4. or it is marked: the argument of ``T(...)`` (cnncourse.T, a no-op that returns its text).
Everything else is code and never changes. The rule a notebook author follows: text a reader
sees that none of 1-3 reaches (a dict key that becomes a title or a printed label, a one-word
label in a list that is printed later, a label with no second word like "dropout 0.5") is
wrapped in ``T()``: ``variants = {T("original"): img}``. A string inside another string's
``{placeholder}`` is never a message on its own (translate the whole f-string or move the
label out of the placeholder). A label that code also reads back as a key (``acc["original"]``
in a claim) must stay the same string: mark the key lookup too, in the same cell
(``variants[T("original")]``: one message, one translation), or leave the label English (the
translator copies it, with a note). Translators copy a message unchanged when it is not shown to
the reader after all.

Offsets: every Piece is a [start, end) range of characters of the cell source; for a string it
covers the text between the quotes (prefix and quotes stay), for a comment the text after ``#``.
"""
from __future__ import annotations

import ast
import io
import re
import tokenize
from dataclasses import dataclass

DISPLAY_CALLS = {"print", "display", "Markdown", "set_title", "title", "suptitle", "set_xlabel",
                 "set_ylabel", "xlabel", "ylabel", "text", "annotate", "legend", "set_label",
                 "warn", "Label", "show_images", "show_image"}
MARKER = "T"           # T("...") marks text (cnncourse.i18n.T)
# calls with one text argument (its position, or the keyword what=) among arguments that are
# values: claim(value, expected, what) prints `what`, and its expected value is compared with
# the computed one, so it stays code (an expected "good fit" must not be translated)
TEXT_ARGUMENTS = {"claim": 2, "claim_between": 3}
TEXT_KEYWORDS = {"title", "titles", "label", "labels", "xlabel", "ylabel", "suptitle",
                 "description", "tooltip", "caption", "header", "msg", "message", "text"}
CODE_KEYWORDS = {"padding", "activation", "cmap", "data_format", "mode", "loss", "name",
                 "monitor", "objective", "project_name", "dtype", "color", "ha", "va",
                 "linestyle", "pad_mode", "preset", "optimizer", "metrics", "interpolation",
                 "marker", "kernel_initializer", "directory", "path", "fname"}
# calls whose string arguments are code (file names, layer names, ...), however they read
CODE_CALLS = {"savefig", "open", "Path", "imread", "imsave", "load", "save", "read_csv", "to_csv",
              "get_layer", "sample_image", "startswith", "endswith", "replace", "split",
              "getattr", "hasattr", "setdefault", "get", "astype", "simplefilter",
              "filterwarnings", "environ"}
FILE_NAME = re.compile(r"[\w./ -]+\.(png|jpe?g|csv|json|npz?|h5|keras|ipynb|txt|gz|pdf|svg)",
                       re.IGNORECASE)
# comments the tools read: never messages
KEEP_COMMENT = re.compile(r"^(#+\s*)?(BEGIN SOLUTION|END SOLUTION|NBVAL_\w+|noqa|type:|pragma|"
                          r"fmt:|pylint:|!)", re.IGNORECASE)
LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
PROSE = re.compile(r"[A-Za-z]{2,}[^\S\n]+[^\s]*[A-Za-z]")
PYTHON_CELL_MAGICS = {"time", "timeit", "capture", "prun"}
_LITERAL_START = re.compile(r"([rRbBuUfF]{0,2})('''|\"\"\"|'|\")")


class TranslationError(ValueError):
    """A translation that would break a cell; the message names the cell and the problem."""


@dataclass(frozen=True)
class Piece:
    kind: str      # "markdown", "comment", "string" or "docstring"
    start: int     # the replaced text is source[start:end]
    end: int
    text: str      # the English message
    fstring: bool = False
    quote: str = ""  # a string's quotes: ' " ''' or """


def markdown_pieces(source):
    return [Piece("markdown", 0, len(source), source)] if source.strip() else []


def mask_magics(source):
    """The cell as plain Python of the same length (IPython magics blanked), or None when the
    cell is not Python (a %%bash, %%html ... cell)."""
    lines = source.split("\n")
    for i, line in enumerate(lines):
        if i == 0 and line.startswith("%%"):
            name = line[2:].split(maxsplit=1)[0] if line[2:].strip() else ""
            if name not in PYTHON_CELL_MAGICS:
                return None
            lines[i] = " " * len(line)
        elif line.startswith(("%", "!")) or re.fullmatch(r"[\w.]+\?{1,2}\s*", line):
            lines[i] = " " * len(line)
    return "\n".join(lines)


def _offsets(source):
    """A function (lineno, UTF-8 column) -> character offset, for ast positions."""
    lines = source.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)

    def offset(lineno, col):
        line = lines[lineno - 1]
        return starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8"))
    return offset


def _literal_parts(source, start, end):
    """(prefix, quote, content start, content end) of each literal in source[start:end]
    (implicit concatenation gives several)."""
    parts, i = [], start
    while i < end:
        char = source[i]
        if char.isspace() or char in "()\\":
            i += 1
            continue
        if char == "#":
            newline = source.find("\n", i, end)
            i = end if newline < 0 else newline
            continue
        match = _LITERAL_START.match(source, i)
        if not match:
            raise TranslationError(f"cannot read the string literal at {source[i:i + 20]!r}")
        quote, j = match.group(2), match.end()
        while not source.startswith(quote, j):
            j += 2 if source[j] == "\\" else 1
        parts.append((match.group(1), quote, match.end(), j))
        i = j + len(quote)
    return parts


def _call_name(call):
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)


def _strings_in(node):
    """String nodes an expression shows: through containers, % and +, conditionals, f-strings,
    and the receiver of "...".format(...), but not into other calls."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node]
    if isinstance(node, ast.JoinedStr):
        return [node]
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [s for item in node.elts for s in _strings_in(item)]
    if isinstance(node, ast.BinOp):
        return _strings_in(node.left) + _strings_in(node.right)
    if isinstance(node, ast.IfExp):
        return _strings_in(node.body) + _strings_in(node.orelse)
    if isinstance(node, ast.Starred):
        return _strings_in(node.value)
    if isinstance(node, (ast.ListComp, ast.SetComp, ast.GeneratorExp)):
        return _strings_in(node.elt)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if node.func.attr == "format":
            return _strings_in(node.func.value) + [s for arg in node.args for s in _strings_in(arg)]
        if node.func.attr == "join":
            return _strings_in(node.func.value)
    if isinstance(node, ast.Call) and _call_name(node) == MARKER:
        return [s for arg in node.args for s in _strings_in(arg)]
    return []


def _text_nodes(tree):
    """The string nodes of a module that are text (the rules in the module docstring)."""
    text, code = [], set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                text.append(body[0].value)
        elif isinstance(node, ast.Assert) and node.msg is not None:
            text += _strings_in(node.msg)
        elif isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
            text += [s for arg in node.exc.args for s in _strings_in(arg)]
        elif isinstance(node, ast.Call):
            if _call_name(node) in DISPLAY_CALLS or _call_name(node) == MARKER:
                text += [s for arg in node.args for s in _strings_in(arg)]
            elif _call_name(node) in TEXT_ARGUMENTS:
                position = TEXT_ARGUMENTS[_call_name(node)]
                for index, arg in enumerate(node.args):
                    if index == position:
                        text += _strings_in(arg)
                    else:
                        code.update(id(s) for s in _strings_in(arg))
                for keyword in node.keywords:
                    if keyword.arg == "what":
                        text += _strings_in(keyword.value)
            elif _call_name(node) in CODE_CALLS:
                code.update(id(s) for arg in node.args for s in _strings_in(arg))
            for keyword in node.keywords:
                if keyword.arg in TEXT_KEYWORDS:
                    text += _strings_in(keyword.value)
                elif keyword.arg in CODE_KEYWORDS:
                    code.update(id(s) for s in _strings_in(keyword.value))
        elif isinstance(node, ast.Dict):
            code.update(id(k) for k in node.keys if k is not None)
        elif isinstance(node, ast.Subscript):
            code.update(id(s) for s in _strings_in(node.slice))
        elif isinstance(node, ast.Compare):
            code.update(id(s) for part in [node.left, *node.comparators] for s in _strings_in(part))
    chosen = {id(n) for n in text}
    parts = {id(v) for node in ast.walk(tree) if isinstance(node, ast.JoinedStr)
             for v in ast.walk(node) if isinstance(v, ast.Constant)
             and not _inside_placeholder(node, v)}
    for node in ast.walk(tree):        # prose-like strings that are not code
        if id(node) in chosen or id(node) in code or id(node) in parts:
            continue
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words = node.value
        elif isinstance(node, ast.JoinedStr):
            words = "{}".join(v.value for v in node.values if isinstance(v, ast.Constant))
        else:
            continue
        if PROSE.search(words) and not FILE_NAME.fullmatch(words):
            text.append(node)
            chosen.add(id(node))
    return text


def _inside_placeholder(fstring, node):
    """Whether `node` (below an f-string) is inside one of its {placeholders}' expressions."""
    return any(node is inner for value in fstring.values if isinstance(value, ast.FormattedValue)
               for inner in ast.walk(value.value))


def _comment_pieces(masked):
    pieces = []
    offset = _char_offsets(masked)
    for tok in tokenize.generate_tokens(io.StringIO(masked).readline):
        if tok.type != tokenize.COMMENT or KEEP_COMMENT.match(tok.string):
            continue
        lead = re.match(r"#+[^\S\n]*", tok.string).end()
        body = tok.string[lead:].rstrip()
        if LATIN_WORD.search(body):
            start = offset(*tok.start) + lead
            pieces.append(Piece("comment", start, start + len(body), body))
    return pieces


def _char_offsets(source):
    lines = source.split("\n")
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line) + 1)
    return lambda row, col: starts[row - 1] + col


def code_pieces(source):
    """The messages of one code cell, in source order."""
    masked = mask_magics(source)
    if masked is None:
        return []
    try:
        tree = ast.parse(masked)
    except SyntaxError as err:
        raise TranslationError(f"not valid Python (line {err.lineno}: {err.msg})") from None
    offset = _offsets(masked)
    pieces = _comment_pieces(masked)
    seen = set()
    for node in _text_nodes(tree):
        kind = "docstring" if _is_docstring(tree, node) else "string"
        start = offset(node.lineno, node.col_offset)
        end = offset(node.end_lineno, node.end_col_offset)
        for prefix, quote, begin, stop in _literal_parts(masked, start, end):
            body = masked[begin:stop]
            if "b" in prefix.lower() or begin in seen or not LATIN_WORD.search(body):
                continue
            seen.add(begin)
            pieces.append(Piece(kind, begin, stop, body, fstring="f" in prefix.lower(),
                                quote=quote))
    strings = [p for p in pieces if p.kind != "comment"]
    return sorted((p for p in pieces if not any(o is not p and o.start <= p.start < o.end
                                                 for o in strings)),
                  key=lambda p: p.start)


def _is_docstring(tree, node):
    for owner in ast.walk(tree):
        if isinstance(owner, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            body = owner.body
            if body and isinstance(body[0], ast.Expr) and body[0].value is node:
                return True
    return False


def cell_pieces(cell):
    if cell.cell_type == "markdown":
        return markdown_pieces(cell.source)
    if cell.cell_type == "code":
        return code_pieces(cell.source)
    return []


PERCENT_FIELD = re.compile(r"%(?:\(\w+\))?[-#0+]*\d*(?:\.\d+)?[sdifrgeExXoc]")


def placeholders(text):
    """The {...} fields (nested braces included, {{ }} skipped) and %-conversions of a string,
    sorted: a translation must keep exactly these."""
    fields, i = [], 0
    while i < len(text):
        if text.startswith(("{{", "}}"), i):
            i += 2
        elif text[i] == "{":
            depth, j = 0, i
            while j < len(text):
                depth += {"{": 1, "}": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            fields.append(text[i:j + 1])
            i = j + 1
        else:
            i += 1
    return sorted(fields + PERCENT_FIELD.findall(text))


def check_translation(piece, translation):
    """Raise TranslationError when `translation` cannot replace `piece` in code."""
    if piece.kind == "markdown":
        return
    if piece.kind == "comment" and "\n" in translation:
        raise TranslationError("a comment's translation must stay on one line")
    if piece.kind in ("string", "docstring"):
        if len(piece.quote) == 1 and "\n" in translation:
            raise TranslationError("a one-line string's translation must stay on one line "
                                   "(write \\n for a line break)")
        if re.search(r"(?<!\\)(?:\\\\)*" + re.escape(piece.quote), translation):
            raise TranslationError(f"the translation contains the string's own quote "
                                   f"{piece.quote}: escape it (\\{piece.quote[0]}) or use "
                                   "other quotes (「」, ‘’, “”)")
        if placeholders(piece.text) != placeholders(translation):
            raise TranslationError(f"the placeholders differ: English {placeholders(piece.text)}, "
                                   f"translation {placeholders(translation)}")


def apply(source, pieces, translations):
    """`source` with each piece's text replaced by translations[i] (None keeps the English)."""
    out = source
    for piece, text in sorted(zip(pieces, translations), key=lambda pt: -pt[0].start):
        if text is not None:
            out = out[:piece.start] + text + out[piece.end:]
    return out


def significant_tokens(source):
    """(type, text) of every token of a code cell (magics blanked), without position. An
    f-string is one STRING token on every Python (3.12 splits it into FSTRING_* tokens)."""
    masked = mask_magics(source)
    if masked is None:
        return [(tokenize.STRING, source)]
    offset = _char_offsets(masked)
    out, depth, start = [], 0, None
    for tok in tokenize.generate_tokens(io.StringIO(masked).readline):
        name = tokenize.tok_name[tok.type]
        if name == "FSTRING_START":
            depth += 1
            start = offset(*tok.start) if depth == 1 else start
        elif name == "FSTRING_END":
            depth -= 1
            if depth == 0:
                out.append((tokenize.STRING, masked[start:offset(*tok.end)]))
        elif depth == 0 and tok.type not in (tokenize.NL, tokenize.ENDMARKER):
            out.append((tok.type, tok.string))
    return out


TEXT_TOKENS = {tokenize.COMMENT, tokenize.STRING}


def token_differences(english, translated):
    """Where two code cells differ other than in the text of comments and strings: a list of
    human-readable problems ([] when token-identical up to text)."""
    try:
        a, b = significant_tokens(english), significant_tokens(translated)
        masked = mask_magics(translated)
        if masked is not None:
            ast.parse(masked)
    except (tokenize.TokenError, SyntaxError) as err:
        return [f"the translated cell is not valid Python ({err})"]
    if len(a) != len(b):
        return [f"{len(a)} tokens in English, {len(b)} in the translation"]
    problems = []
    for (ta, sa), (tb, sb) in zip(a, b):
        if ta != tb or (sa != sb and ta not in TEXT_TOKENS):
            problems.append(f"{tokenize.tok_name[ta]} {sa!r} became {tokenize.tok_name[tb]} {sb!r}")
    return problems
