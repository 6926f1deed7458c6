"""``python -m gh_store``: the command line (see :mod:`gh_store.cli`)."""

from __future__ import annotations

from .cli import main

raise SystemExit(main())
