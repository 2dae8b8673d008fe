"""``python -m data_scripts``: see :mod:`bootcamp.data.cli` for the commands and exit codes.

``python -m data_scripts mirror --out DIR`` builds a workshop's offline mirror (:mod:`data_scripts.mirror`).
"""

import sys

from bootcamp.data.cli import main

__all__ = ["main"]

if __name__ == "__main__":
    if sys.argv[1:2] == ["mirror"]:
        from data_scripts.mirror import main as mirror_main

        sys.exit(mirror_main(sys.argv[2:]))
    sys.exit(main())
