"""Many clients writing at once lose nothing (both adapters: eight threads, one state)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from gh_store.emulator import GitHubEmulator

from .adapters import client_for

R = "/repos/octo/store"


def test_parallel_comments_and_reactions(gh: GitHubEmulator, adapter: str) -> None:
    number = gh.seed_issue("busy")
    tokens = [gh.token_for(f"user{n}", "read") for n in range(8)]

    def work(token: str) -> list[int]:
        headers = {"Authorization": f"token {token}"}
        ids = []
        with client_for(gh, adapter) as client:
            for n in range(15):
                made = client.post(
                    f"{gh.url}{R}/issues/{number}/comments", json={"body": f"{n}"}, headers=headers
                )
                assert made.status_code == 201
                cid = made.json()["id"]
                for content in ("+1", "rocket"):
                    reacted = client.post(
                        f"{gh.url}{R}/issues/comments/{cid}/reactions",
                        json={"content": content},
                        headers=headers,
                    )
                    assert reacted.status_code == 201
                ids.append(cid)
        return ids

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, tokens))
    ids = [cid for chunk in results for cid in chunk]
    assert len(ids) == len(set(ids)) == 120
    comments = gh.comments(number)
    assert sorted(c["id"] for c in comments) == sorted(ids)
    assert gh.issue(number)["comments"] == 120
    reaction_ids = [r["id"] for cid in ids for r in gh.reactions(cid)]
    assert len(reaction_ids) == len(set(reaction_ids)) == 240
    assert gh.count("POST") == 360
