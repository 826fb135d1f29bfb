"""Static scan of a submission's code for the use of a reference implementation.

An answer that calls ``cnncourse.ops.conv2d`` (or ``scipy.signal``, ``tf.nn``, a Keras conv
layer where the exercise is to write the operation in NumPy) computes the right numbers without
doing the exercise. The grader cannot tell that from the outputs, so it reads the code: imports
(``import x as y``, ``from x import y as z``), attribute chains through those aliases and
assignments of them (``o = cnncourse.ops``), and the ways of reaching a module by name
(``__import__``, ``importlib``, ``sys.modules``, ``exec``/``eval``). What it finds goes into the
report's ``flags`` column of the exercise (extra cells: of every exercise) for the instructor to
look at; it never changes a status.

It also flags code that reaches into the interpreter the way only an attack does (frames,
tracing, IPython's input transformers and hooks): whatever that does, the verdict is taken
outside the kernel, but the instructor should know.
"""
from __future__ import annotations

import ast
import re

#: Module prefixes whose use is reported in every chapter.
REFERENCES = ("cnncourse.ops", "cnncourse.models", "cnncourse.checks", "cnncourse.fast",
              "cnncourse.inside", "cnncourse.training", "cnncourse.grading",
              "scipy.signal", "scipy.ndimage", "tensorflow.nn", "tensorflow.raw_ops",
              "tensorflow.keras.layers.Conv", "torch", "jax")
#: Reported where the exercise is to write the operation in NumPy (chapters 02-06): Keras'
#: convolution and pooling (layers and keras.ops), skimage's filters.
NUMPY_ONLY = ("keras.layers.Conv", "keras.layers.MaxPool", "keras.layers.AveragePool",
              "keras.layers.AvgPool", "keras.ops", "keras.src", "tensorflow.keras",
              "tensorflow.image", "tensorflow.signal", "skimage.filters", "cv2")
KERAS_CHAPTERS = ("07_lenet", "08_fashion_mnist")
#: Reaching modules or code by name.
DYNAMIC = {"__import__", "importlib", "exec", "eval", "compile", "sys.modules", "builtins",
           "__builtins__", "globals", "locals", "vars", "getattr"}
#: Interpreter internals an honest answer never touches.
INTROSPECTION = ("sys._getframe", "sys.settrace", "sys.setprofile", "sys.addaudithook",
                 "inspect", "gc", "ctypes", "threading.settrace", "get_ipython", "IPython",
                 "traceback", "signal", "os.fork", "os.setsid", "os.kill", "subprocess",
                 "socket", "multiprocessing", "os.system", "os.exec", "os.spawn", "pty",
                 "__code__", "__defaults__", "__kwdefaults__", "__globals__", "f_back",
                 "f_locals", "f_globals", "tb_frame", "gi_frame", "cr_frame")
_MAGIC = re.compile(r"^(\s*)([%!].*)$", re.MULTILINE)


def _parse(source):
    """ast of a cell, IPython magics and shell lines replaced by `pass` (reported apart)."""
    magics = [m.group(2).strip() for m in _MAGIC.finditer(source)]
    text = _MAGIC.sub(lambda m: m.group(1) + "pass", source)
    try:
        return ast.parse(text), magics
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None, magics


def _dotted(node, aliases):
    """'cnncourse.ops.conv2d' for an attribute chain rooted at an alias, else None."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        base = aliases.get(node.id, node.id if node.id in ("__import__", "eval", "exec", "compile",
                                                           "globals", "locals", "vars", "getattr",
                                                           "get_ipython", "__builtins__") else None)
        if base is None:
            return None
        return ".".join([base] + parts[::-1])
    return None


def _matches(name, prefixes):
    return next((p for p in prefixes if name == p or name.startswith(p + ".")
                 or (p.endswith(("Conv", "Pool", "MaxPool", "AvgPool", "AveragePool"))
                     and name.startswith(p))), None)


def scan_source(source, chapter):
    """Sorted list of findings ("reference: cnncourse.ops.conv2d", "dynamic: __import__", ...)."""
    tree, magics = _parse(source)
    found = set()
    for magic in magics:
        found.add(f"magic: {magic[:40]}")
    if tree is None:
        return sorted(found)
    aliases = {}
    refs = REFERENCES + (() if chapter in KERAS_CHAPTERS else NUMPY_ONLY)
    nodes = list(ast.walk(tree))
    for _ in range(2):                       # aliases of aliases (a = cnncourse; b = a.ops)
        for node in nodes:
            if isinstance(node, ast.Import):
                for a in node.names:
                    aliases[(a.asname or a.name).split(".")[0] if not a.asname else a.asname] = \
                        a.name if a.asname else a.name.split(".")[0]
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for a in node.names:
                    aliases[a.asname or a.name] = f"{node.module}.{a.name}"
            elif isinstance(node, ast.Assign) and len(node.targets) == 1 \
                    and isinstance(node.targets[0], ast.Name):
                target = _dotted(node.value, aliases)
                if target:
                    aliases[node.targets[0].id] = target
    aliases = {k: _canonical(v) for k, v in aliases.items()}
    names = set()
    for node in nodes:
        if isinstance(node, ast.Import):
            names.update(_canonical(a.name) for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.update(_canonical(f"{node.module}.{a.name}") for a in node.names)
        elif isinstance(node, (ast.Attribute, ast.Name)):
            dotted = _dotted(node, aliases)
            if dotted:
                names.add(dotted)
            if isinstance(node, ast.Attribute) and node.attr in INTROSPECTION:
                names.add(node.attr)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = _canonical(node.value.strip())
            if _matches(text, refs):
                names.add(text)
    for name in names:
        if _matches(name, refs):
            found.add(f"reference: {name}")
        elif name.split(".")[0] in DYNAMIC or ".".join(name.split(".")[:2]) in DYNAMIC:
            found.add(f"dynamic: {name}")
        elif _matches(name, INTROSPECTION) or name in INTROSPECTION:
            found.add(f"introspection: {name}")
    return sorted(found)


def _canonical(name):
    """tf -> tensorflow, np -> numpy spelled out (for names written as strings)."""
    head, _, rest = name.partition(".")
    head = {"tf": "tensorflow"}.get(head, head)
    return f"{head}.{rest}" if rest else head


def flags(graded, chapter):
    """{exercise: 'finding; finding'} for a graded notebook: an answer cell's findings go to its
    exercise, an extra cell's to every exercise."""
    from cnncourse.grading.notebook import exercises_of, student_code
    per, shared = {}, set()
    for exercise, cid, source in student_code(graded):
        found = scan_source(source, chapter)
        if exercise:
            per.setdefault(exercise, set()).update(found)
        else:
            shared.update(f"{f} (extra cell)" for f in found)
    return {ex: "; ".join(sorted(per.get(ex, set()) | shared))
            for ex in exercises_of(graded) if per.get(ex) or shared}
