"""Who may do what: the access rules every REST endpoint applies.

Owns :class:`Access`, the base of the endpoint classes: the caller's role and the checks that turn
a missing one into GitHub's answer. The rules (a simplification of GitHub's, chosen and documented
here):

- reading needs ``read``: everyone on a public repository; others get 404, as GitHub hides
  private repositories;
- creating issues, comments and reactions needs ``read``; any write without a token gets 401;
- labels sent when creating or editing an issue are silently dropped without push (``write``);
- ``PATCH`` of an issue: its author may change title, body and state; others need ``triage`` for
  state and ``write`` for title/body; editing or deleting a comment needs its author or ``write``;
- the label endpoints of an issue need ``triage``; creating, editing and deleting repository
  labels, locking and ``repository_dispatch`` need ``write``; a reaction can be deleted by its
  author or an admin;
- a GitHub App's installation token has at most the issues permission it was minted with;
- a caller short of the needed role gets 403 ("Resource not accessible by integration" for the
  bot, "Must have admin rights to Repository." for users).

A role is the higher of a direct grant and a team grant (see :class:`~.records.User`).
"""

from __future__ import annotations

from .errors import forbidden, not_found, requires_authentication
from .exchange import Exchange
from .records import permission_level
from .state import EmulatorState

__all__ = ["Access"]


class Access:
    """Bound to one state for one request."""

    def __init__(self, state: EmulatorState) -> None:
        self.state = state

    def role(self, request: Exchange) -> str:
        role = self.state.permission_of(request.user.login if request.user else None)
        # An App's token does no more than it was minted for (its issues permission).
        scoped = self.state.apps.issues_permission(request.token)
        if scoped is not None and permission_level(scoped) < permission_level(role):
            return scoped
        return role

    def need_read(self, request: Exchange) -> None:
        if self.role(request) == "none":
            raise not_found()

    def need(self, request: Exchange, role: str) -> str:
        """The caller's login if its role is at least ``role``; else 401, 404 or 403."""
        if request.user is None:
            raise requires_authentication()
        have = self.role(request)
        if have == "none":
            raise not_found()
        if permission_level(have) < permission_level(role):
            raise forbidden(request.user.type == "Bot")
        return request.user.login

    def can(self, request: Exchange, role: str) -> bool:
        return permission_level(self.role(request)) >= permission_level(role)

    def refuse(self, request: Exchange) -> None:
        """403 for a caller who may see this but not change it."""
        raise forbidden(request.user is not None and request.user.type == "Bot")
