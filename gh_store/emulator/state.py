"""The one state object: everything an emulated GitHub holds, for every protocol it serves.

Owns :class:`EmulatorState`: the repository's data and operations (inherited from
:class:`~.repository.Repository`: users, labels, issues, comments, reactions, dispatches), and
what the world around it does: the clock, rate-limit buckets, injected faults, hooks, latency and
the request log. :func:`~.handler.handle` answers one request from this object alone; the HTTP
server, the in-process transport and the :class:`~.emulator.GitHubEmulator` facade hold nothing
else. A second protocol (GraphQL) reads and changes the same object.

``lock`` guards the repository's data; the log, faults, hooks and limiter carry their own locks so
that recording or matching never waits for a slow operation.
"""

from __future__ import annotations

import json
from pathlib import Path

from .apps import AppRegistry
from .clock import Clock
from .faults import FaultPlan
from .hooks import Hooks
from .ratelimit import ANONYMOUS_LIMIT, INSTALLATION_LIMIT, RateLimiter, limit_for
from .records import User
from .repository import Repository
from .requestlog import RequestLog

__all__ = ["EmulatorState"]


class EmulatorState(Repository):
    def __init__(
        self, owner: str, name: str, private: bool = False, clock: Clock | None = None
    ) -> None:
        super().__init__(owner, name, private, clock)
        self.limits = RateLimiter(lambda: self.clock.wall())  # follows a clock swapped in later
        self.faults = FaultPlan()
        self.graphql_faults = FaultPlan()  # rules for single mutations, matched by field name
        self.hooks = Hooks()
        self.log = RequestLog()
        self.latency = 0.0  # seconds added to every request
        self.apps = AppRegistry()
        # False: no GraphQL endpoint, as on some GitHub Enterprise Server set-ups (`/graphql`
        # is then an unknown path, answered 404 like any other)
        self.graphql_endpoint = True

    def caller(self, token: str) -> User | None:
        """Who ``token`` acts for: a user's token, or a GitHub App's live installation token."""
        user = self.user_by_token(token)
        if user is None:
            found = self.apps.token(token, self.clock.now())
            user = self.users.get(found[1].bot_login.lower()) if found else None
        return user

    def bucket_of(self, token: str | None, user: User | None) -> tuple[str, int]:
        """The rate-limit bucket a request counts against, and its hourly limit: an App's
        installation shares one across its tokens (GitHub: 5,000 an hour at least), a signed
        App JWT counts against the Apps' own, and every anonymous caller shares one."""
        if user is None or token is None:
            if token is not None and token.count(".") == 2:
                return "github-app-jwt", INSTALLATION_LIMIT
            return "anonymous", ANONYMOUS_LIMIT
        found = self.apps.token(token, self.clock.now()) if user.type == "Bot" else None
        if found is not None:
            return f"installation:{found[0].id}", INSTALLATION_LIMIT
        return token, limit_for(user.type)

    def save(self, path: Path) -> None:
        """Write the repository's data (not faults, hooks or the log) to a state file."""
        with self.lock:
            text = json.dumps(self.to_json(), indent=1)
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> EmulatorState:
        data = json.loads(path.read_text(encoding="utf-8"))
        state = cls(data["owner"], data["name"], data["private"])
        state.load_json(data)
        return state
