"""Who may change objects: the one rule, and the flows that ask GitHub when they must.

A login is trusted when it is the repository owner, ``github-actions[bot]`` (the workflow's own
token), listed in ``store.trust.users``, or holds at least ``store.trust.min_permission`` as
GitHub's collaborator-permission API reports it (which sees access granted through teams).
Nothing else counts: ``author_association`` neither grants nor denies (an organization member
whose membership is private shows as ``CONTRIBUTOR`` or ``NONE`` even with write access;
``COLLABORATOR`` includes read-only collaborators), and neither does anyone's reaction. Pure.

That API's answer (``permission_from_answer``) is read from ``permission`` (the base role:
``admin``, ``write``, ``read``, ``none``; ``maintain`` shows as ``write``, ``triage`` as ``read``)
refined by ``user.permissions`` (``admin``, ``maintain``, ``push``, ``triage``, ``pull``), never
from ``role_name`` alone: for a custom repository role it is the role's own name (``deployer``
inheriting write). An answer that says nothing known, or contradicts itself, counts as the lower
reading (at worst none), with a note saying why: fail closed, never crash.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping
from typing import Any

from .config import PERMISSION_LEVELS, StoreConfig
from .constants import ACTIONS_BOT
from .needs import Flow, GetPermission

__all__ = [
    "any_trusted",
    "is_trusted",
    "login_of",
    "permission_from_answer",
    "role_is_trusted",
    "trusted",
    "trusted_without_asking",
]


_BASE_ROLES = ("none", "read", "write", "admin")  # what ``permission`` may say
_FLAGS = (("admin", "admin"), ("maintain", "maintain"), ("push", "write"), ("triage", "triage"))


def permission_from_answer(answer: Any) -> tuple[str, str | None]:
    """The level (one of ``PERMISSION_LEVELS``) GitHub's collaborator-permission answer grants,
    and why it was read as less than it may claim (None when it is plain)."""
    if not isinstance(answer, Mapping):
        return "none", "the answer is not a JSON object"
    base = answer.get("permission")
    if not isinstance(base, str) or base not in _BASE_ROLES:
        shown = repr(base) if not isinstance(base, str) else repr(base[:40])
        return "none", f"its permission {shown} is not one gh-store knows"
    user = answer.get("user")
    flags = user.get("permissions") if isinstance(user, Mapping) else None
    fine = _level_of_flags(flags) if isinstance(flags, Mapping) else None
    if fine is None:
        role = answer.get("role_name")
        # role_name refines permission only where both name a standard role that agree.
        fine = role if role in ("maintain", "triage") and _base_of(str(role)) == base else base
    if _base_of(fine) != base:
        lower = min(fine, base, key=PERMISSION_LEVELS.index)
        return lower, f"its permission {base!r} and its permissions flags disagree"
    return fine, None


def _level_of_flags(flags: Mapping[str, Any]) -> str | None:
    if not any(flag in flags for flag, _ in (*_FLAGS, ("pull", "read"))):
        return None  # no flag gh-store knows: as if the hash were missing
    for flag, level in _FLAGS:
        if flags.get(flag) is True:
            return level
    return "read" if flags.get("pull") is True else "none"


def _base_of(level: str) -> str:
    return {"maintain": "write", "triage": "read"}.get(level, level)


def trusted_without_asking(login: str, config: StoreConfig, owner: str) -> bool:
    """The owner, the Actions bot and configured users: trusted with no request."""
    # GitHub logins are case-insensitive: a config may spell one differently from the API.
    known = {name.casefold() for name in (owner, ACTIONS_BOT, *config.trust.users)}
    return login.casefold() in known


def role_is_trusted(role: str, config: StoreConfig) -> bool:
    """Whether a level (``permission_from_answer``) reaches ``store.trust.min_permission``.
    Unknown is none."""
    rank = PERMISSION_LEVELS.index(role) if role in PERMISSION_LEVELS else 0
    return rank >= PERMISSION_LEVELS.index(config.trust.min_permission)


def is_trusted(login: str, roles: Mapping[str, str], config: StoreConfig, owner: str) -> bool:
    """The rule, given the roles already asked for (a login not asked for counts as none)."""
    return trusted_without_asking(login, config, owner) or role_is_trusted(
        roles.get(login, "none"), config
    )


def trusted(
    login: str, config: StoreConfig, owner: str, roles: MutableMapping[str, str]
) -> Flow[bool]:
    """Whether ``login`` is trusted, asking GitHub for its role once (``roles`` remembers it)."""
    if trusted_without_asking(login, config, owner):
        return True
    if login not in roles:
        roles[login] = yield GetPermission(login)
    return role_is_trusted(roles[login], config)


def any_trusted(
    logins: Iterable[str], config: StoreConfig, owner: str, roles: MutableMapping[str, str]
) -> Flow[bool]:
    """Whether any of ``logins`` is trusted; free ones first, then one request per other login."""
    ordered = list(dict.fromkeys(logins))
    if any(trusted_without_asking(login, config, owner) for login in ordered):
        return True
    for login in ordered:
        if (yield from trusted(login, config, owner, roles)):
            return True
    return False


def login_of(item: Mapping[str, Any]) -> str:
    """The login of an issue's, comment's or reaction's ``user`` (GitHub's ``ghost`` if gone)."""
    user = item.get("user") or {}
    login = user.get("login") if isinstance(user, Mapping) else None
    return str(login) if login else "ghost"
