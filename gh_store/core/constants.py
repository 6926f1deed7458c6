"""Names and limits that several layers share, each written once.

No imports: the action's no-op path, the CLI's parser and the pure core all read these without
loading anything else.
"""

from __future__ import annotations

__all__ = [
    "ACTIONS_BOT",
    "ARCHIVED_LABEL",
    "DEFAULT_API_URL",
    "DEFAULT_BASE_LABEL",
    "DEFAULT_UID_PREFIX",
    "DISPATCH_EVENT",
    "MAX_BODY_BYTES",
    "MAX_BODY_CHARS",
    "MAX_LABEL",
]

#: Where the API lives when neither an argument nor ``$GITHUB_API_URL`` says otherwise.
DEFAULT_API_URL = "https://api.github.com"

#: The ``repository_dispatch`` event type ``update(..., dispatch=True)`` sends and the action takes.
DISPATCH_EVENT = "gh-store-update"

#: The label every object issue carries (``store.base_label``).
DEFAULT_BASE_LABEL = "stored-object"

#: The prefix of the label that names the object id (``store.uid_prefix``).
DEFAULT_UID_PREFIX = "UID:"

#: The label an archived (deleted) object's issue gets in place of the base label.
ARCHIVED_LABEL = "archived"

#: The identity behind a workflow's ``GITHUB_TOKEN``: it acts only where a workflow lets it.
ACTIONS_BOT = "github-actions[bot]"

#: GitHub label names have at most this many characters.
MAX_LABEL = 50

#: GitHub refuses issue and comment bodies longer than this (422 "body is too long") ...
MAX_BODY_CHARS = 65_536
#: ... and, measured in UTF-8, larger than this.
MAX_BODY_BYTES = 262_144
