"""The emulated repository's records: users, labels, issues, comments, reactions.

Owns the plain dataclasses the state keeps (and saves to a state file as JSON) and the vocabulary
they use: permission roles, reaction contents, the Actions bot's identity. No behaviour beyond
small derived values; the operations live in :mod:`.repository`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "BOT_ID",
    "BOT_LOGIN",
    "MEMBERSHIPS",
    "PERMISSIONS",
    "REACTION_CONTENTS",
    "Comment",
    "Issue",
    "Label",
    "Reaction",
    "User",
    "check_permission",
    "permission_level",
]

PERMISSIONS = ("none", "read", "triage", "write", "maintain", "admin")
REACTION_CONTENTS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
# Whether an organization member shows their membership: GitHub reports ``MEMBER`` as
# author_association only for public membership (see GITHUB-FACTS, "Who may write").
MEMBERSHIPS = ("public", "private")
BOT_LOGIN = "github-actions[bot]"
BOT_ID = 41898282


def permission_level(permission: str) -> int:
    """0 for ``none`` up to 5 for ``admin``."""
    return PERMISSIONS.index(permission)


def check_permission(permission: str) -> str:
    if permission not in PERMISSIONS:
        raise ValueError(f"permission must be one of {PERMISSIONS}, not {permission!r}")
    return permission


@dataclass
class User:
    """A login with its token and its access to the repository.

    ``permission`` is a direct grant (a collaborator); ``team_permission`` comes through an
    organization team, with ``membership`` saying whether the member shows it publicly. The
    repository permission GitHub reports is the higher of the two. ``custom_role`` names the
    direct grant when it is a custom repository role (``deployer``) inheriting ``permission``:
    GitHub reports it as ``role_name``, and the base role as ``permission``.
    """

    login: str
    id: int
    type: str  # "User" or "Bot"
    token: str
    permission: str | None  # direct grant; None = not a collaborator
    team_permission: str | None = None
    membership: str | None = None  # None, or one of MEMBERSHIPS
    custom_role: str | None = None  # a custom repository role's name; it inherits ``permission``

    @property
    def granted(self) -> str | None:
        """The higher of the direct and the team grant (None when neither exists)."""
        grants = [p for p in (self.permission, self.team_permission) if p not in (None, "none")]
        return max(grants, key=permission_level) if grants else None


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
class CommentEdit:
    """One version of a comment's text in its edit history (GraphQL's ``UserContentEdit``).

    GitHub starts the history at the first edit with the text as created (``edited_at`` its
    creation, the author its editor), then one entry per edit holding the whole text after it
    (``diff``); an entry deleted from the history keeps its times but loses its text.
    """

    id: int
    editor: str
    body: str | None
    edited_at: int
    deleted_at: int | None = None
    deleted_by: str | None = None


@dataclass
class Comment:
    id: int
    issue_number: int
    user: str
    body: str
    created_at: int
    updated_at: int
    reactions: list[Reaction] = field(default_factory=list)
    edits: list[CommentEdit] = field(default_factory=list)  # oldest first


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
    pull_request: bool = False  # REST's issues include pull requests; GraphQL's `issue` does not
