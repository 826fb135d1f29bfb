"""`cnncourse i18n update | build | status`: the Korean edition's catalogs and notebooks.

    cnncourse i18n update            # notebooks -> i18n/ko/*/*.po, package -> cnncourse.po
    cnncourse i18n update --new notebooks/01_why_convolution   # start a notebook's catalog
    cnncourse i18n build             # catalogs -> notebooks/ko, solutions/ko, exercises/ko
    cnncourse i18n status            # per catalog: translated / fuzzy / missing

`--check` (update, build) writes nothing and exits 1 when something is out of date.
"""
from __future__ import annotations

import sys
from pathlib import Path

from . import cells, editions


def configure_parser(parser):
    parser.add_argument("action", choices=("update", "build", "status"),
                        help="update: extract messages into the catalogs (keeps translations, "
                             "marks changed ones fuzzy, drops obsolete ones); build: write the "
                             "Korean notebooks; status: count translated / fuzzy / missing")
    parser.add_argument("--new", nargs="+", default=[], metavar="FOLDER/NAME",
                        help="update: also start catalogs for these notebooks, e.g. "
                             "notebooks/01_why_convolution solutions/02_convolution")
    parser.add_argument("--check", action="store_true",
                        help="update/build: write nothing; exit 1 if anything is out of date")
    parser.add_argument("--root", type=Path, default=editions.ROOT,
                        help="the course folder (default: %(default)s)")


def run(args):
    try:
        if args.action == "status":
            return _status(args.root)
        if args.action == "update":
            changed = editions.update(args.root, new=args.new, check=args.check)
            what, fix = "catalog", "cnncourse i18n update"
        else:
            changed = editions.build(args.root, check=args.check)
            what, fix = "notebook", "cnncourse i18n build"
    except (cells.TranslationError, ValueError, OSError) as err:
        print(f"cnncourse i18n {args.action}: {err}", file=sys.stderr)
        return 2
    for path in changed:
        rel = editions.relative(path, args.root)
        print(f"out of date: {rel} (run `{fix}`)" if args.check else f"wrote {rel}")
    if args.check:
        return 1 if changed else 0
    print(f"{what}s up to date ({len(changed)} rewritten)")
    return 0


def _status(root):
    rows = editions.status(root)
    width = max(len(name) for name, _, _ in rows)
    print(f"{'catalog':<{width}}  {'messages':>8} {'translated':>10} {'fuzzy':>6} {'missing':>8}")
    total = {"total": 0, "translated": 0, "fuzzy": 0, "missing": 0}
    without = []
    for name, _path, counts in rows:
        if counts is None:
            without.append(name)
            continue
        for key in total:
            total[key] += counts[key]
        share = 100 * counts["translated"] / counts["total"] if counts["total"] else 100.0
        print(f"{name:<{width}}  {counts['total']:>8} {counts['translated']:>10} "
              f"{counts['fuzzy']:>6} {counts['missing']:>8}   {share:5.1f}%")
    print(f"{'all catalogs':<{width}}  {total['total']:>8} {total['translated']:>10} "
          f"{total['fuzzy']:>6} {total['missing']:>8}")
    if without:
        print(f"no Korean edition yet ({len(without)}): {', '.join(without)}")
    return 0
