"""The REST endpoints: authorization, request parsing and answers, over :class:`RepoState`.

Owns :func:`build_router`. Paths are matched after the server has rewritten the emulated
repository's ``/repos/{owner}/{repo}`` (or ``/repositories/{id}``) to ``/repo``; any other
repository is an unknown route (404).

Who may do what (a simplification of GitHub's rules, chosen and documented here):

- reading needs ``read``: everyone on a public repository; others get 404, as GitHub hides
  private repositories;
- creating issues, comments and reactions needs ``read``; any write without a token gets 401;
- labels sent when creating or editing an issue are silently dropped without push (``write``);
- ``PATCH`` of an issue: its author may change title, body and state; others need ``triage`` for
  state and ``write`` for title/body; editing or deleting a comment needs its author or ``write``;
- the label endpoints of an issue need ``triage``; creating, editing and deleting repository
  labels, locking and ``repository_dispatch`` need ``write``; a reaction can be deleted by its
  author or an admin;
- a caller short of the needed role gets 403 ("Resource not accessible by integration" for the
  bot, "Must have admin rights to Repository." for users).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from .errors import (
    forbidden,
    invalid_request,
    not_found,
    requires_authentication,
    validation_failed,
)
from .routes import Request, Response, Router, paginate
from .shapes import (
    comment_json,
    issue_json,
    label_json,
    private_user_json,
    reaction_json,
    repo_json,
    user_json,
)
from .state import Issue, Reaction, RepoState, permission_level

__all__ = ["build_router"]

_DISPATCH_DOCS = "https://docs.github.com/rest/repos/repos#create-a-repository-dispatch-event"
_ISSUE = r"/repo/issues/(?P<number>\d+)"
_COMMENT = r"/repo/issues/comments/(?P<comment_id>\d+)"


def _parse_since(request: Request) -> int | None:
    raw = request.query.get("since")
    if not raw:
        return None
    try:
        return int(datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise invalid_request(f"For 'since', {raw!r} is not a valid ISO 8601 timestamp.") from None


def _api_role(role: str) -> str:
    """The coarse ``permission`` GitHub reports for a role: maintain -> write, triage -> read."""
    return {"maintain": "write", "triage": "read"}.get(role, role)


class _Endpoints:
    def __init__(
        self, state: RepoState, rate_overview: Callable[[Request], dict[str, Any]]
    ) -> None:
        self.state = state
        self.rate_overview = rate_overview

    # --- access --------------------------------------------------------------------------------

    def role(self, request: Request) -> str:
        return self.state.permission_of(request.user.login if request.user else None)

    def need_read(self, request: Request) -> None:
        if self.role(request) == "none":
            raise not_found()

    def need(self, request: Request, role: str) -> str:
        """The caller's login if its role is at least ``role``; else 401, 404 or 403."""
        if request.user is None:
            raise requires_authentication()
        have = self.role(request)
        if have == "none":
            raise not_found()
        if permission_level(have) < permission_level(role):
            raise forbidden(request.user.type == "Bot")
        return request.user.login

    def can(self, request: Request, role: str) -> bool:
        return permission_level(self.role(request)) >= permission_level(role)

    # --- rendering -----------------------------------------------------------------------------

    def issue(self, request: Request, issue: Issue, status: int = 200) -> Response:
        return Response(status, issue_json(request.base_url, self.state, issue))

    def labels_of(self, request: Request, issue: Issue) -> Response:
        labels = self.state.issue_labels(issue)
        return Response(200, [label_json(request.base_url, self.state, lab) for lab in labels])

    # --- repository, users, rate limit ---------------------------------------------------------

    def get_repo(self, request: Request) -> Response:
        self.need_read(request)
        login = request.user.login if request.user else None
        return Response(200, repo_json(request.base_url, self.state, login))

    def get_authenticated_user(self, request: Request) -> Response:
        if request.user is None:
            raise requires_authentication()
        if request.user.type == "Bot":
            raise forbidden(True)
        return Response(
            200, private_user_json(request.base_url, request.user, self.state.created_at)
        )

    def get_user(self, request: Request, login: str) -> Response:
        return Response(200, user_json(request.base_url, self.state.user(login)))

    def get_rate_limit(self, request: Request) -> Response:
        return Response(200, self.rate_overview(request))

    def get_permission(self, request: Request, login: str) -> Response:
        self.need_read(request)
        user = self.state.user(login)
        role = self.state.permission_of(user.login)
        body = user_json(request.base_url, user)
        body["permissions"] = {
            "admin": role == "admin",
            "maintain": permission_level(role) >= permission_level("maintain"),
            "push": permission_level(role) >= permission_level("write"),
            "triage": permission_level(role) >= permission_level("triage"),
            "pull": permission_level(role) >= permission_level("read"),
        }
        body["role_name"] = role
        return Response(200, {"permission": _api_role(role), "role_name": role, "user": body})

    def dispatch(self, request: Request) -> Response:
        self.need(request, "write")
        data = request.body_dict()
        event_type = data.get("event_type")
        if not isinstance(event_type, str) or not event_type:
            raise invalid_request('"event_type" wasn\'t supplied.', _DISPATCH_DOCS)
        payload = data.get("client_payload", {})
        if not isinstance(payload, dict):
            raise invalid_request(
                "For 'properties/client_payload', it is not an object.", _DISPATCH_DOCS
            )
        self.state.dispatches.append({"event_type": event_type, "client_payload": payload})
        return Response(204)

    # --- labels --------------------------------------------------------------------------------

    def list_labels(self, request: Request) -> Response:
        self.need_read(request)
        labels = sorted(self.state.labels.values(), key=lambda lab: lab.name.lower())
        page, headers = paginate(request, labels)
        return Response(
            200, [label_json(request.base_url, self.state, lab) for lab in page], headers
        )

    def get_label(self, request: Request, name: str) -> Response:
        self.need_read(request)
        return Response(200, label_json(request.base_url, self.state, self.state.label(name)))

    def create_label(self, request: Request) -> Response:
        self.need(request, "write")
        data = request.body_dict()
        label = self.state.create_label(
            data.get("name"), data.get("color", "ededed"), data.get("description")
        )
        return Response(201, label_json(request.base_url, self.state, label))

    def update_label(self, request: Request, name: str) -> Response:
        self.need(request, "write")
        label = self.state.update_label(name, request.body_dict())
        return Response(200, label_json(request.base_url, self.state, label))

    def delete_label(self, request: Request, name: str) -> Response:
        self.need(request, "write")
        self.state.delete_label(name)
        return Response(204)

    @staticmethod
    def _labels_arg(request: Request) -> Any:
        """``{"labels": [...]}`` or a bare list, both accepted by GitHub."""
        if isinstance(request.body, list):
            return request.body
        data = request.body_dict()
        if "labels" not in data:
            raise invalid_request('"labels" wasn\'t supplied.')
        return data["labels"]

    def list_issue_labels(self, request: Request, number: str) -> Response:
        self.need_read(request)
        issue = self.state.issue(int(number))
        labels = self.state.issue_labels(issue)
        page, headers = paginate(request, labels)
        return Response(
            200, [label_json(request.base_url, self.state, lab) for lab in page], headers
        )

    def add_issue_labels(self, request: Request, number: str) -> Response:
        self.need(request, "triage")
        self.state.issue(int(number))
        issue = self.state.add_labels(int(number), self._labels_arg(request))
        return self.labels_of(request, issue)

    def set_issue_labels(self, request: Request, number: str) -> Response:
        self.need(request, "triage")
        self.state.issue(int(number))
        issue = self.state.set_labels(int(number), self._labels_arg(request))
        return self.labels_of(request, issue)

    def remove_issue_label(self, request: Request, number: str, name: str) -> Response:
        self.need(request, "triage")
        issue = self.state.remove_label(int(number), name)
        return self.labels_of(request, issue)

    def clear_issue_labels(self, request: Request, number: str) -> Response:
        self.need(request, "triage")
        self.state.set_labels(int(number), [])
        return Response(204)

    # --- issues --------------------------------------------------------------------------------

    def list_issues(self, request: Request) -> Response:
        self.need_read(request)
        wanted_state = request.query.get("state", "open")
        if wanted_state not in ("open", "closed", "all"):
            raise validation_failed("Issue", "state", "invalid")
        wanted = [
            n.strip().lower() for n in request.query.get("labels", "").split(",") if n.strip()
        ]
        since = _parse_since(request)
        creator = request.query.get("creator")
        issues = []
        for issue in self.state.issues.values():
            names = {lab.name.lower() for lab in self.state.issue_labels(issue)}
            if wanted_state != "all" and issue.state != wanted_state:
                continue
            if not all(name in names for name in wanted):
                continue
            if since is not None and issue.updated_at < since:
                continue
            if creator is not None and issue.user.lower() != creator.lower():
                continue
            issues.append(issue)
        sort = request.query.get("sort", "created")
        if sort not in ("created", "updated", "comments"):
            raise validation_failed("Issue", "sort", "invalid")
        direction = request.query.get("direction", "desc")
        if direction not in ("asc", "desc"):
            raise validation_failed("Issue", "direction", "invalid")

        def sort_key(issue: Issue) -> tuple[int, int]:
            if sort == "updated":
                return (issue.updated_at, issue.number)
            if sort == "comments":
                return (self.state.comment_count(issue.number), issue.number)
            return (issue.created_at, issue.number)

        issues.sort(key=sort_key, reverse=direction == "desc")
        page, headers = paginate(request, issues)
        body = [issue_json(request.base_url, self.state, issue) for issue in page]
        return Response(200, body, headers)

    def get_issue(self, request: Request, number: str) -> Response:
        self.need_read(request)
        return self.issue(request, self.state.issue(int(number)))

    def create_issue(self, request: Request) -> Response:
        login = self.need(request, "read")
        data = request.body_dict()
        labels = data.get("labels") if self.can(request, "write") else None
        issue = self.state.create_issue(login, data.get("title"), data.get("body"), labels)
        return self.issue(request, issue, 201)

    def update_issue(self, request: Request, number: str) -> Response:
        login = self.need(request, "read")
        issue = self.state.issue(int(number))
        is_author = issue.user.lower() == login.lower()
        changes = {
            k: v
            for k, v in request.body_dict().items()
            if k in ("title", "body", "state", "state_reason", "labels")
        }
        if ("title" in changes or "body" in changes) and not (
            is_author or self.can(request, "write")
        ):
            raise forbidden(request.user is not None and request.user.type == "Bot")
        if ("state" in changes or "state_reason" in changes) and not (
            is_author or self.can(request, "triage")
        ):
            raise forbidden(request.user is not None and request.user.type == "Bot")
        if not self.can(request, "write"):
            changes.pop("labels", None)
        return self.issue(request, self.state.update_issue(int(number), login, changes))

    def lock_issue(self, request: Request, number: str) -> Response:
        self.need(request, "write")
        self.state.set_lock(int(number), True, request.body_dict().get("lock_reason"))
        return Response(204)

    def unlock_issue(self, request: Request, number: str) -> Response:
        self.need(request, "write")
        self.state.set_lock(int(number), False)
        return Response(204)

    # --- comments ------------------------------------------------------------------------------

    def list_issue_comments(self, request: Request, number: str) -> Response:
        self.need_read(request)
        self.state.issue(int(number))
        since = _parse_since(request)
        comments = sorted(
            (
                c
                for c in self.state.comments.values()
                if c.issue_number == int(number) and (since is None or c.updated_at >= since)
            ),
            key=lambda c: c.id,
        )
        page, headers = paginate(request, comments)
        return Response(200, [comment_json(request.base_url, self.state, c) for c in page], headers)

    def list_repo_comments(self, request: Request) -> Response:
        self.need_read(request)
        since = _parse_since(request)
        comments = [
            c for c in self.state.comments.values() if since is None or c.updated_at >= since
        ]
        sort = request.query.get("sort")
        descending = request.query.get("direction") == "desc" and sort is not None
        if sort == "updated":
            comments.sort(key=lambda c: (c.updated_at, c.id), reverse=descending)
        else:
            comments.sort(key=lambda c: (c.created_at, c.id), reverse=descending)
        page, headers = paginate(request, comments)
        return Response(200, [comment_json(request.base_url, self.state, c) for c in page], headers)

    def create_comment(self, request: Request, number: str) -> Response:
        login = self.need(request, "read")
        issue = self.state.issue(int(number))
        if issue.locked and not self.can(request, "write"):
            raise forbidden(False, "Unable to create comment because issue is locked.")
        comment = self.state.create_comment(int(number), login, request.body_dict().get("body"))
        return Response(201, comment_json(request.base_url, self.state, comment))

    def get_comment(self, request: Request, comment_id: str) -> Response:
        self.need_read(request)
        comment = self.state.comment(int(comment_id))
        return Response(200, comment_json(request.base_url, self.state, comment))

    def _need_comment_owner(self, request: Request, comment_id: str) -> None:
        login = self.need(request, "read")
        comment = self.state.comment(int(comment_id))
        if comment.user.lower() != login.lower() and not self.can(request, "write"):
            raise forbidden(request.user is not None and request.user.type == "Bot")

    def update_comment(self, request: Request, comment_id: str) -> Response:
        self._need_comment_owner(request, comment_id)
        comment = self.state.update_comment(int(comment_id), request.body_dict().get("body"))
        return Response(200, comment_json(request.base_url, self.state, comment))

    def delete_comment(self, request: Request, comment_id: str) -> Response:
        self._need_comment_owner(request, comment_id)
        self.state.delete_comment(int(comment_id))
        return Response(204)

    # --- reactions -----------------------------------------------------------------------------

    def _reactions_of(self, issue_number: str | None, comment_id: str | None) -> list[Reaction]:
        if comment_id is not None:
            return self.state.comment(int(comment_id)).reactions
        assert issue_number is not None
        return self.state.issue(int(issue_number)).reactions

    def list_reactions(
        self, request: Request, number: str | None = None, comment_id: str | None = None
    ) -> Response:
        self.need_read(request)
        reactions = self._reactions_of(number, comment_id)
        content = request.query.get("content")
        if content is not None:
            reactions = [r for r in reactions if r.content == content]
        page, headers = paginate(request, reactions)
        return Response(
            200, [reaction_json(request.base_url, self.state, r) for r in page], headers
        )

    def create_reaction(
        self, request: Request, number: str | None = None, comment_id: str | None = None
    ) -> Response:
        login = self.need(request, "read")
        reactions = self._reactions_of(number, comment_id)
        reaction, created = self.state.add_reaction(
            reactions, login, request.body_dict().get("content")
        )
        return Response(
            201 if created else 200, reaction_json(request.base_url, self.state, reaction)
        )

    def delete_reaction(
        self,
        request: Request,
        reaction_id: str,
        number: str | None = None,
        comment_id: str | None = None,
    ) -> Response:
        login = self.need(request, "read")
        reactions = self._reactions_of(number, comment_id)
        reaction = self.state.find_reaction(reactions, int(reaction_id))
        if reaction.user.lower() != login.lower() and not self.can(request, "admin"):
            raise forbidden(request.user is not None and request.user.type == "Bot")
        reactions.remove(reaction)
        return Response(204)


def build_router(state: RepoState, rate_overview: Callable[[Request], dict[str, Any]]) -> Router:
    """Every endpoint the emulator answers; anything else is GitHub's 404."""
    e = _Endpoints(state, rate_overview)
    r = Router()
    r.add("GET", r"/rate_limit", e.get_rate_limit)
    r.add("GET", r"/user", e.get_authenticated_user)
    r.add("GET", r"/users/(?P<login>[^/]+)", e.get_user)
    r.add("GET", r"/repo", e.get_repo)
    r.add("POST", r"/repo/dispatches", e.dispatch)
    r.add("GET", r"/repo/collaborators/(?P<login>[^/]+)/permission", e.get_permission)
    r.add("GET", r"/repo/labels", e.list_labels)
    r.add("POST", r"/repo/labels", e.create_label)
    r.add("GET", r"/repo/labels/(?P<name>[^/]+)", e.get_label)
    r.add("PATCH", r"/repo/labels/(?P<name>[^/]+)", e.update_label)
    r.add("DELETE", r"/repo/labels/(?P<name>[^/]+)", e.delete_label)
    r.add("GET", r"/repo/issues", e.list_issues)
    r.add("POST", r"/repo/issues", e.create_issue)
    r.add("GET", r"/repo/issues/comments", e.list_repo_comments)
    r.add("GET", _COMMENT, e.get_comment)
    r.add("PATCH", _COMMENT, e.update_comment)
    r.add("DELETE", _COMMENT, e.delete_comment)
    r.add("GET", _COMMENT + "/reactions", e.list_reactions)
    r.add("POST", _COMMENT + "/reactions", e.create_reaction)
    r.add("DELETE", _COMMENT + r"/reactions/(?P<reaction_id>\d+)", e.delete_reaction)
    r.add("GET", _ISSUE, e.get_issue)
    r.add("PATCH", _ISSUE, e.update_issue)
    r.add("PUT", _ISSUE + "/lock", e.lock_issue)
    r.add("DELETE", _ISSUE + "/lock", e.unlock_issue)
    r.add("GET", _ISSUE + "/labels", e.list_issue_labels)
    r.add("POST", _ISSUE + "/labels", e.add_issue_labels)
    r.add("PUT", _ISSUE + "/labels", e.set_issue_labels)
    r.add("DELETE", _ISSUE + "/labels", e.clear_issue_labels)
    r.add("DELETE", _ISSUE + r"/labels/(?P<name>[^/]+)", e.remove_issue_label)
    r.add("GET", _ISSUE + "/comments", e.list_issue_comments)
    r.add("POST", _ISSUE + "/comments", e.create_comment)
    r.add("GET", _ISSUE + "/reactions", e.list_reactions)
    r.add("POST", _ISSUE + "/reactions", e.create_reaction)
    r.add("DELETE", _ISSUE + r"/reactions/(?P<reaction_id>\d+)", e.delete_reaction)
    return r
