"""The emulated repository's data and the operations on it, free of HTTP.

Owns :class:`Repository`: users (tokens, direct and team grants, organization membership), labels,
issues, comments, reactions, recorded ``repository_dispatch`` payloads and id counters, and their
JSON form for state files. Operations keep GitHub's rules about the data (labels are found in any
case and keep their spelling; a comment bumps its issue's ``updated_at``, a reaction bumps
nothing) and raise :class:`~gh_store.emulator.errors.ApiError`; *who* may call them is decided by
:mod:`.endpoints`. Callers hold ``lock`` around every operation.
"""

from __future__ import annotations

import random
import secrets
import string
import threading
import time
from dataclasses import asdict
from typing import Any

from .checks import (
    check_body,
    check_color,
    check_label_description,
    check_label_name,
    check_title,
)
from .clock import Clock
from .errors import gone, not_found, validation_failed
from .records import (
    BOT_ID,
    BOT_LOGIN,
    MEMBERSHIPS,
    REACTION_CONTENTS,
    Comment,
    CommentEdit,
    Issue,
    Label,
    Reaction,
    User,
    check_permission,
)

__all__ = ["Repository"]

_LABEL_DOCS = "https://docs.github.com/rest/issues/labels#create-a-label"


class Repository:
    """One repository with its users; every method expects ``self.lock`` to be held."""

    def __init__(
        self, owner: str, name: str, private: bool = False, clock: Clock | None = None
    ) -> None:
        self.lock = threading.RLock()
        self.clock = clock if clock is not None else Clock()
        self.owner = owner
        self.name = name
        self.private = private
        self.repo_id = 700_000_000 + random.randrange(100_000_000)
        self.created_at = int(time.time())
        self.users: dict[str, User] = {}
        self.labels: dict[int, Label] = {}
        self.issues: dict[int, Issue] = {}
        self.deleted: set[int] = set()  # issue numbers: 410 Gone, in no listing
        self.comments: dict[int, Comment] = {}
        self.dispatches: list[dict[str, Any]] = []
        self.counters: dict[str, int] = {
            "user": 1_000_000,
            "issue": 1_800_000_000,
            "issue_number": 0,
            "comment": 2_000_000_000,
            "reaction": 150_000_000,
            "label": 5_000_000_000,
            "edit": 300_000_000,
        }
        # Seeded, so a test replays the same ids (a torture seed names one exact schedule).
        self._rng = random.Random(f"{owner}/{name}")
        self.ensure_user(owner, "admin")
        bot = self.ensure_user(BOT_LOGIN, "write")
        bot.type, bot.id, bot.token = "Bot", BOT_ID, "ghs_" + _token_chars()

    # --- clock and ids -------------------------------------------------------------------------

    def now(self) -> int:
        """The time stamp of an event happening now (see :class:`~.clock.Clock`)."""
        return self.clock.stamp()

    def next_id(self, kind: str) -> int:
        """A fresh id; comment and reaction ids step unevenly, so clients cannot assume
        contiguity."""
        step = 1 if kind in ("issue_number", "user", "label", "edit") else self._rng.randint(1, 97)
        self.counters[kind] = self.counters.get(kind, 300_000_000) + step
        return self.counters[kind]

    # --- users ---------------------------------------------------------------------------------

    def ensure_user(self, login: str, permission: str | None = None) -> User:
        """The user ``login``, created with a fresh token if needed; sets its direct grant if
        ``permission`` is given."""
        user = self.users.get(login.lower())
        if user is None:
            user = User(login, self.next_id("user"), "User", "ghp_" + _token_chars(), None)
            self.users[login.lower()] = user
        if permission is not None:
            user.permission = check_permission(permission)
        return user

    def add_org_member(self, login: str, permission: str, public: bool) -> User:
        """``login`` as a member of the owning organization, with ``permission`` through a team."""
        user = self.ensure_user(login)
        user.team_permission = check_permission(permission)
        user.membership = MEMBERSHIPS[0] if public else MEMBERSHIPS[1]
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
        """Effective role: the higher grant, else ``read`` on a public repository, else
        ``none``."""
        if login is not None and login.lower() == self.owner.lower():
            return "admin"
        user = self.users.get(login.lower()) if login is not None else None
        granted = user.granted if user is not None else None
        if granted is not None:
            return granted
        return "none" if self.private else "read"

    def role_name_of(self, login: str) -> str:
        """GitHub's ``role_name``: a custom role's own name when it is the grant that counts."""
        role = self.permission_of(login)
        user = self.users.get(login.lower())
        if user is not None and user.custom_role and user.permission == role:
            return user.custom_role
        return role

    def author_association(self, login: str) -> str:
        """What GitHub shows beside what ``login`` writes; not an authorization (GITHUB-FACTS).

        ``MEMBER`` only for public organization membership; a private member with access through
        a team is a ``CONTRIBUTOR``; ``COLLABORATOR`` is any direct grant, read-only ones too.
        """
        if login.lower() == self.owner.lower():
            return "OWNER"
        user = self.users.get(login.lower())
        if user is None or user.type == "Bot":
            return "NONE"
        if user.membership == "public":
            return "MEMBER"
        if user.permission not in (None, "none"):
            return "COLLABORATOR"
        if user.membership == "private":
            return "CONTRIBUTOR"
        return "NONE"

    # --- labels --------------------------------------------------------------------------------

    def find_label(self, name: str) -> Label | None:
        """The label called ``name`` in any case: GitHub's label names are case-insensitive."""
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
        self,
        name: str | None,
        color: str | None = "ededed",
        description: str | None = None,
        default: bool = False,
    ) -> Label:
        name = check_label_name(name)
        color = check_color(color if color is not None else "ededed")
        if self.find_label(name) is not None:
            raise validation_failed(
                "Label", "name", "already_exists", documentation_url=_LABEL_DOCS
            )
        label = Label(
            self.next_id("label"), name, color, check_label_description(description), default
        )
        self.labels[label.id] = label
        return label

    def update_label(self, name: str, changes: dict[str, Any]) -> Label:
        label = self.label(name)
        if "new_name" in changes:
            new_name = check_label_name(changes["new_name"])
            other = self.find_label(new_name)
            if other is not None and other.id != label.id:
                raise validation_failed(
                    "Label", "name", "already_exists", documentation_url=_LABEL_DOCS
                )
            label.name = new_name
        if "color" in changes:
            label.color = check_color(changes["color"])
        if "description" in changes:
            label.description = check_label_description(changes["description"])
        return label

    def delete_label(self, name: str) -> None:
        label = self.label(name)
        del self.labels[label.id]
        for issue in self.issues.values():
            if label.id in issue.label_ids:
                issue.label_ids.remove(label.id)

    def label_ids(self, names: list[str]) -> list[int]:
        """Label ids for names in any case, creating missing labels (colour ``ededed``) as
        GitHub does; an existing label keeps its spelling."""
        ids: list[int] = []
        for name in names:
            label = self.find_label(name) or self.create_label(name)
            if label.id not in ids:
                ids.append(label.id)
        return ids

    # --- issues --------------------------------------------------------------------------------

    def issue(self, number: int) -> Issue:
        issue = self.issues.get(number)
        if issue is None:
            raise gone() if number in self.deleted else not_found()
        return issue

    def delete_issue(self, number: int) -> None:
        """Delete the issue for good, with its comments: GitHub's ``deleteIssue`` (no REST)."""
        self.issue(number)
        del self.issues[number]
        self.deleted.add(number)
        for comment_id in [c.id for c in self.comments.values() if c.issue_number == number]:
            del self.comments[comment_id]

    def create_issue(
        self,
        login: str,
        title: str | int | None,
        body: str | None = None,
        labels: list[str] | None = None,
        state: str = "open",
    ) -> Issue:
        checked_title = check_title(title)
        checked_body = check_body(body, "Issue")
        label_ids = self.label_ids(labels or [])
        now = self.now()
        issue = Issue(
            id=self.next_id("issue"),
            number=self.next_id("issue_number"),
            title=checked_title,
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
            self._set_state(issue, login, "closed", None, now)
        return issue

    def update_issue(self, number: int, login: str, changes: dict[str, Any]) -> Issue:
        """Apply ``title``, ``body``, ``state``, ``state_reason`` and ``labels`` (names)."""
        issue = self.issue(number)
        title = check_title(changes["title"]) if "title" in changes else issue.title
        body = check_body(changes["body"], "Issue") if "body" in changes else issue.body
        label_ids = self.label_ids(changes["labels"]) if "labels" in changes else issue.label_ids
        issue.title, issue.body, issue.label_ids = title, body, label_ids
        # One event, one time: the write that closes an issue stamps its closed_at and its
        # updated_at alike, as GitHub does.
        now = self.now()
        self._set_state(
            issue, login, changes.get("state", issue.state), changes.get("state_reason"), now
        )
        issue.updated_at = now
        return issue

    def _set_state(
        self, issue: Issue, login: str, state: str, reason: str | None, now: int | None = None
    ) -> None:
        if state == "closed":
            if issue.state != "closed":
                issue.closed_at, issue.closed_by = self.now() if now is None else now, login
            issue.state, issue.state_reason = "closed", reason or issue.state_reason or "completed"
            if issue.state_reason == "reopened":
                issue.state_reason = "completed"
        else:
            if issue.state == "closed":
                issue.state_reason = "reopened"
            elif reason is not None:
                issue.state_reason = reason
            issue.state, issue.closed_at, issue.closed_by = "open", None, None

    def add_labels(self, number: int, names: list[str]) -> Issue:
        issue = self.issue(number)
        for label_id in self.label_ids(names):
            if label_id not in issue.label_ids:
                issue.label_ids.append(label_id)
        issue.updated_at = self.now()
        return issue

    def set_labels(self, number: int, names: list[str]) -> Issue:
        issue = self.issue(number)
        issue.label_ids = self.label_ids(names)
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

    def set_lock(self, number: int, locked: bool, reason: str | None = None) -> None:
        issue = self.issue(number)
        issue.locked, issue.active_lock_reason = locked, (reason if locked else None)

    # --- comments ------------------------------------------------------------------------------

    def comment(self, comment_id: int) -> Comment:
        comment = self.comments.get(comment_id)
        if comment is None:
            raise not_found()
        return comment

    def comments_of(self, number: int) -> list[Comment]:
        """The issue's comments in GitHub's order: ascending by id."""
        return sorted(
            (c for c in self.comments.values() if c.issue_number == number), key=lambda c: c.id
        )

    def create_comment(self, number: int, login: str, body: str) -> Comment:
        issue = self.issue(number)
        checked = check_body(body, "IssueComment")
        assert checked is not None
        now = self.now()
        comment = Comment(self.next_id("comment"), number, login, checked, now, now)
        self.comments[comment.id] = comment
        issue.updated_at = now
        return comment

    def update_comment(self, comment_id: int, body: str, editor: str | None = None) -> Comment:
        comment = self.comment(comment_id)
        checked = check_body(body, "IssueComment")
        assert checked is not None
        now, edits = self.now(), comment.edits
        if checked != comment.body:  # the history keeps the first text, then each edit's
            if not edits:
                first = CommentEdit(
                    self.next_id("edit"), comment.user, comment.body, comment.created_at
                )
                edits.append(first)
            edits.append(CommentEdit(self.next_id("edit"), editor or comment.user, checked, now))
        comment.body, comment.updated_at = checked, now
        return comment

    def delete_comment(self, comment_id: int) -> None:
        self.comment(comment_id)
        del self.comments[comment_id]

    def comment_count(self, number: int) -> int:
        return sum(1 for c in self.comments.values() if c.issue_number == number)

    # --- reactions -----------------------------------------------------------------------------

    def add_reaction(
        self, reactions: list[Reaction], login: str, content: str
    ) -> tuple[Reaction, bool]:
        """The reaction and whether it is new; an existing one of this user and content is
        returned. Reacting changes no ``updated_at``, as on GitHub."""
        if content not in REACTION_CONTENTS:
            raise validation_failed("Reaction", "content", "invalid")
        for reaction in reactions:
            if reaction.user.lower() == login.lower() and reaction.content == content:
                return reaction, False
        reaction = Reaction(self.next_id("reaction"), login, content, self.now())
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
            "deleted": sorted(self.deleted),
            "dispatches": self.dispatches,
            "counters": self.counters,
        }

    def load_json(self, data: dict[str, Any]) -> None:
        """Replace this repository's data with a state file's (see :meth:`to_json`)."""
        self.owner, self.name, self.private = data["owner"], data["name"], data["private"]
        self.repo_id, self.created_at = data["repo_id"], data["created_at"]
        self.users = {u["login"].lower(): User(**u) for u in data["users"]}
        self.labels = {lab["id"]: Label(**lab) for lab in data["labels"]}
        self.issues = {}
        for raw in data["issues"]:
            reactions = [Reaction(**r) for r in raw.pop("reactions")]
            self.issues[raw["number"]] = Issue(**raw, reactions=reactions)
        self.comments = {}
        for raw in data["comments"]:
            reactions = [Reaction(**r) for r in raw.pop("reactions")]
            edits = [CommentEdit(**e) for e in raw.pop("edits", [])]
            self.comments[raw["id"]] = Comment(**raw, reactions=reactions, edits=edits)
        self.deleted = set(data.get("deleted", []))
        self.dispatches = list(data["dispatches"])
        self.counters = dict(data["counters"])


def _token_chars() -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(36))
