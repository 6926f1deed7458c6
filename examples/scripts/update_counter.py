"""Bump a counter object with the gh-store client, and apply the update in the same run.

Vendoring the client: copy the ``gh_store/`` folder of the gh-store repository next to this
script (or into your repository's root), and install its three dependencies::

    python -m pip install ghapi PyYAML jsonschema

Nothing else is needed: no package install of gh-store itself. In a workflow, pass the job's
token as ``GITHUB_TOKEN`` (the job needs ``permissions: issues: write``). The update is posted as
a comment and applied at once with ``apply=True``, because comments posted with ``GITHUB_TOKEN``
start no workflow (so the processing action would not run for them).

Several copies may run at once: each reads the counter, posts ``count + by`` guarded with the
version it read (``if_version``), and if another copy's increment got there first
(``VersionConflict``), waits a moment, reads again and retries. No increment is lost.

Usage::

    python examples/scripts/update_counter.py --object-id counter [--repo owner/name]
        [--config examples/config.yml] [--by 1]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path

# The vendored copy of gh_store/ sits in the repository root, two folders up.
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from gh_store import GitHubStore
from gh_store.core.exceptions import GitHubStoreError, ObjectNotFound, VersionConflict

ATTEMPTS = 5


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--object-id", default="counter")
    parser.add_argument("--repo", default=os.environ.get("GITHUB_REPOSITORY"))
    parser.add_argument("--config", type=Path, default=None)
    parser.add_argument("--by", type=int, default=1, help="how much to add")
    parser.add_argument("--wait", type=float, default=2.0, help="seconds before a retry, at most")
    args = parser.parse_args(argv)
    token = os.environ.get("GITHUB_TOKEN")
    if not args.repo or not token:
        parser.error("set GITHUB_REPOSITORY (or --repo) and GITHUB_TOKEN")

    # The API URL comes from GITHUB_API_URL when set (GitHub Enterprise Server, an emulator).
    with GitHubStore(repo=args.repo, token=token, config_path=args.config) as store:
        try:
            try:
                current = store.get(args.object_id)
            except ObjectNotFound:
                created = store.create(args.object_id, {"count": 0})
                print(f"created {args.object_id} in issue #{created.meta.issue_number}")
                current = created
            for attempt in range(1, ATTEMPTS + 1):
                count = int(current.data.get("count", 0))
                try:
                    updated = store.update(
                        args.object_id,
                        {"count": count + args.by},
                        if_version=current.meta.version,
                        apply=True,
                    )
                    break
                except VersionConflict as exc:
                    if attempt == ATTEMPTS:
                        raise
                    print(f"retrying: {exc.reason}", file=sys.stderr)
                    # Jittered, so copies that collided do not collide again in step.
                    time.sleep(random.uniform(0, args.wait))
                    current = store.get(args.object_id)
        except GitHubStoreError as exc:
            print(f"update_counter: {exc}", file=sys.stderr)
            return 1
    print(
        f"{args.object_id}: count {count} -> {updated.data.get('count')} (v{updated.meta.version})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
