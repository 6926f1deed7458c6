"""The transport layer: the port (``port.py``), its REST adapter (``rest.py``) and its GraphQL
adapter (``graphql.py``, which hands REST what GraphQL does not do better).

``policy.py`` (when to retry, wait or fail, and what to say) and ``paging.py`` (reading pages
without skipping) are pure and tested from tables; ``credentials.py`` checks what a transport is
given. Importing this package loads nothing heavy: ``rest.py`` and ``graphql.py`` (ghapi,
httpx2) are imported by whoever builds a transport.
"""

from __future__ import annotations

from .port import GitHubTransport

__all__ = ["GitHubTransport"]
