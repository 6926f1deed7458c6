"""GitHub-shaped JSON for the emulator's objects.

Owns the rendering of users (SimpleUser), labels, issues, comments, reactions, the repository and
the rate-limit overview, as GitHub's REST API 2022-11-28 returns them. API links point at the
emulator (``api`` is its base URL) so clients that follow ``url`` fields or ``Link`` headers stay on
it; ``html_url`` points at github.com.
"""

from __future__ import annotations

import base64
import time
from typing import Any
from urllib.parse import quote

from .records import REACTION_CONTENTS, Comment, Issue, Label, Reaction, User
from .repository import Repository

__all__ = [
    "comment_json",
    "issue_json",
    "label_json",
    "node_id",
    "parse_node_id",
    "private_user_json",
    "public_user_json",
    "reaction_json",
    "repo_json",
    "timestamp",
    "user_json",
]

WEB = "https://github.com"


def timestamp(epoch: int | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SSZ`` like GitHub, or None."""
    if epoch is None:
        return None
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def node_id(prefix: str, number: int) -> str:
    """A global node id, the same in REST's ``node_id`` and GraphQL's ``id`` (``I_...``: an
    issue, ``IC_...``: an issue comment)."""
    raw = base64.b64encode(f"0:{number}".encode()).decode().rstrip("=")
    return f"{prefix}_kwDO{raw}"


def parse_node_id(text: str) -> tuple[str, int] | None:
    """``(prefix, number)`` of an id :func:`node_id` made, else None."""
    prefix, marker, raw = text.partition("_kwDO")
    if not marker or not prefix:
        return None
    try:
        decoded = base64.b64decode(raw + "=" * (-len(raw) % 4), validate=True).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    zero, colon, number = decoded.partition(":")
    if zero != "0" or not colon or not number.isdigit():
        return None
    return prefix, int(number)


def user_json(api: str, user: User) -> dict[str, Any]:
    base = f"{api}/users/{quote(user.login, safe='')}"
    html = f"{WEB}/apps/github-actions" if user.type == "Bot" else f"{WEB}/{user.login}"
    return {
        "login": user.login,
        "id": user.id,
        "node_id": node_id("MDQ6VXNlcg" if user.type == "User" else "MDM6Qm90", user.id),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{user.id}?v=4",
        "gravatar_id": "",
        "url": base,
        "html_url": html,
        "followers_url": f"{base}/followers",
        "following_url": f"{base}/following{{/other_user}}",
        "gists_url": f"{base}/gists{{/gist_id}}",
        "starred_url": f"{base}/starred{{/owner}}{{/repo}}",
        "subscriptions_url": f"{base}/subscriptions",
        "organizations_url": f"{base}/orgs",
        "repos_url": f"{base}/repos",
        "events_url": f"{base}/events{{/privacy}}",
        "received_events_url": f"{base}/received_events",
        "type": user.type,
        "user_view_type": "public",
        "site_admin": False,
    }


def public_user_json(api: str, user: User, created_at: int) -> dict[str, Any]:
    """``GET /users/{login}``: the SimpleUser fields plus the public profile."""
    return {
        **user_json(api, user),
        "name": None,
        "company": None,
        "blog": "",
        "location": None,
        "email": None,
        "hireable": None,
        "bio": None,
        "twitter_username": None,
        "public_repos": 1,
        "public_gists": 0,
        "followers": 0,
        "following": 0,
        "created_at": timestamp(created_at),
        "updated_at": timestamp(created_at),
    }


def private_user_json(api: str, user: User, created_at: int) -> dict[str, Any]:
    """``GET /user``: the public profile plus what only the user sees of themselves."""
    return {
        **public_user_json(api, user, created_at),
        "private_gists": 0,
        "total_private_repos": 0,
        "owned_private_repos": 0,
        "disk_usage": 0,
        "collaborators": 0,
        "two_factor_authentication": True,
    }


def _repo_api(api: str, state: Repository) -> str:
    return f"{api}/repos/{state.owner}/{state.name}"


def label_json(api: str, state: Repository, label: Label) -> dict[str, Any]:
    return {
        "id": label.id,
        "node_id": node_id("LA", label.id),
        "url": f"{_repo_api(api, state)}/labels/{quote(label.name, safe='')}",
        "name": label.name,
        "color": label.color,
        "default": label.default,
        "description": label.description,
    }


def _rollup(url: str, reactions: list[Reaction]) -> dict[str, Any]:
    rollup: dict[str, Any] = {"url": url, "total_count": len(reactions)}
    for content in REACTION_CONTENTS:
        rollup[content] = sum(1 for r in reactions if r.content == content)
    return rollup


def reaction_json(api: str, state: Repository, reaction: Reaction) -> dict[str, Any]:
    return {
        "id": reaction.id,
        "node_id": node_id("REA", reaction.id),
        "user": user_json(api, state.user(reaction.user)),
        "content": reaction.content,
        "created_at": timestamp(reaction.created_at),
    }


def issue_json(api: str, state: Repository, issue: Issue) -> dict[str, Any]:
    repo = _repo_api(api, state)
    url = f"{repo}/issues/{issue.number}"
    return {
        "url": url,
        "repository_url": repo,
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{WEB}/{state.owner}/{state.name}/issues/{issue.number}",
        "id": issue.id,
        "node_id": node_id("I", issue.id),
        "number": issue.number,
        "title": issue.title,
        "user": user_json(api, state.user(issue.user)),
        "labels": [label_json(api, state, label) for label in state.issue_labels(issue)],
        "state": issue.state,
        "locked": issue.locked,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": state.comment_count(issue.number),
        "created_at": timestamp(issue.created_at),
        "updated_at": timestamp(issue.updated_at),
        "closed_at": timestamp(issue.closed_at),
        "author_association": state.author_association(issue.user),
        "type": None,
        "active_lock_reason": issue.active_lock_reason,
        "sub_issues_summary": {"total": 0, "completed": 0, "percent_completed": 0},
        "body": issue.body,
        "closed_by": (
            user_json(api, state.user(issue.closed_by)) if issue.closed_by is not None else None
        ),
        "reactions": _rollup(f"{url}/reactions", issue.reactions),
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": None,
        "state_reason": issue.state_reason,
        **(_pull_request(api, state, issue) if issue.pull_request else {}),
    }


def _pull_request(api: str, state: Repository, issue: Issue) -> dict[str, Any]:
    web = f"{WEB}/{state.owner}/{state.name}/pull/{issue.number}"
    return {
        "pull_request": {
            "url": f"{_repo_api(api, state)}/pulls/{issue.number}",
            "html_url": web,
            "diff_url": f"{web}.diff",
            "patch_url": f"{web}.patch",
            "merged_at": None,
        }
    }


def comment_json(api: str, state: Repository, comment: Comment) -> dict[str, Any]:
    repo = _repo_api(api, state)
    url = f"{repo}/issues/comments/{comment.id}"
    return {
        "url": url,
        "html_url": (
            f"{WEB}/{state.owner}/{state.name}/issues/{comment.issue_number}"
            f"#issuecomment-{comment.id}"
        ),
        "issue_url": f"{repo}/issues/{comment.issue_number}",
        "id": comment.id,
        "node_id": node_id("IC", comment.id),
        "user": user_json(api, state.user(comment.user)),
        "created_at": timestamp(comment.created_at),
        "updated_at": timestamp(comment.updated_at),
        "author_association": state.author_association(comment.user),
        "body": comment.body,
        "reactions": _rollup(f"{url}/reactions", comment.reactions),
        "performed_via_github_app": None,
    }


def _permissions(role: str) -> dict[str, bool]:
    order = ("read", "triage", "write", "maintain", "admin")
    level = order.index(role) if role in order else -1
    return {
        "admin": level >= 4,
        "maintain": level >= 3,
        "push": level >= 2,
        "triage": level >= 1,
        "pull": level >= 0,
    }


_REPO_LINKS = {
    "forks": "forks",
    "keys": "keys{/key_id}",
    "collaborators": "collaborators{/collaborator}",
    "teams": "teams",
    "hooks": "hooks",
    "issue_events": "issues/events{/number}",
    "events": "events",
    "assignees": "assignees{/user}",
    "branches": "branches{/branch}",
    "tags": "tags",
    "blobs": "git/blobs{/sha}",
    "git_tags": "git/tags{/sha}",
    "git_refs": "git/refs{/sha}",
    "trees": "git/trees{/sha}",
    "statuses": "statuses/{sha}",
    "languages": "languages",
    "stargazers": "stargazers",
    "contributors": "contributors",
    "subscribers": "subscribers",
    "subscription": "subscription",
    "commits": "commits{/sha}",
    "git_commits": "git/commits{/sha}",
    "comments": "comments{/number}",
    "contents": "contents/{+path}",
    "compare": "compare/{base}...{head}",
    "merges": "merges",
    "archive": "{archive_format}{/ref}",
    "downloads": "downloads",
    "pulls": "pulls{/number}",
    "milestones": "milestones{/number}",
    "notifications": "notifications{?since,all,participating}",
    "releases": "releases{/id}",
    "deployments": "deployments",
}


def repo_json(api: str, state: Repository, caller: str | None) -> dict[str, Any]:
    repo = _repo_api(api, state)
    full = f"{state.owner}/{state.name}"
    open_issues = sum(1 for i in state.issues.values() if i.state == "open")
    links = {f"{name}_url": f"{repo}/{path}" for name, path in _REPO_LINKS.items()}
    body: dict[str, Any] = {
        "id": state.repo_id,
        "node_id": node_id("R", state.repo_id),
        "name": state.name,
        "full_name": full,
        "private": state.private,
        "owner": user_json(api, state.user(state.owner)),
        "html_url": f"{WEB}/{full}",
        "description": None,
        "fork": False,
        "url": repo,
        "issues_url": f"{repo}/issues{{/number}}",
        "issue_comment_url": f"{repo}/issues/comments{{/number}}",
        "labels_url": f"{repo}/labels{{/name}}",
        "dispatches_url": f"{repo}/dispatches",
        "created_at": timestamp(state.created_at),
        "updated_at": timestamp(state.created_at),
        "pushed_at": timestamp(state.created_at),
        "homepage": None,
        "size": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "language": None,
        "has_issues": True,
        "has_projects": False,
        "has_wiki": False,
        "has_pages": False,
        "has_discussions": False,
        "forks_count": 0,
        "archived": False,
        "disabled": False,
        "open_issues_count": open_issues,
        "license": None,
        "allow_forking": True,
        "is_template": False,
        "topics": [],
        "visibility": "private" if state.private else "public",
        "forks": 0,
        "open_issues": open_issues,
        "watchers": 0,
        "default_branch": "main",
        "network_count": 0,
        "subscribers_count": 0,
        "git_url": f"git://github.com/{full}.git",
        "ssh_url": f"git@github.com:{full}.git",
        "clone_url": f"{WEB}/{full}.git",
        "svn_url": f"{WEB}/{full}",
        "mirror_url": None,
        "has_downloads": True,
        "web_commit_signoff_required": False,
        "custom_properties": {},
        **links,
    }
    if caller is not None:
        body["permissions"] = _permissions(state.permission_of(caller))
    return body
