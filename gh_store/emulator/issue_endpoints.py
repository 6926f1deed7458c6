"""REST endpoints about issues: issues, their labels and lock, comments, reactions.

Owns :class:`IssueEndpoints`; the routes are in :mod:`.endpoints`, the access rules in
:mod:`.access`. Listing follows GitHub: issues by ``created`` (or ``updated``, ``comments``),
newest first unless ``direction=asc``, filtered by state (default ``open``), labels (all of
them, in any case), ``creator`` and ``since`` (on ``updated_at``, inclusive); an issue's comments
ascending by id, ``since`` inclusive on ``updated_at``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .access import Access
from .bodies import body_of, label_names
from .errors import forbidden, invalid_request, validation_failed
from .exchange import Exchange, Response
from .records import Issue, Reaction
from .routes import paginate
from .shapes import comment_json, issue_json, label_json, reaction_json

__all__ = ["IssueEndpoints"]


def _parse_since(request: Exchange) -> int | None:
    raw = request.query.get("since")
    if not raw:
        return None
    try:
        return int(datetime.fromisoformat(raw.replace("Z", "+00:00")).timestamp())
    except ValueError:
        raise invalid_request(f"For 'since', {raw!r} is not a valid ISO 8601 timestamp.") from None


def _choice(request: Exchange, name: str, default: str, allowed: tuple[str, ...]) -> str:
    value = request.query.get(name, default)
    if value not in allowed:
        raise validation_failed("Issue", name, "invalid")
    return value


class IssueEndpoints(Access):
    def _issue(self, request: Exchange, issue: Issue, status: int = 200) -> Response:
        body = issue_json(request.base_url, self.state, issue)
        return Response(status, body, {"Location": body["url"]} if status == 201 else {})

    def _labels_of(self, request: Exchange, issue: Issue) -> Response:
        labels = self.state.issue_labels(issue)
        return Response(200, [label_json(request.base_url, self.state, lab) for lab in labels])

    # --- issues --------------------------------------------------------------------------------

    def list_issues(self, request: Exchange) -> Response:
        self.need_read(request)
        wanted_state = _choice(request, "state", "open", ("open", "closed", "all"))
        sort = _choice(request, "sort", "created", ("created", "updated", "comments"))
        direction = _choice(request, "direction", "desc", ("asc", "desc"))
        wanted = {n.strip().lower() for n in request.query.get("labels", "").split(",")} - {""}
        since = _parse_since(request)
        creator = request.query.get("creator")
        issues = []
        for issue in self.state.issues.values():
            names = {lab.name.lower() for lab in self.state.issue_labels(issue)}
            if wanted_state != "all" and issue.state != wanted_state:
                continue
            if not wanted <= names:
                continue
            if since is not None and issue.updated_at < since:
                continue
            if creator is not None and issue.user.lower() != creator.lower():
                continue
            issues.append(issue)

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

    def get_issue(self, request: Exchange, number: str) -> Response:
        self.need_read(request)
        return self._issue(request, self.state.issue(int(number)))

    def create_issue(self, request: Exchange) -> Response:
        login = self.need(request, "read")
        data = body_of(request)
        labels = label_names(request) if self.can(request, "write") else None
        issue = self.state.create_issue(login, data["title"], data.get("body"), labels)
        return self._issue(request, issue, 201)

    def update_issue(self, request: Exchange, number: str) -> Response:
        login = self.need(request, "read")
        issue = self.state.issue(int(number))
        is_author = issue.user.lower() == login.lower()
        data = body_of(request)
        changes: dict[str, Any] = {
            k: data[k] for k in ("title", "body", "state", "state_reason") if k in data
        }
        if ("title" in changes or "body" in changes) and not (
            is_author or self.can(request, "write")
        ):
            self.refuse(request)
        if ("state" in changes or "state_reason" in changes) and not (
            is_author or self.can(request, "triage")
        ):
            self.refuse(request)
        if "labels" in data and self.can(request, "write"):
            changes["labels"] = label_names(request)
        return self._issue(request, self.state.update_issue(int(number), login, changes))

    def lock_issue(self, request: Exchange, number: str) -> Response:
        self.need(request, "write")
        self.state.set_lock(int(number), True, body_of(request).get("lock_reason"))
        return Response(204)

    def unlock_issue(self, request: Exchange, number: str) -> Response:
        self.need(request, "write")
        self.state.set_lock(int(number), False)
        return Response(204)

    # --- an issue's labels ---------------------------------------------------------------------

    def list_issue_labels(self, request: Exchange, number: str) -> Response:
        self.need_read(request)
        labels = self.state.issue_labels(self.state.issue(int(number)))
        page, headers = paginate(request, labels)
        return Response(
            200, [label_json(request.base_url, self.state, lab) for lab in page], headers
        )

    def add_issue_labels(self, request: Exchange, number: str) -> Response:
        self.need(request, "triage")
        issue = self.state.add_labels(int(number), label_names(request))
        return self._labels_of(request, issue)

    def set_issue_labels(self, request: Exchange, number: str) -> Response:
        self.need(request, "triage")
        issue = self.state.set_labels(int(number), label_names(request))
        return self._labels_of(request, issue)

    def remove_issue_label(self, request: Exchange, number: str, name: str) -> Response:
        self.need(request, "triage")
        issue = self.state.remove_label(int(number), name)
        return self._labels_of(request, issue)

    def clear_issue_labels(self, request: Exchange, number: str) -> Response:
        self.need(request, "triage")
        self.state.set_labels(int(number), [])
        return Response(204)

    # --- comments ------------------------------------------------------------------------------

    def list_issue_comments(self, request: Exchange, number: str) -> Response:
        self.need_read(request)
        self.state.issue(int(number))
        since = _parse_since(request)
        comments = [
            c for c in self.state.comments_of(int(number)) if since is None or c.updated_at >= since
        ]
        page, headers = paginate(request, comments)
        return Response(200, [comment_json(request.base_url, self.state, c) for c in page], headers)

    def list_repo_comments(self, request: Exchange) -> Response:
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

    def create_comment(self, request: Exchange, number: str) -> Response:
        login = self.need(request, "read")
        issue = self.state.issue(int(number))
        if issue.locked and not self.can(request, "write"):
            raise forbidden(False, "Unable to create comment because issue is locked.")
        comment = self.state.create_comment(int(number), login, body_of(request)["body"])
        body = comment_json(request.base_url, self.state, comment)
        return Response(201, body, {"Location": body["url"]})

    def get_comment(self, request: Exchange, comment_id: str) -> Response:
        self.need_read(request)
        comment = self.state.comment(int(comment_id))
        return Response(200, comment_json(request.base_url, self.state, comment))

    def _need_comment_owner(self, request: Exchange, comment_id: str) -> None:
        login = self.need(request, "read")
        comment = self.state.comment(int(comment_id))
        if comment.user.lower() != login.lower() and not self.can(request, "write"):
            self.refuse(request)

    def update_comment(self, request: Exchange, comment_id: str) -> Response:
        self._need_comment_owner(request, comment_id)
        editor = request.user.login if request.user is not None else None
        comment = self.state.update_comment(int(comment_id), body_of(request)["body"], editor)
        return Response(200, comment_json(request.base_url, self.state, comment))

    def delete_comment(self, request: Exchange, comment_id: str) -> Response:
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
        self, request: Exchange, number: str | None = None, comment_id: str | None = None
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
        self, request: Exchange, number: str | None = None, comment_id: str | None = None
    ) -> Response:
        login = self.need(request, "read")
        reactions = self._reactions_of(number, comment_id)
        reaction, created = self.state.add_reaction(reactions, login, body_of(request)["content"])
        return Response(
            201 if created else 200, reaction_json(request.base_url, self.state, reaction)
        )

    def delete_reaction(
        self,
        request: Exchange,
        reaction_id: str,
        number: str | None = None,
        comment_id: str | None = None,
    ) -> Response:
        login = self.need(request, "read")
        reactions = self._reactions_of(number, comment_id)
        reaction = self.state.find_reaction(reactions, int(reaction_id))
        if reaction.user.lower() != login.lower() and not self.can(request, "admin"):
            self.refuse(request)
        reactions.remove(reaction)
        return Response(204)
