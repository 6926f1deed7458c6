"""The pure core: every rule of the store, with no I/O and no arrow out of this package.

Body codec (``body``), strict JSON (``json_text``), merge patch, naming, config, schema, the
planner and the trust, marks and history rules; and the flows (``needs``) that say what they need
from GitHub, performed elsewhere (``gh_store.driver``). No module here imports anything of
``gh_store`` outside ``core``, and importing it loads no HTTP client and no socket (a test checks).
"""
