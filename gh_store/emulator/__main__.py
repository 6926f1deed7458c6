"""``python -m gh_store.emulator``: serve the emulator until interrupted (see :mod:`.cli`)."""

from __future__ import annotations

import sys

from .cli import main

sys.exit(main())
