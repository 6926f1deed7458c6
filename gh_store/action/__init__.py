"""The GitHub Action: runs the update processor on the issue an event names.

``main`` is the whole entry point (``entrypoint.py`` calls it). Modules: :mod:`.inputs` (the
runner's environment, checked), :mod:`.events` (event -> issue or no-op), :mod:`.commands`
(workflow commands), :mod:`.outputs` (``GITHUB_OUTPUT`` and the step summary), :mod:`.run`.
Importing this package stays light: the store is imported only when there is work.
"""

from __future__ import annotations

from .run import main

__all__ = ["main"]
