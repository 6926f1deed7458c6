"""The transport layer: the port (``port.py``) and its REST adapter (``rest.py``).

``policy.py`` (when to retry, wait or fail, and what to say) and ``paging.py`` (reading pages
without skipping) are pure and tested from tables; ``credentials.py`` checks what a transport is
given. Importing this package loads nothing heavy: ``rest.py`` (ghapi, httpx2) is imported by
whoever builds a REST transport.
"""

from __future__ import annotations

from .port import GitHubTransport

__all__ = ["GitHubTransport"]
