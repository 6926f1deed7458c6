"""tests/shipping/e2e runs workflows under nektos/act, with a container engine: `make e2e` runs it
(GH_STORE_E2E=1); `make test` does not collect it."""

from __future__ import annotations

import os

collect_ignore = [] if os.environ.get("GH_STORE_E2E") == "1" else ["e2e"]
