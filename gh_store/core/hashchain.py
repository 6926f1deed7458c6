"""The running hash over applied updates that makes later edits or deletions detectable.

Each applied update comment extends the chain with its id and its exact body, so
``verify_history`` can recompute the chain from the comments as they are now and compare it with
the hash the processor wrote into the issue body when it applied them.
"""

from __future__ import annotations

import hashlib

__all__ = ["GENESIS", "extend_chain"]

#: The hash of an object that has had no update applied.
GENESIS = "sha256:" + hashlib.sha256(b"gh-store history v1").hexdigest()


def extend_chain(previous: str, comment_id: int, body: str) -> str:
    """The chain after applying comment ``comment_id`` whose text is ``body``."""
    digest = hashlib.sha256()
    for part in (previous, str(comment_id), body):
        encoded = part.encode("utf-8")
        # Length-prefix each part so no two different inputs hash the same bytes.
        digest.update(len(encoded).to_bytes(8, "big"))
        digest.update(encoded)
    return "sha256:" + digest.hexdigest()
