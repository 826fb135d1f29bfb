"""``python -m cnncourse ...`` is the ``cnncourse`` command (see cnncourse.cli)."""
import sys

from .cli import main

sys.exit(main())
