"""The emulated repository's data and the operations on it, free of HTTP.

Owns :class:`RepoState`: users (with tokens and permissions), labels, issues, comments, reactions,
recorded ``repository_dispatch`` payloads and id counters, plus JSON save/load. Operations validate
like GitHub and raise :class:`~gh_store.emulator.errors.ApiError`; *who* may call them is decided by
the endpoints. Callers hold ``RepoState.lock`` around every operation (the endpoints and the
emulator's helpers do).
"""

from __future__ import annotations

import json
import random
import secrets
import string
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from .errors import invalid_request, not_found, validation_failed

__all__ = [
    "BOT_LOGIN",
    "PERMISSIONS",
    "REACTION_CONTENTS",
    "Comment",
    "Issue",
    "Label",
    "Reaction",
    "RepoState",
    "User",
    "permission_level",
]

PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")
REACTION_CONTENTS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
BOT_LOGIN = "github-actions[bot]"
BOT_ID = 41898282
MAX_BODY = 65536
MAX_TITLE = 256
MAX_LABEL = 50
_ISSUES_DOCS = "https://docs.github.com/rest/issues/issues"
_LABEL_DOCS = "https://docs.github.com/rest/issues/labels#create-a-label"
_HEX = set(string.hexdigits)


def permission_level(permission: str) -> int:
    """0 for ``none`` up to 5 for ``admin``."""
    return PERMISSIONS.index(permission)


def _check_permission(permission: str) -> str:
    if permission not in PERMISSIONS:
        raise ValueError(f"permission must be one of {PERMISSIONS}, not {permission!r}")
    return permission


@dataclass
class User:
    login: str
    id: int
    type: str  # "User" or "Bot"
    token: str
    permission: str | None  # explicit grant; None = no explicit access


@dataclass
class Label:
    id: int
    name: str
    color: str
    description: str | None
    default: bool = False


@dataclass
class Reaction:
    id: int
    user: str
    content: str
    created_at: int


@dataclass
class Comment:
    id: int
    issue_number: int
    user: str
    body: str
    created_at: int
    updated_at: int
    reactions: list[Reaction] = field(default_factory=list)


@dataclass
class Issue:
    id: int
    number: int
    title: str
    body: str | None
    user: str
    state: str
    state_reason: str | None
    created_at: int
    updated_at: int
    closed_at: int | None = None
    closed_by: str | None = None
    locked: bool = False
    active_lock_reason: str | None = None
    label_ids: list[int] = field(default_factory=list)
    reactions: list[Reaction] = field(default_factory=list)


def _check_body(body: Any, resource: str, required: bool) -> str | None:
    if body is None:
        if required:
            raise invalid_request('"body" wasn\'t supplied.')
        return None
    if not isinstance(body, str):
        raise invalid_request(f"For 'properties/body', {json.dumps(body)} is not a string.")
    if len(body) > MAX_BODY:
        raise validation_failed(
            resource, "body", "custom", f"body is too long (maximum is {MAX_BODY} characters)"
        )
    return body


def _check_title(title: Any) -> str:
    if title is None:
        raise invalid_request('"title" wasn\'t supplied.', f"{_ISSUES_DOCS}#create-an-issue")
    if isinstance(title, int | float) and not isinstance(title, bool):
        title = str(title)
    if not isinstance(title, str):
        raise invalid_request(f"For 'properties/title', {json.dumps(title)} is not a string.")
    if not title.strip():
        raise validation_failed("Issue", "title", "missing_field")
    if len(title) > MAX_TITLE:
        raise validation_failed(
            "Issue", "title", "custom", f"title is too long (maximum is {MAX_TITLE} characters)"
        )
    return title


def _check_label_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise validation_failed("Label", "name", "missing_field", documentation_url=_LABEL_DOCS)
    if len(name) > MAX_LABEL:
        raise validation_failed(
            "Label",
            "name",
            "custom",
            f"name is too long (maximum is {MAX_LABEL} characters)",
            _LABEL_DOCS,
        )
    return name


def _check_color(color: Any) -> str:
    if isinstance(color, str) and color.startswith("#"):
        color = color[1:]
    if not isinstance(color, str) or len(color) != 6 or not set(color) <= _HEX:
        raise validation_failed("Label", "color", "invalid", documentation_url=_LABEL_DOCS)
    return color


def _label_names(labels: Any) -> list[str]:
    """Label names from a request: strings, or objects with ``name`` (GitHub accepts both)."""
    if labels is None:
        return []
    if not isinstance(labels, list):
        raise invalid_request(f"For 'properties/labels', {json.dumps(labels)} is not an array.")
    names: list[str] = []
    for item in labels:
        name = item.get("name") if isinstance(item, dict) else item
        if not isinstance(name, str):
            raise invalid_request(f"For 'items', {json.dumps(item)} is not a string or an object.")
        names.append(name)
    return names


class RepoState:
    """One repository with its users; every method expects ``self.lock`` to be held by the
    caller."""

    def __init__(self, owner: str, name: str, private: bool = False) -> None:
        self.lock = threading.RLock()
        self.owner = owner
        self.name = name
        self.private = private
        self.repo_id = 700_000_000 + random.randrange(100_000_000)
        self.created_at = int(time.time())
        self.users: dict[str, User] = {}
        self.labels: dict[int, Label] = {}
        self.issues: dict[int, Issue] = {}
        self.comments: dict[int, Comment] = {}
        self.dispatches: list[dict[str, Any]] = []
        self.counters: dict[str, int] = {
            "user": 1_000_000,
            "issue": 1_800_000_000,
            "issue_number": 0,
            "comment": 2_000_000_000,
            "reaction": 150_000_000,
            "label": 5_000_000_000,
        }
        self._rng = random.Random()
        self.ensure_user(owner, "admin")
        bot = self.ensure_user(BOT_LOGIN, "write")
        bot.type, bot.id, bot.token = "Bot", BOT_ID, "ghs_" + _token_chars()

    # --- clock and ids -------------------------------------------------------------------------

    @staticmethod
    def now() -> int:
        return int(time.time())

    def next_id(self, kind: str) -> int:
        """A fresh id; comment and reaction ids step unevenly, so clients cannot assume
        contiguity."""
        step = 1 if kind in ("issue_number", "user", "label") else self._rng.randint(1, 97)
        self.counters[kind] += step
        return self.counters[kind]

    # --- users ---------------------------------------------------------------------------------

    def ensure_user(self, login: str, permission: str | None = None) -> User:
        """The user ``login``, created with a fresh token if needed; sets ``permission`` if
        given."""
        user = self.users.get(login.lower())
        if user is None:
            user = User(login, self.next_id("user"), "User", "ghp_" + _token_chars(), None)
            self.users[login.lower()] = user
        if permission is not None:
            user.permission = _check_permission(permission)
        return user

    def user(self, login: str) -> User:
        user = self.users.get(login.lower())
        if user is None:
            raise not_found()
        return user

    def user_by_token(self, token: str) -> User | None:
        for user in self.users.values():
            if secrets.compare_digest(user.token, token):
                return user
        return None

    def permission_of(self, login: str | None) -> str:
        """Effective role: the explicit grant, else ``read`` on a public repository, else
        ``none``."""
        if login is not None and login.lower() == self.owner.lower():
            return "admin"
        user = self.users.get(login.lower()) if login is not None else None
        explicit = user.permission if user is not None else None
        if explicit is not None and explicit != "none":
            return explicit
        return "none" if self.private else "read"

    def author_association(self, login: str) -> str:
        if login.lower() == self.owner.lower():
            return "OWNER"
        user = self.users.get(login.lower())
        if user is None or user.type == "Bot" or user.permission in (None, "none"):
            return "NONE"
        return "COLLABORATOR"

    # --- labels --------------------------------------------------------------------------------

    def find_label(self, name: str) -> Label | None:
        lowered = name.lower()
        for label in self.labels.values():
            if label.name.lower() == lowered:
                return label
        return None

    def label(self, name: str) -> Label:
        label = self.find_label(name)
        if label is None:
            raise not_found()
        return label

    def create_label(
        self, name: Any, color: Any = "ededed", description: Any = None, default: bool = False
    ) -> Label:
        name = _check_label_name(name)
        color = _check_color(color if color is not None else "ededed")
        if self.find_label(name) is not None:
            raise validation_failed(
                "Label", "name", "already_exists", documentation_url=_LABEL_DOCS
            )
        label = Label(self.next_id("label"), name, color, description, default)
        self.labels[label.id] = label
        return label

    def update_label(self, name: str, changes: dict[str, Any]) -> Label:
        label = self.label(name)
        new_name = changes.get("new_name", changes.get("name"))
        if new_name is not None:
            new_name = _check_label_name(new_name)
            other = self.find_label(new_name)
            if other is not None and other.id != label.id:
                raise validation_failed(
                    "Label", "name", "already_exists", documentation_url=_LABEL_DOCS
                )
            label.name = new_name
        if "color" in changes:
            label.color = _check_color(changes["color"])
        if "description" in changes:
            label.description = changes["description"]
        return label

    def delete_label(self, name: str) -> None:
        label = self.label(name)
        del self.labels[label.id]
        for issue in self.issues.values():
            if label.id in issue.label_ids:
                issue.label_ids.remove(label.id)

    def _labels_for(self, labels: Any) -> list[int]:
        """Label ids for names, creating missing labels (colour ``ededed``) as GitHub does."""
        ids: list[int] = []
        for name in _label_names(labels):
            label = self.find_label(name) or self.create_label(name)
            if label.id not in ids:
                ids.append(label.id)
        return ids

    # --- issues --------------------------------------------------------------------------------

    def issue(self, number: int) -> Issue:
        issue = self.issues.get(number)
        if issue is None:
            raise not_found()
        return issue

    def create_issue(
        self,
        login: str,
        title: Any,
        body: Any = None,
        labels: Any = None,
        state: str = "open",
    ) -> Issue:
        title = _check_title(title)
        checked_body = _check_body(body, "Issue", required=False)
        label_ids = self._labels_for(labels)
        now = self.now()
        issue = Issue(
            id=self.next_id("issue"),
            number=self.next_id("issue_number"),
            title=title,
            body=checked_body,
            user=login,
            state="open",
            state_reason=None,
            created_at=now,
            updated_at=now,
            label_ids=label_ids,
        )
        self.issues[issue.number] = issue
        if state == "closed":
            self._set_state(issue, login, "closed", None)
        return issue

    def update_issue(self, number: int, login: str, changes: dict[str, Any]) -> Issue:
        issue = self.issue(number)
        title = _check_title(changes["title"]) if "title" in changes else issue.title
        body = (
            _check_body(changes["body"], "Issue", required=False)
            if "body" in changes
            else issue.body
        )
        state = changes.get("state", issue.state)
        if state not in ("open", "closed"):
            raise validation_failed("Issue", "state", "invalid")
        reason = changes.get("state_reason")
        if reason not in (None, "completed", "not_planned", "reopened", "duplicate"):
            raise validation_failed("Issue", "state_reason", "invalid")
        label_ids = self._labels_for(changes["labels"]) if "labels" in changes else issue.label_ids
        issue.title, issue.body, issue.label_ids = title, body, label_ids
        self._set_state(issue, login, state, reason)
        issue.updated_at = self.now()
        return issue

    def _set_state(self, issue: Issue, login: str, state: str, reason: str | None) -> None:
        if state == "closed":
            if issue.state != "closed":
                issue.closed_at, issue.closed_by = self.now(), login
            issue.state, issue.state_reason = "closed", reason or issue.state_reason or "completed"
            if issue.state_reason == "reopened":
                issue.state_reason = "completed"
        else:
            if issue.state == "closed":
                issue.state_reason = "reopened"
            elif reason is not None:
                issue.state_reason = reason
            issue.state, issue.closed_at, issue.closed_by = "open", None, None

    def add_labels(self, number: int, labels: Any) -> Issue:
        issue = self.issue(number)
        for label_id in self._labels_for(labels):
            if label_id not in issue.label_ids:
                issue.label_ids.append(label_id)
        issue.updated_at = self.now()
        return issue

    def set_labels(self, number: int, labels: Any) -> Issue:
        issue = self.issue(number)
        issue.label_ids = self._labels_for(labels)
        issue.updated_at = self.now()
        return issue

    def remove_label(self, number: int, name: str) -> Issue:
        issue = self.issue(number)
        label = self.find_label(name)
        if label is None or label.id not in issue.label_ids:
            raise not_found()
        issue.label_ids.remove(label.id)
        issue.updated_at = self.now()
        return issue

    def issue_labels(self, issue: Issue) -> list[Label]:
        return sorted((self.labels[i] for i in issue.label_ids), key=lambda lab: lab.name.lower())

    def set_lock(self, number: int, locked: bool, reason: Any = None) -> None:
        issue = self.issue(number)
        if reason not in (None, "off-topic", "too heated", "resolved", "spam"):
            raise validation_failed("Issue", "lock_reason", "invalid")
        issue.locked, issue.active_lock_reason = locked, (reason if locked else None)

    # --- comments ------------------------------------------------------------------------------

    def comment(self, comment_id: int) -> Comment:
        comment = self.comments.get(comment_id)
        if comment is None:
            raise not_found()
        return comment

    def create_comment(self, number: int, login: str, body: Any) -> Comment:
        issue = self.issue(number)
        checked = _check_body(body, "IssueComment", required=True)
        assert checked is not None
        now = self.now()
        comment = Comment(self.next_id("comment"), number, login, checked, now, now)
        self.comments[comment.id] = comment
        issue.updated_at = now
        return comment

    def update_comment(self, comment_id: int, body: Any) -> Comment:
        comment = self.comment(comment_id)
        checked = _check_body(body, "IssueComment", required=True)
        assert checked is not None
        comment.body, comment.updated_at = checked, self.now()
        return comment

    def delete_comment(self, comment_id: int) -> None:
        self.comment(comment_id)
        del self.comments[comment_id]

    def comment_count(self, number: int) -> int:
        return sum(1 for c in self.comments.values() if c.issue_number == number)

    # --- reactions -----------------------------------------------------------------------------

    def add_reaction(
        self, reactions: list[Reaction], login: str, content: Any
    ) -> tuple[Reaction, bool]:
        """The reaction and whether it is new; an existing one of this user and content is
        returned."""
        if content not in REACTION_CONTENTS:
            raise validation_failed("Reaction", "content", "invalid")
        for reaction in reactions:
            if reaction.user.lower() == login.lower() and reaction.content == content:
                return reaction, False
        reaction = Reaction(self.next_id("reaction"), login, str(content), self.now())
        reactions.append(reaction)
        return reaction, True

    @staticmethod
    def find_reaction(reactions: list[Reaction], reaction_id: int) -> Reaction:
        for reaction in reactions:
            if reaction.id == reaction_id:
                return reaction
        raise not_found()

    # --- persistence ---------------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "owner": self.owner,
            "name": self.name,
            "private": self.private,
            "repo_id": self.repo_id,
            "created_at": self.created_at,
            "users": [asdict(u) for u in self.users.values()],
            "labels": [asdict(label) for label in self.labels.values()],
            "issues": [asdict(i) for i in self.issues.values()],
            "comments": [asdict(c) for c in self.comments.values()],
            "dispatches": self.dispatches,
            "counters": self.counters,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> RepoState:
        state = cls(data["owner"], data["name"], data["private"])
        state.repo_id, state.created_at = data["repo_id"], data["created_at"]
        state.users = {u["login"].lower(): User(**u) for u in data["users"]}
        state.labels = {lab["id"]: Label(**lab) for lab in data["labels"]}
        state.issues = {}
        for raw in data["issues"]:
            reactions = [Reaction(**r) for r in raw.pop("reactions")]
            state.issues[raw["number"]] = Issue(**raw, reactions=reactions)
        state.comments = {}
        for raw in data["comments"]:
            reactions = [Reaction(**r) for r in raw.pop("reactions")]
            state.comments[raw["id"]] = Comment(**raw, reactions=reactions)
        state.dispatches = list(data["dispatches"])
        state.counters = dict(data["counters"])
        return state

    def save(self, path: Path) -> None:
        tmp = path.with_name(path.name + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=1), encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> RepoState:
        return cls.from_json(json.loads(path.read_text(encoding="utf-8")))


def _token_chars() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(36))
