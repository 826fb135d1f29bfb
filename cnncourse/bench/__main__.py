"""``python -m cnncourse.bench ...``: the same as ``cnncourse bench ...``."""
import sys

from . import main

sys.exit(main(sys.argv[1:]))
