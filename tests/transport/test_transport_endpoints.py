"""Each operation of ``GhApiTransport`` once against the emulator, over real HTTP."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from gh_store.core.config import PERMISSION_LEVELS
from gh_store.core.constants import DEFAULT_API_URL
from gh_store.core.exceptions import AuthError, ConfigurationError, GitHubAPIError
from gh_store.emulator import GitHubEmulator
from gh_store.transport.credentials import resolve_api_url
from gh_store.transport.rest import GhApiTransport

from .conftest import MakeTransport, R

# --- construction ------------------------------------------------------------------------------


def test_resolve_api_url_prefers_argument_then_env_then_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GITHUB_API_URL", "https://ghe.example.com/api/v3/")
    assert resolve_api_url("http://127.0.0.1:9/") == "http://127.0.0.1:9"
    assert resolve_api_url() == "https://ghe.example.com/api/v3"
    monkeypatch.setenv("GITHUB_API_URL", "")
    assert resolve_api_url() == DEFAULT_API_URL
    monkeypatch.delenv("GITHUB_API_URL")
    assert resolve_api_url(None) == "https://api.github.com"


@pytest.mark.parametrize("repo", ["octo", "octo/store/extra", "/store", "octo/", "", "o c/s"])
def test_repo_must_be_owner_slash_name(repo: str, gh: GitHubEmulator) -> None:
    with pytest.raises(ConfigurationError, match="owner/name"):
        GhApiTransport(repo, "t", **gh.client_options())
    assert gh.requests == []


def test_attributes(store: GhApiTransport, gh: GitHubEmulator) -> None:
    assert (store.repo, store.owner, store.api_url, store.has_token) == (
        "octo/store",
        "octo",
        gh.url,
        True,
    )
    assert gh.owner_token not in repr(store)


# --- reads -------------------------------------------------------------------------------------


def test_issues_and_listings_are_plain_json(store: GhApiTransport, gh: GitHubEmulator) -> None:
    number = gh.seed_issue("t", "b", ["x"])
    issue, listed = store.get_issue(number), store.list_issues(labels=["x"])
    assert type(issue) is dict and issue["number"] == number
    assert type(issue["labels"]) is list
    assert [type(item) for item in listed] == [dict]
    json.dumps([issue, list(listed)])  # fastcore L / AttrDict would fail here or be wrapped
    assert store.requests_made == 2


def test_read_404_is_api_error_not_auth(store: GhApiTransport, gh: GitHubEmulator) -> None:
    with pytest.raises(GitHubAPIError) as caught:
        store.get_issue(999)
    assert caught.value.status == 404 and not isinstance(caught.value, AuthError)
    assert "GET /repos/octo/store/issues/999" in str(caught.value)
    assert gh.count() == 1


def test_list_issues_filters_by_all_labels_and_state(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    both = gh.seed_issue("a", "", ["stored-object", "UID:a"])
    closed = gh.seed_issue("b", "", ["stored-object", "UID:a"], state="closed")
    gh.seed_issue("c", "", ["stored-object", "UID:c"])
    gh.seed_issue("d", "", ["UID:a"])
    found = list(store.list_issues(labels=["stored-object", "UID:a"]))
    assert sorted(i["number"] for i in found) == [both, closed]
    assert type(found) is list and all(type(i) is dict for i in found)
    assert gh.requests[-1].query == {
        "labels": "stored-object,UID:a",
        "state": "all",
        "sort": "created",  # oldest first: new issues come last and shift no page
        "direction": "asc",
        "page": "1",
        "per_page": "100",
    }
    open_only = list(store.list_issues(labels=["stored-object", "UID:a"], state="open"))
    assert [i["number"] for i in open_only] == [both]


def test_list_issues_passes_since(store: GhApiTransport, gh: GitHubEmulator) -> None:
    gh.seed_issue("a", "", ["x"])
    assert list(store.list_issues(labels=["x"], since="2999-01-01T00:00:00Z")) == []
    assert gh.requests[-1].query["since"] == "2999-01-01T00:00:00Z"
    assert len(list(store.list_issues(labels=["x"], since="2000-01-01T00:00:00Z"))) == 1


def test_list_issues_follows_pages(store: GhApiTransport, gh: GitHubEmulator) -> None:
    for n in range(101):
        gh.seed_issue(f"i{n}", "", ["many"])
    assert len({i["number"] for i in store.list_issues(labels=["many"])}) == 101
    assert gh.count("GET", r"/issues$") == 2


def test_list_comments_reads_every_page_in_id_order(
    store: GhApiTransport, gh: GitHubEmulator
) -> None:
    number = gh.seed_issue("t", "", [])
    ids = [gh.seed_comment(number, f"c{n}") for n in range(250)]
    comments = store.list_comments(number)
    assert [c["id"] for c in comments] == ids and comments.complete
    # Each page after the first reaches back to the last comment read (see transport/paging.py).
    pages = [(r.query["page"], r.query["per_page"]) for r in gh.requests]
    assert pages == [("1", "100"), ("2", "99"), ("3", "98")]


def test_list_comments_passes_since(store: GhApiTransport, gh: GitHubEmulator) -> None:
    number = gh.seed_issue("t", "", [])
    gh.seed_comment(number, "old")
    assert list(store.list_comments(number, since="2999-01-01T00:00:00Z")) == []
    assert gh.requests[-1].query == {
        "since": "2999-01-01T00:00:00Z",
        "page": "1",
        "per_page": "100",
    }


# --- writes ------------------------------------------------------------------------------------


def test_create_and_update_issue(store: GhApiTransport, gh: GitHubEmulator) -> None:
    issue = store.create_issue(title="UID:a", body='{"a": 1}', labels=["stored-object", "UID:a"])
    assert type(issue) is dict
    assert {lab["name"] for lab in gh.issue(issue["number"])["labels"]} == {
        "stored-object",
        "UID:a",
    }
    updated = store.update_issue(issue["number"], state="closed", state_reason="completed")
    assert updated["state"] == "closed"
    assert gh.requests[-1].method == "PATCH"
    assert gh.requests[-1].body == {"state": "closed", "state_reason": "completed"}
    store.update_issue(issue["number"], body="{}", labels=["stored-object"])
    assert gh.requests[-1].body == {"body": "{}", "labels": ["stored-object"]}
    assert gh.issue(issue["number"])["body"] == "{}"


def test_create_comment_and_reactions(store: GhApiTransport, gh: GitHubEmulator) -> None:
    number = gh.seed_issue("t", "", [])
    comment = store.create_comment(number, '{"x": 1}')
    assert [c["body"] for c in gh.comments(number)] == ['{"x": 1}']
    assert store.create_reaction(comment["id"], "+1") is True
    assert store.create_reaction(comment["id"], "+1") is False
    assert store.create_reaction(comment["id"], "eyes") is True
    assert [r["content"] for r in store.list_reactions(comment["id"])] == ["+1", "eyes"]
    assert [r["content"] for r in store.list_reactions(comment["id"], content="eyes")] == ["eyes"]
    assert gh.requests[-1].query == {"content": "eyes", "per_page": "100"}


def test_dispatch(store: GhApiTransport, gh: GitHubEmulator) -> None:
    store.dispatch("gh-store", {"issue": 3})
    assert gh.dispatches == [{"event_type": "gh-store", "client_payload": {"issue": 3}}]


# --- permissions -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", PERMISSION_LEVELS[1:])
def test_get_permission_of_each_role(role: str, store: GhApiTransport, gh: GitHubEmulator) -> None:
    gh.token_for("alice", permission=role)
    assert store.get_permission("alice") == role


def test_get_permission_of_strangers(store: GhApiTransport, gh: GitHubEmulator) -> None:
    gh.token_for("stranger", permission=None)
    assert store.get_permission("stranger") == "read"  # public: everyone may read
    assert store.get_permission("no-such-user") == "none"  # 404


def test_get_permission_of_stranger_on_private_repo() -> None:
    with GitHubEmulator(repo="octo/secret", private=True) as gh:
        gh.token_for("stranger", permission=None)
        with GhApiTransport("octo/secret", gh.owner_token, **gh.client_options()) as store:
            assert store.get_permission("stranger") == "none"
            assert store.get_permission("octo") == "admin"


# --- headers -----------------------------------------------------------------------------------


@pytest.fixture
def header_echo() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A loopback server that records each request's headers and answers ``{}``."""
    seen: list[dict[str, str]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            seen.append({k.lower(): v for k, v in self.headers.items()})
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}", seen
    server.shutdown()
    server.server_close()


def test_headers_sent(
    header_echo: tuple[str, list[dict[str, str]]], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, seen = header_echo
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_from_environment")  # must not be picked up
    with GhApiTransport("octo/store", api_url=url) as anonymous:
        anonymous.get_issue(1)
    with GhApiTransport("octo/store", "ghp_given", api_url=url) as authenticated:
        authenticated.get_issue(1)
    assert seen[0]["accept"] == "application/vnd.github+json"
    assert seen[0]["x-github-api-version"] == "2022-11-28"
    assert "authorization" not in seen[0]
    assert seen[1]["authorization"] == "token ghp_given"


def test_without_token_reads_anonymously(make: MakeTransport, gh: GitHubEmulator) -> None:
    number = gh.seed_issue("t", "", [])
    anonymous = make(token=None)
    assert anonymous.has_token is False
    assert anonymous.get_issue(number)["number"] == number
    assert gh.requests[-1].user is None


def test_paths_stay_under_the_repo(store: GhApiTransport, gh: GitHubEmulator) -> None:
    store.get_permission("octo")
    assert gh.requests[-1].path == f"{R}/collaborators/octo/permission"
