"""The Docker action's entry point: hand the runner's environment to ``gh_store.action``."""

from __future__ import annotations

import sys

from gh_store.action import main

if __name__ == "__main__":
    sys.exit(main())
