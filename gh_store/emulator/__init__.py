"""A GitHub REST and GraphQL API emulator for tests: issues, comments, labels and reactions.

Like moto for boto3: ``GitHubEmulator`` serves GitHub's REST API (version 2022-11-28) so the same
client code (ghapi, PyGithub, gh-store) runs in tests and in production, over real HTTP on
loopback or in-process, with no socket, through an ``httpx2`` transport::

    from gh_store.emulator import GitHubEmulator

    with GitHubEmulator(repo="octo/store") as gh:
        api = GhApi(owner="octo", repo="store", token=gh.owner_token, gh_host=gh.url)
        api.transport.client = httpx2.Client(transport=gh.http_transport())  # optional: no socket
        ...
        assert gh.count("POST", r"/comments$") == 1

Modules, from the state outwards:

- :mod:`.records` (the dataclasses), :mod:`.checks` (GitHub's limits on values),
  :mod:`.repository` (the repository's data and operations), :mod:`.clock`,
  :mod:`.ratelimit`, :mod:`.faults`, :mod:`.hooks`, :mod:`.requestlog`;
- :mod:`.state`: :class:`~.state.EmulatorState`, the one object holding all of the above;
- :mod:`.exchange` (request and answer values) and :mod:`.handler` (``handle(state, request)``:
  one request, no socket: hooks, latency, faults, recording, then a protocol);
- the REST protocol: :mod:`.rest` (auth, rate limit, ETag, common headers), :mod:`.bodies`
  (request checks against GitHub's description, refusals of what is not modelled),
  :mod:`.endpoints` (routes and operation ids), :mod:`.routes` (router, paging),
  :mod:`.access` (who may do what), :mod:`.repo_endpoints`, :mod:`.issue_endpoints`,
  :mod:`.shapes` (GitHub's JSON), :mod:`.errors` (GitHub's error answers);
- GitHub Apps: :mod:`.apps` (Apps, installations, JWT checks, installation tokens) and
  :mod:`.app_endpoints` (the installation and token endpoints an App signs in to with a JWT);
- the GraphQL protocol (``POST /graphql``, the same state; graphql-core, the ``emulator`` extra):
  :mod:`.graphql` (authentication, points, headers, faults), :mod:`.graphql_run` (parse,
  validate against GitHub's schema, bill, execute, GitHub's error shape), :mod:`.graphql_schema`
  (``github-graphql/schema.graphql``), :mod:`.graphql_limits` (pagination, node limit, cost),
  :mod:`.graphql_nodes` (what queries read), :mod:`.graphql_mutations` (what the store writes);
- adapters: :mod:`.server` (HTTP) and :mod:`.inprocess` (``httpx2`` transport);
- :mod:`.emulator` (:class:`GitHubEmulator`, the facade) and :mod:`.cli`
  (``python -m gh_store.emulator``).
"""

from __future__ import annotations

from .emulator import GitHubEmulator
from .faults import Fault
from .hooks import Hook, RequestInfo
from .inprocess import IN_PROCESS_URL
from .requestlog import RecordedRequest

__all__ = ["IN_PROCESS_URL", "Fault", "GitHubEmulator", "Hook", "RecordedRequest", "RequestInfo"]
