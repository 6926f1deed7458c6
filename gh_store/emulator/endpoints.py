"""The REST routes: every endpoint the emulator answers, and the GitHub operation it implements.

Owns :class:`Endpoints` (all handlers, bound to one state per request) and :data:`ROUTER`. Paths
are matched after :mod:`.rest` has rewritten the emulated repository's ``/repos/{owner}/{repo}``
(or ``/repositories/{id}``) to ``/repo``; anything else is GitHub's 404. Each route names its
``operationId`` in GitHub's OpenAPI description, so :mod:`.bodies` can check the request and the
tests can hold the answers to the description (``tests/fixtures/openapi``).
"""

from __future__ import annotations

from .app_endpoints import AppEndpoints
from .issue_endpoints import IssueEndpoints
from .repo_endpoints import RepoEndpoints
from .routes import Router

__all__ = ["ROUTER", "Endpoints"]


class Endpoints(RepoEndpoints, IssueEndpoints, AppEndpoints):
    """Every handler; see :mod:`.access` for who may do what."""


_ISSUE = r"/repo/issues/(?P<number>\d+)"
_COMMENT = r"/repo/issues/comments/(?P<comment_id>\d+)"
_LABEL = r"/repo/labels/(?P<name>[^/]+)"
_REACTION = r"/reactions/(?P<reaction_id>\d+)"

E = Endpoints
ROUTER = Router()
for _method, _pattern, _handler, _operation in (
    ("GET", r"/rate_limit", E.get_rate_limit, "rate-limit/get"),
    ("GET", r"/user", E.get_authenticated_user, "users/get-authenticated"),
    ("GET", r"/users/(?P<login>[^/]+)", E.get_user, "users/get-by-username"),
    ("GET", r"/repo", E.get_repo, "repos/get"),
    ("GET", r"/repo/installation", E.get_repo_installation, "apps/get-repo-installation"),
    (
        "GET",
        r"/app/installations/(?P<installation_id>\d{1,18})",
        E.get_installation,
        "apps/get-installation",
    ),
    (
        "POST",
        r"/app/installations/(?P<installation_id>\d{1,18})/access_tokens",
        E.create_access_token,
        "apps/create-installation-access-token",
    ),
    ("POST", r"/repo/dispatches", E.dispatch, "repos/create-dispatch-event"),
    (
        "GET",
        r"/repo/collaborators/(?P<login>[^/]+)/permission",
        E.get_permission,
        "repos/get-collaborator-permission-level",
    ),
    ("GET", r"/repo/labels", E.list_labels, "issues/list-labels-for-repo"),
    ("POST", r"/repo/labels", E.create_label, "issues/create-label"),
    ("GET", _LABEL, E.get_label, "issues/get-label"),
    ("PATCH", _LABEL, E.update_label, "issues/update-label"),
    ("DELETE", _LABEL, E.delete_label, "issues/delete-label"),
    ("GET", r"/repo/issues", E.list_issues, "issues/list-for-repo"),
    ("POST", r"/repo/issues", E.create_issue, "issues/create"),
    ("GET", r"/repo/issues/comments", E.list_repo_comments, "issues/list-comments-for-repo"),
    ("GET", _COMMENT, E.get_comment, "issues/get-comment"),
    ("PATCH", _COMMENT, E.update_comment, "issues/update-comment"),
    ("DELETE", _COMMENT, E.delete_comment, "issues/delete-comment"),
    ("GET", _COMMENT + "/reactions", E.list_reactions, "reactions/list-for-issue-comment"),
    ("POST", _COMMENT + "/reactions", E.create_reaction, "reactions/create-for-issue-comment"),
    ("DELETE", _COMMENT + _REACTION, E.delete_reaction, "reactions/delete-for-issue-comment"),
    ("GET", _ISSUE, E.get_issue, "issues/get"),
    ("PATCH", _ISSUE, E.update_issue, "issues/update"),
    ("PUT", _ISSUE + "/lock", E.lock_issue, "issues/lock"),
    ("DELETE", _ISSUE + "/lock", E.unlock_issue, "issues/unlock"),
    ("GET", _ISSUE + "/labels", E.list_issue_labels, "issues/list-labels-on-issue"),
    ("POST", _ISSUE + "/labels", E.add_issue_labels, "issues/add-labels"),
    ("PUT", _ISSUE + "/labels", E.set_issue_labels, "issues/set-labels"),
    ("DELETE", _ISSUE + "/labels", E.clear_issue_labels, "issues/remove-all-labels"),
    ("DELETE", _ISSUE + r"/labels/(?P<name>[^/]+)", E.remove_issue_label, "issues/remove-label"),
    ("GET", _ISSUE + "/comments", E.list_issue_comments, "issues/list-comments"),
    ("POST", _ISSUE + "/comments", E.create_comment, "issues/create-comment"),
    ("GET", _ISSUE + "/reactions", E.list_reactions, "reactions/list-for-issue"),
    ("POST", _ISSUE + "/reactions", E.create_reaction, "reactions/create-for-issue"),
    ("DELETE", _ISSUE + _REACTION, E.delete_reaction, "reactions/delete-for-issue"),
):
    ROUTER.add(_method, _pattern, _handler, _operation)
