"""The facade: :class:`GitHubEmulator`, what tests, benchmarks and the demo use.

Owns nothing but the way in: it holds one :class:`~.state.EmulatorState` (:attr:`~GitHubEmulator.
state`), serves it over HTTP (:mod:`.server`) when started, hands out in-process transports
(:mod:`.inprocess`) at any time, and offers helpers that act on the state directly (not
recorded): seeding and changing issues, comments, labels and reactions, users and permissions,
faults, hooks, the clock and rate limits.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit

import httpx2

from .apps import App, Installation, bot_user
from .faults import Fault
from .hooks import Hook, RequestInfo
from .inprocess import IN_PROCESS_URL, InProcessTransport
from .records import BOT_LOGIN
from .requestlog import RecordedRequest
from .server import HttpServer
from .shapes import comment_json, issue_json, reaction_json
from .state import EmulatorState

__all__ = ["GitHubEmulator"]


class GitHubEmulator:
    """GitHub's REST API (2022-11-28) and GraphQL API for one repository.

    ``with GitHubEmulator() as gh`` serves it over real HTTP on loopback (``serve=False``: no
    server, only :meth:`http_transport`); :meth:`start` and :meth:`stop` do the same by hand.
    ``graphql=False`` (or ``state.graphql_endpoint = False`` later): no GraphQL endpoint, as on
    some GitHub Enterprise Server set-ups; ``/graphql`` then answers 404. The
    package docstring of :mod:`gh_store.emulator` lists the modules.
    """

    def __init__(
        self,
        repo: str = "octo/store",
        host: str = "127.0.0.1",
        port: int = 0,
        private: bool = False,
        users: dict[str, str] | None = None,
        state_file: Path | None = None,
        serve: bool = True,
        graphql: bool = True,
    ) -> None:
        owner, _, name = repo.partition("/")
        if not owner or not name or "/" in name:
            raise ValueError(f"repo must look like 'owner/name', not {repo!r}")
        self.state_file = Path(state_file) if state_file is not None else None
        if self.state_file is not None and self.state_file.exists():
            self.state = EmulatorState.load(self.state_file)
        else:
            self.state = EmulatorState(owner, name, private)
        for login, permission in (users or {}).items():
            self.state.ensure_user(login, permission)
        self.state.graphql_endpoint = graphql
        self.host = host
        self.port = port
        self.serve = serve
        self._server: HttpServer | None = None

    # --- lifecycle -----------------------------------------------------------------------------

    def start(self) -> GitHubEmulator:
        """Serve over HTTP (once; a second call does nothing)."""
        if self._server is None:
            self._server = HttpServer(self.state, self.host, self.port)
        return self

    def stop(self) -> None:
        """Stop serving (if serving) and save the state file (if there is one)."""
        server, self._server = self._server, None
        if server is not None:
            server.stop()
        if self.state_file is not None:
            self.state.save(self.state_file)

    def __enter__(self) -> GitHubEmulator:
        return self.start() if self.serve else self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def http_transport(self) -> httpx2.BaseTransport:
        """A transport for ``httpx2.Client(transport=...)`` that answers from this emulator in
        the calling thread, no socket; for :attr:`url` (either one, see :mod:`.inprocess`)."""
        return InProcessTransport(self.state, self._hosts)

    def client_options(self) -> dict[str, Any]:
        """How a client reaches this emulator: ``api_url``, and ``http_transport`` when it is not
        served (in-process), for ``GitHubStore(**gh.client_options())``, ``GhApiTransport`` and
        the action's ``main``."""
        transport = None if self._server is not None else self.http_transport()
        return {"api_url": self.url, "http_transport": transport}

    def _hosts(self) -> set[str]:
        hosts = {urlsplit(IN_PROCESS_URL).netloc}
        server = self._server
        if server is not None:
            hosts.add(server.netloc)
        return hosts

    # --- identity ------------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """Base URL of the API, without a trailing slash: the server's while it runs, else
        :data:`~.inprocess.IN_PROCESS_URL` (which only :meth:`http_transport` answers)."""
        server = self._server
        return server.url if server is not None else IN_PROCESS_URL

    @property
    def repo(self) -> str:
        return f"{self.state.owner}/{self.state.name}"

    @property
    def owner_token(self) -> str:
        with self.state.lock:
            return self.state.user(self.state.owner).token

    @property
    def bot_token(self) -> str:
        with self.state.lock:
            return self.state.user(BOT_LOGIN).token

    def token_for(self, login: str, permission: str | None = "write") -> str:
        """A token for ``login`` (created if needed); sets its direct permission unless
        ``permission`` is None."""
        with self.state.lock:
            return self.state.ensure_user(login, permission).token

    def set_permission(self, login: str, permission: str) -> None:
        with self.state.lock:
            self.state.ensure_user(login, permission)

    def set_custom_role(self, login: str, role_name: str, inherits: str) -> None:
        """Give ``login`` the custom repository role ``role_name``, inheriting the base role
        ``inherits`` (read, triage, write or maintain), as an organization may define."""
        if inherits not in ("read", "triage", "write", "maintain"):
            raise ValueError(
                f"a custom role inherits read, triage, write or maintain, not {inherits!r}"
            )
        with self.state.lock:
            self.state.ensure_user(login, inherits).custom_role = role_name

    def add_org_member(self, login: str, permission: str = "write", public: bool = False) -> str:
        """Make ``login`` a member of the owning organization with ``permission`` through a team;
        returns its token. The permission API reports that permission; what the member writes
        shows ``author_association`` ``MEMBER`` if ``public``, else ``CONTRIBUTOR``."""
        with self.state.lock:
            return self.state.add_org_member(login, permission, public).token

    def register_app(
        self,
        slug: str,
        public_numbers: tuple[int, int],
        *,
        permissions: dict[str, str] | None = None,
        install: bool = True,
    ) -> tuple[App, Installation | None]:
        """A GitHub App ``slug`` whose JWTs verify with the RSA public key ``(n, e)`` (GitHub
        keeps the public half; the test keeps the private key), installed on the repository
        unless ``install`` is False. ``permissions`` default to issues: write, metadata: read;
        its installation tokens act as ``<slug>[bot]``, with issues: write as a ``write`` grant."""
        n, e = public_numbers
        granted = (
            permissions if permissions is not None else {"issues": "write", "metadata": "read"}
        )
        with self.state.lock:
            registry = self.state.apps
            app = App(
                registry.next_id(), slug, f"Iv23li{slug[:8]}{registry.next_id()}", n, e, granted
            )
            registry.apps[app.id] = app
            user = bot_user(app.bot_login, self.state.next_id("user"))
            user.permission = "write" if granted.get("issues") == "write" else "read"
            self.state.users[user.login.lower()] = user
        return app, self.install_app(app.id) if install else None

    def install_app(self, app_id: int) -> Installation:
        """Install the App on the repository (again): a new installation id."""
        with self.state.lock:
            registry = self.state.apps
            installation = Installation(registry.next_id(), app_id, self.state.clock.stamp())
            registry.installations[installation.id] = installation
            return installation

    def revoke_app_tokens(self) -> None:
        """Every installation token minted so far stops working (a request with one is 401)."""
        with self.state.lock:
            self.state.apps.revoke()

    def uninstall_app(self, installation_id: int) -> None:
        """Remove an installation: its tokens stop working at once, as on GitHub."""
        with self.state.lock:
            self.state.apps.installations.pop(installation_id, None)

    # --- time, latency, rate limits ------------------------------------------------------------

    def use_ticking_clock(self, start: int | None = None) -> None:
        """Make every timestamped event one second after the previous one.

        GitHub stamps times to the second and allows about 80 new comments a minute, so a real
        issue never has hundreds of comments in one second; a test or benchmark that posts them
        at machine speed would. The ticking clock gives them GitHub-like spacing and makes
        ``since`` filtering (and so request counts) independent of how fast the machine is.
        """
        self.state.clock.tick_from(start)

    def advance_clock(self, seconds: int) -> None:
        """Move the emulator's time forward: later events are stamped later, and rate-limit
        windows that end meanwhile are refilled."""
        self.state.clock.advance(seconds)

    @property
    def latency(self) -> float:
        """Seconds every request waits before it is handled (both adapters)."""
        return self.state.latency

    @latency.setter
    def latency(self, seconds: float) -> None:
        self.state.latency = seconds

    def set_rate_limit(self, token: str | None, remaining: int, resource: str = "core") -> None:
        """Set how many requests (``resource="graphql"``: points) ``token`` (None = anonymous
        callers) has left this hour."""
        key, limit = self._bucket_of(token)
        self.state.limits.set_remaining(key, limit, remaining, resource)

    def rate_limit(self, token: str | None, resource: str = "core") -> dict[str, Any]:
        """``limit``, ``used``, ``remaining`` and ``reset`` of ``token``'s bucket (``core``:
        REST requests, ``graphql``: points), as GitHub's ``/rate_limit`` reports them."""
        key, limit = self._bucket_of(token)
        return self.state.limits.peek(key, limit, resource).json()

    def _bucket_of(self, token: str | None) -> tuple[str, int]:
        with self.state.lock:
            user = self.state.caller(token) if token is not None else None
        if token is not None and user is None:
            raise ValueError("unknown token")
        with self.state.lock:
            return self.state.bucket_of(token if user is not None else None, user)

    # --- request log ---------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        return self.state.log.entries()

    def clear_requests(self) -> None:
        self.state.log.clear()

    def count(self, method: str | None = None, path: str | None = None) -> int:
        """How many recorded requests match ``method`` and the regex ``path`` (searched)."""
        return self.state.log.count(method, path)

    @property
    def dispatches(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return json.loads(json.dumps(self.state.dispatches))  # type: ignore[no-any-return]

    # --- faults and hooks ----------------------------------------------------------------------

    def inject(
        self,
        status: int | None = 503,
        method: str | None = None,
        path: str | None = None,
        times: int = 1,
        skip: int = 0,
        retry_after: int | None = None,
        drop: bool = False,
        delay: float = 0.0,
        after: bool = False,
    ) -> Fault:
        """Answer the next ``times`` matching requests (after ``skip``) with a fault; see
        :mod:`.faults`."""
        fault = Fault(status, method, path, times, skip, retry_after, drop, delay, after)
        return self.state.faults.add(fault)

    def inject_graphql_error(
        self, field: str, status: int = 502, *, times: int = 1, skip: int = 0, after: bool = False
    ) -> Fault:
        """Fail the next ``times`` GraphQL mutations named ``field`` (a regex searched in the
        field's name, e.g. ``"addReaction"``), after ``skip``, with the error GitHub gives for
        ``status`` (404 ``NOT_FOUND``, 403 ``FORBIDDEN``, 422 ``UNPROCESSABLE``, else its
        "Something went wrong"), while the request's other mutations run; ``after``: the
        mutation acts first, then reports the failure."""
        fault = Fault(status, None, field, times, skip, after=after)
        return self.state.graphql_faults.add(fault)

    def clear_faults(self) -> None:
        self.state.faults.clear()
        self.state.graphql_faults.clear()

    def add_hook(
        self,
        callback: Callable[[RequestInfo], object],
        method: str | None = None,
        path: str | None = None,
    ) -> Hook:
        """Call ``callback(info)`` before each request matching ``method`` and the regex ``path``
        (searched, as for :meth:`inject`) is handled, outside the state lock; see :mod:`.hooks`.
        ``.remove()`` on the returned hook stops it."""
        return self.state.hooks.add(callback, method, path)

    # --- direct helpers (no HTTP, not recorded) ------------------------------------------------

    def issue(self, number: int) -> dict[str, Any]:
        with self.state.lock:
            return issue_json(self.url, self.state, self.state.issue(number))

    def comments(self, number: int) -> list[dict[str, Any]]:
        with self.state.lock:
            self.state.issue(number)
            return [comment_json(self.url, self.state, c) for c in self.state.comments_of(number)]

    def reactions(self, comment_id: int) -> list[dict[str, Any]]:
        with self.state.lock:
            comment = self.state.comment(comment_id)
            return [reaction_json(self.url, self.state, r) for r in comment.reactions]

    def seed_issue(
        self,
        title: str,
        body: str | None = None,
        labels: list[str] | None = None,
        user: str = "octo",
        state: str = "open",
        pull_request: bool = False,
    ) -> int:
        """An issue (or, with ``pull_request``, a pull request: REST's issue endpoints show it
        with a ``pull_request`` key, GraphQL's ``issue`` does not resolve it)."""
        with self.state.lock:
            self.state.ensure_user(user)
            issue = self.state.create_issue(user, title, body, labels or [], state)
            issue.pull_request = pull_request
            return issue.number

    def seed_comment(self, number: int, body: str, user: str = "octo") -> int:
        with self.state.lock:
            self.state.ensure_user(user)
            return self.state.create_comment(number, user, body).id

    def edit_comment(self, comment_id: int, body: str, editor: str | None = None) -> None:
        """Change a comment's body as ``editor`` (its author by default) does on GitHub: its
        ``updated_at`` becomes now, and its edit history (GraphQL) gains the version."""
        with self.state.lock:
            self.state.update_comment(comment_id, body, editor)

    def delete_comment_edit(self, comment_id: int, body: str, by: str = "octo") -> None:
        """Delete from the comment's edit history each version whose text is ``body``, as
        github.com's "delete revision" does: the entry stays, its text is gone."""
        with self.state.lock:
            for edit in self.state.comment(comment_id).edits:
                if edit.body == body:
                    edit.body, edit.deleted_at, edit.deleted_by = None, self.state.now(), by

    def delete_comment(self, comment_id: int) -> None:
        with self.state.lock:
            self.state.delete_comment(comment_id)

    def delete_issue(self, number: int) -> None:
        """Delete an issue as an admin does (GraphQL ``deleteIssue``): it leaves every listing,
        its comments go with it, and REST answers ``410 Gone`` for it."""
        with self.state.lock:
            self.state.delete_issue(number)

    def add_reaction(self, comment_id: int, login: str, content: str) -> int:
        """``login`` reacts to a comment (an existing same reaction is kept); its id."""
        with self.state.lock:
            self.state.ensure_user(login)
            comment = self.state.comment(comment_id)
            return self.state.add_reaction(comment.reactions, login, content)[0].id

    def set_labels(self, number: int, names: list[str]) -> list[str]:
        """Replace an issue's labels (names in any case; missing ones are created); the names
        as the issue now carries them."""
        with self.state.lock:
            issue = self.state.set_labels(number, list(names))
            return [label.name for label in self.state.issue_labels(issue)]

    def create_label(self, name: str, color: str = "ededed", description: str | None = None) -> int:
        """A repository label spelt exactly ``name`` (its id); 422 ``ApiError`` if it exists in
        any case."""
        with self.state.lock:
            return self.state.create_label(name, color, description).id
