"""GitHub's own GraphQL schema, loaded once per process for the emulator's GraphQL endpoint.

Owns :func:`github_schema`: ``github-graphql/schema.graphql`` beside this module, the public
schema as the npm package ``@octokit/graphql-schema`` publishes it (SOURCE.txt and LICENSE.md
there). graphql-core builds it only with ``assume_valid=True`` (GitHub's schema defines a few
fields twice), which also skips checking the schema itself; documents sent to it are still
validated in full. Building takes about half a second, so it happens on the first GraphQL
request, not at import, and once for all emulators of a process.

graphql-core is the ``emulator`` extra (``pip install gh-store[emulator]``); without it a GraphQL
request gets an answer that says so, and REST works as before.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graphql import GraphQLSchema

__all__ = ["SCHEMA_PATH", "github_schema"]

SCHEMA_PATH = Path(__file__).resolve().parent / "github-graphql" / "schema.graphql"

_lock = threading.Lock()
_built: list[GraphQLSchema] = []


def github_schema() -> GraphQLSchema:
    """The schema, built on first use (``ImportError`` without graphql-core)."""
    with _lock:
        if not _built:
            from graphql import build_schema

            text = SCHEMA_PATH.read_text(encoding="utf-8")
            _built.append(build_schema(text, assume_valid=True, no_location=True))
        return _built[0]
