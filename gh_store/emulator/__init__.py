"""A GitHub REST API emulator for tests: issues, comments, labels and reactions over real HTTP.

Like moto for boto3: ``GitHubEmulator`` serves GitHub's REST API (version 2022-11-28) on loopback so
the same client code (ghapi, PyGithub, gh-store) runs in tests and in production::

    from gh_store.emulator import GitHubEmulator

    with GitHubEmulator(repo="octo/store") as gh:
        api = GhApi(owner="octo", repo="store", token=gh.owner_token, gh_host=gh.url)
        ...
        assert gh.count("POST", r"/comments$") == 1

Modules: :mod:`.state` (data and operations), :mod:`.shapes` (GitHub JSON), :mod:`.endpoints` (who
may do what), :mod:`.routes` (router, pagination), :mod:`.faults` (injected failures),
:mod:`.ratelimit`, :mod:`.errors`, :mod:`.server` (HTTP and :class:`GitHubEmulator`), :mod:`.cli`
(``python -m gh_store.emulator``).
"""

from __future__ import annotations

from .faults import Fault
from .server import GitHubEmulator, RecordedRequest

__all__ = ["Fault", "GitHubEmulator", "RecordedRequest"]
