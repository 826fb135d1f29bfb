"""Static scan of a submission's code for the use of a reference implementation.

An answer that calls ``cnncourse.ops.conv2d`` (or ``scipy.signal``, ``tf.nn``, a Keras conv
layer where the exercise is to write the operation in NumPy) computes the right numbers without
doing the exercise. The outputs cannot tell, so the grader reads the code: imports (``import x
as y``, ``from x import y as z``), the names the pristine setup cell imports (``ch02``, ``np``),
attribute chains through those aliases and through assignments of them (``o = cnncourse.ops``),
and names written as strings. Reaching code by name (``__import__``, ``importlib``,
``sys.modules``, ``exec``/``eval``, ``getattr``) is reported as ``dynamic``, and reaching into
the interpreter the way only an attack does (frames, tracing, IPython's hooks, processes,
sockets) as ``introspection``. Findings go into the report's ``flags`` column of the exercise
(those of extra cells: of every exercise) for the instructor; they never change a status.
"""
from __future__ import annotations

import ast
import re

#: Reported in every chapter: the course's own answers and the libraries that have them.
REFERENCES = ("cnncourse.ops", "cnncourse.models", "cnncourse.checks", "cnncourse.fast",
              "cnncourse.inside", "cnncourse.training", "cnncourse.grading", "cnncourse.gradcheck",
              "scipy.signal", "scipy.ndimage", "tensorflow.nn", "tensorflow.raw_ops",
              "torch", "jax")
#: Reported where the exercise is to write the operation in NumPy (all but KERAS_CHAPTERS):
#: Keras' and TensorFlow's layers and ops, scikit-image's filters, OpenCV.
NUMPY_ONLY = ("keras.layers", "keras.ops", "keras.src", "tensorflow.keras", "tensorflow.image",
              "tensorflow.signal", "skimage.filters", "skimage.util.view_as_windows", "cv2")
KERAS_CHAPTERS = ("07_lenet", "08_fashion_mnist")
DYNAMIC = ("__import__", "importlib", "exec", "eval", "compile", "sys.modules", "builtins",
           "__builtins__", "globals", "locals", "vars", "getattr", "setattr", "pickle", "marshal")
INTROSPECTION = ("sys._getframe", "sys.settrace", "sys.setprofile", "sys.addaudithook",
                 "inspect", "gc", "ctypes", "threading.settrace", "get_ipython", "IPython",
                 "ipykernel", "signal", "os.fork", "os.setsid", "os.kill", "os.system",
                 "os.exec", "os.spawn", "os.environ", "subprocess", "socket", "multiprocessing",
                 "pty", "resource", "nbval", "pytest")
ATTRIBUTES = {"__code__", "__defaults__", "__kwdefaults__", "__globals__", "__closure__",
              "f_back", "f_locals", "f_globals", "tb_frame", "gi_frame", "cr_frame",
              "__subclasses__", "__mro__", "__bases__"}
_BUILTIN_NAMES = {"__import__", "eval", "exec", "compile", "globals", "locals", "vars",
                  "getattr", "setattr", "get_ipython", "__builtins__"}
_MAGIC = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)


def _parse(source):
    """(ast, magics) of a cell; IPython magics and shell lines become `pass`."""
    magics = [m.group(2).strip() for m in _MAGIC.finditer(source)]
    try:
        return ast.parse(_MAGIC.sub(lambda m: m.group(1) + "pass", source)), magics
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, magics


def _canonical(name):
    head, _, rest = name.partition(".")
    head = {"tf": "tensorflow"}.get(head, head)
    return f"{head}.{rest}" if rest else head


def _dotted(node, aliases):
    """The full dotted name of an attribute chain rooted at a known name, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    base = aliases.get(node.id, node.id if node.id in _BUILTIN_NAMES else None)
    return None if base is None else ".".join([base, *reversed(parts)])


def _bind_aliases(tree, aliases):
    """Add the names a cell binds to modules or their attributes (imports, assignments)."""
    nodes = list(ast.walk(tree))
    for _ in range(2):                                  # a = cnncourse; b = a.ops
        for node in nodes:
            if isinstance(node, ast.Import):
                for a in node.names:
                    top = a.name.split(".")[0]
                    aliases[a.asname or top] = _canonical(a.name if a.asname else top)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    aliases[a.asname or a.name] = _canonical(f"{node.module}.{a.name}")
            elif isinstance(node, ast.Assign):
                value = _dotted(node.value, aliases)
                for target in node.targets:
                    if value and isinstance(target, ast.Name):
                        aliases[target.id] = value
    return aliases


def _matches(name, prefixes):
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def setup_aliases(sources):
    """The names the pristine setup cells bind (``np``, ``ch02``, ``layers``)."""
    aliases = {}
    for source in sources:
        tree, _ = _parse(source)
        if tree is not None:
            _bind_aliases(tree, aliases)
    return aliases


def scan_source(source, chapter, known=None):
    """Sorted findings of one cell: "reference: cnncourse.ops.conv2d", "dynamic: __import__",
    "introspection: sys._getframe", "magic: %run x"."""
    tree, magics = _parse(source)
    found = {f"magic: {m[:60]}" for m in magics}
    if tree is None:
        return sorted(found | {"unparsable cell"})
    aliases = _bind_aliases(tree, dict(known or {}))
    references = REFERENCES + (() if chapter in KERAS_CHAPTERS else NUMPY_ONLY)
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(_canonical(a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update(_canonical(f"{node.module}.{a.name}") for a in node.names)
        elif isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node, aliases)
            if dotted:
                names.add(dotted)
            if isinstance(node, ast.Attribute) and node.attr in ATTRIBUTES:
                found.add(f"introspection: .{node.attr}")
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and re.fullmatch(r"[A-Za-z_][\w.]*", node.value.strip()):
            text = _canonical(node.value.strip())
            if _matches(text, references):
                names.add(text)
    for name in names:
        if _matches(name, references):
            found.add(f"reference: {name}")
        elif _matches(name, DYNAMIC):
            found.add(f"dynamic: {name}")
        elif _matches(name, INTROSPECTION):
            found.add(f"introspection: {name}")
    return sorted(found)


def flags(graded, chapter):
    """{exercise: 'finding; finding'} of a graded notebook: an answer cell's findings go to its
    exercise, an extra cell's to every exercise (marked "extra cell")."""
    from cnncourse.grading.notebook import exercises_of, student_code, tags
    known = setup_aliases(c.source for c in graded.cells if "setup" in tags(c))
    per, shared = {}, set()
    for exercise, _, source in student_code(graded):
        found = scan_source(source, chapter, known)
        if exercise:
            per.setdefault(exercise, set()).update(found)
        else:
            shared.update(f"{f} (extra cell)" for f in found)
    out = {}
    for ex in exercises_of(graded):
        items = sorted(per.get(ex, set()) | shared)
        if items:
            out[ex] = "; ".join(items)
    return out
