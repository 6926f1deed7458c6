"""Reading without a token, writing without one, private repositories, and retries via the store."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from gh_store.client import GitHubStore
from gh_store.core.exceptions import AccessDeniedError, AuthError
from gh_store.emulator import GitHubEmulator

from .conftest import FAST, MakeStore


def test_a_public_repository_is_readable_without_a_token(
    gh: GitHubEmulator, store: GitHubStore, make_store: MakeStore
) -> None:
    store.create("alpha", {"v": 1})
    store.update("alpha", {"v": 2}, apply=True)
    reader = make_store(token=None)
    assert reader.get("alpha").data == {"v": 2}
    assert [o.meta.object_id for o in reader.list_all()] == ["alpha"]
    assert [u.changes for u in reader.get_object_history("alpha")] == [{"v": 2}]
    assert all(r.user is None for r in gh.requests[-3:])


@pytest.mark.parametrize("operation", ["create", "update", "delete", "process"])
def test_writing_without_a_token_fails_before_any_request(
    gh: GitHubEmulator, make_store: MakeStore, operation: str
) -> None:
    reader = make_store(token=None)
    calls: dict[str, Callable[[], object]] = {
        "create": lambda: reader.create("alpha", {"v": 1}),
        "update": lambda: reader.update("alpha", {"v": 1}),
        "delete": lambda: reader.delete("alpha"),
        "process": lambda: reader.process_updates(1),
    }
    with pytest.raises(AccessDeniedError, match="without a token"):
        calls[operation]()
    assert gh.count() == 0


def test_a_private_repository_without_a_token_says_so() -> None:
    with GitHubEmulator(repo="octo/secret", private=True) as gh:
        store = GitHubStore(None, gh.repo, config=FAST, **gh.client_options())
        with pytest.raises(AuthError, match="private and this caller may not read it"):
            store.get("alpha")
        with pytest.raises(AuthError, match="pass a token"):
            list(store.list_all())
        store.close()
        with GitHubStore(gh.owner_token, gh.repo, config=FAST, **gh.client_options()) as owner:
            assert owner.create("alpha", {"v": 1}).data == {"v": 1}


def test_a_rejected_token_is_an_auth_error(gh: GitHubEmulator, make_store: MakeStore) -> None:
    store = make_store(token="ghp_not_a_real_token")
    with pytest.raises(AuthError, match="401") as caught:
        store.get("alpha")
    assert "ghp_not_a_real_token" not in str(caught.value)


def test_update_survives_a_503_on_the_reopen(gh: GitHubEmulator, store: GitHubStore) -> None:
    created = store.create("alpha", {"v": 1})
    gh.clear_requests()
    gh.inject(status=503, method="PATCH", path=r"/issues/\d+$", times=1)
    obj = store.update("alpha", {"v": 2})
    assert [r.status for r in gh.requests if r.method == "PATCH"] == [503, 200]
    assert obj.meta.issue_number == created.meta.issue_number
    assert gh.issue(created.meta.issue_number)["state"] == "open"
    assert len(gh.comments(created.meta.issue_number)) == 2  # the creation comment, the update


def test_get_survives_a_dropped_connection(gh: GitHubEmulator, store: GitHubStore) -> None:
    store.create("alpha", {"v": 1})
    gh.clear_requests()
    gh.inject(method="GET", path=r"/issues$", drop=True, times=1)
    assert store.get("alpha").data == {"v": 1}
    assert gh.count("GET", r"/issues$") == 2
