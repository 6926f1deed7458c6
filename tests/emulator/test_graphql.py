"""The emulator's GraphQL endpoint (issue 13): GitHub's schema, rules, limits, errors and faults,
over the same state as REST. Runs over both adapters (``client`` follows ``adapter``)."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from gh_store.emulator import GitHubEmulator
from gh_store.emulator.graphql_schema import SCHEMA_PATH

REPO = 'repository(owner: "octo", name: "store")'


def post(
    gh: GitHubEmulator,
    client: httpx2.Client,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = "owner",
) -> httpx2.Response:
    headers = {}
    if token is not None:
        headers["Authorization"] = f"bearer {gh.owner_token if token == 'owner' else token}"
    return client.post(
        gh.url + "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )


def data(response: httpx2.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]  # type: ignore[no-any-return]


def errors(response: httpx2.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    return response.json()["errors"]  # type: ignore[no-any-return]


# --- one world: REST and GraphQL see the same objects ------------------------------------------


def test_an_issue_and_its_comments_read_alike_over_rest_and_graphql(
    gh: GitHubEmulator, client: httpx2.Client
) -> None:
    number = gh.seed_issue("t", "the body", ["stored-object", "UID:x"], user="octo")
    comment = gh.seed_comment(number, '{"a": 1}', user="alice")
    gh.add_reaction(comment, "github-actions[bot]", "+1")
    gh.add_reaction(comment, "rita", "+1")
    query = f"""{{ {REPO} {{ issue(number: {number}) {{
        id databaseId number title body state url author {{ __typename login }}
        labels(first: 10) {{ nodes {{ name }} }}
        comments(first: 10) {{ totalCount nodes {{
          id databaseId body author {{ login }} createdAt updatedAt url
          reactionGroups {{ content viewerHasReacted reactors {{ totalCount }} }} }} }} }} }} }}"""

    issue = data(post(gh, client, query, token=gh.bot_token))["repository"]["issue"]

    rest_issue, (rest_comment,) = gh.issue(number), gh.comments(number)
    assert issue["id"] == rest_issue["node_id"] and issue["databaseId"] == rest_issue["id"]
    assert (issue["title"], issue["body"], issue["state"]) == ("t", "the body", "OPEN")
    assert issue["url"] == rest_issue["html_url"]
    assert issue["author"] == {"__typename": "User", "login": "octo"}
    assert [label["name"] for label in issue["labels"]["nodes"]] == ["stored-object", "UID:x"]
    node = issue["comments"]["nodes"][0]
    assert issue["comments"]["totalCount"] == 1
    assert (node["id"], node["databaseId"]) == (rest_comment["node_id"], rest_comment["id"])
    assert (node["createdAt"], node["updatedAt"]) == (
        rest_comment["created_at"],
        rest_comment["updated_at"],
    )
    assert node["url"] == rest_comment["html_url"]
    thumbs = next(g for g in node["reactionGroups"] if g["content"] == "THUMBS_UP")
    # the bot asks: it has reacted; two people have
    assert thumbs == {
        "content": "THUMBS_UP",
        "viewerHasReacted": True,
        "reactors": {"totalCount": 2},
    }
    assert len(node["reactionGroups"]) == 8


def test_a_bots_login_lacks_rests_bot_suffix(gh: GitHubEmulator, client: httpx2.Client) -> None:
    number = gh.seed_issue("t", "b", [])
    gh.seed_comment(number, "hi", user="github-actions[bot]")
    query = (
        f"{{ {REPO} {{ issue(number: {number}) {{ "
        "comments(last: 1) { nodes { author { __typename login } } } } } }"
    )
    (node,) = data(post(gh, client, query))["repository"]["issue"]["comments"]["nodes"]
    assert node["author"] == {"__typename": "Bot", "login": "github-actions"}
    assert gh.comments(number)[0]["user"]["login"] == "github-actions[bot]"


def test_mutations_change_what_rest_reads(gh: GitHubEmulator, client: httpx2.Client) -> None:
    number = gh.seed_issue("t", "old", [])
    comment = gh.seed_comment(number, "c")
    issue_id, comment_id = gh.issue(number)["node_id"], gh.comments(number)[0]["node_id"]
    mutation = """mutation($issue: ID!, $comment: ID!, $body: String!) {
      w: updateIssue(input: {id: $issue, body: $body, state: CLOSED}) { issue { state body } }
      r: addReaction(input: {subjectId: $comment, content: HOORAY}) { reaction { content } }
      c: addComment(input: {subjectId: $issue, body: "new"}) { commentEdge { node { databaseId } } }
    }"""

    done = data(
        post(gh, client, mutation, {"issue": issue_id, "comment": comment_id, "body": "new body"})
    )

    assert done["w"]["issue"] == {"state": "CLOSED", "body": "new body"}
    assert done["r"]["reaction"] == {"content": "HOORAY"}
    issue = gh.issue(number)
    assert (issue["state"], issue["state_reason"], issue["body"]) == (
        "closed",
        "completed",
        "new body",
    )
    assert [r["content"] for r in gh.reactions(comment)] == ["hooray"]
    assert gh.comments(number)[-1]["id"] == done["c"]["commentEdge"]["node"]["databaseId"]
    reopen = (
        "mutation($i: ID!) { reopenIssue(input: {issueId: $i}) { issue { state stateReason } } }"
    )
    assert data(post(gh, client, reopen, {"i": issue_id}))["reopenIssue"]["issue"] == {
        "state": "OPEN",
        "stateReason": "REOPENED",
    }
    close = (
        "mutation($i: ID!) { closeIssue(input: {issueId: $i, stateReason: NOT_PLANNED}) "
        "{ issue { stateReason } } }"
    )
    data(post(gh, client, close, {"i": issue_id}))
    assert gh.issue(number)["state_reason"] == "not_planned"
    undo = (
        "mutation($c: ID!) { removeReaction(input: {subjectId: $c, content: HOORAY}) "
        "{ subject { id } } }"
    )
    data(post(gh, client, undo, {"c": comment_id}))
    assert gh.reactions(comment) == []


# --- GitHub's rules ---------------------------------------------------------------------------


def test_a_misspelt_field_fails_validation_against_githubs_schema(
    gh: GitHubEmulator, client: httpx2.Client
) -> None:
    (error,) = errors(post(gh, client, f"{{ {REPO} {{ isue(number: 1) {{ id }} }} }}"))
    assert "Cannot query field 'isue' on type 'Repository'" in error["message"]
    assert error["locations"] and "data" not in post(gh, client, "{ viewer { lgin } }").json()
    assert SCHEMA_PATH.stat().st_size > 1_000_000  # GitHub's whole schema, not a hand-made one


def test_connections_need_first_or_last_of_at_most_100(
    gh: GitHubEmulator, client: httpx2.Client
) -> None:
    number = gh.seed_issue("t", "b", [])
    base = f"{{ {REPO} {{ issue(number: {number}) {{ comments{{}} {{ nodes {{ id }} }} }} }} }}"
    (missing,) = errors(post(gh, client, base.replace("{}", "", 1)))
    assert missing["type"] == "MISSING_PAGINATION_BOUNDARIES"
    assert missing["path"] == ["repository", "issue", "comments"]
    assert "`first` or `last`" in missing["message"]
    (excessive,) = errors(post(gh, client, base.replace("{}", "(first: 101)", 1)))
    assert excessive["type"] == "EXCESSIVE_PAGINATION"
    assert "101 records on the `comments` connection" in excessive["message"]
    count = f"{{ {REPO} {{ issue(number: {number}) {{ comments {{ totalCount }} }} }} }}"
    assert data(post(gh, client, count))["repository"]["issue"]["comments"]["totalCount"] == 0


def test_the_node_limit_and_the_point_cost(gh: GitHubEmulator, client: httpx2.Client) -> None:
    number = gh.seed_issue("t", "b", [])
    nested = (
        f"{{ {REPO} {{ issue(number: {number}) {{ comments(first: 100) {{ nodes {{ "
        "reactionGroups { reactors(first: 100) { nodes { ... on User { login } } } } } } } } "
        "rateLimit { cost nodeCount remaining used limit } }"
    )
    # 100 comments + 100 x 100 reactors: 10,100 nodes; 1 + 100 connection requests: 1 point
    limits = data(post(gh, client, nested))["rateLimit"]
    assert (limits["cost"], limits["nodeCount"], limits["limit"]) == (1, 10_100, 5000)
    assert limits["remaining"] == 5000 - limits["used"] == 4999
    deep = (
        f"{{ {REPO} {{ issue(number: {number}) {{ comments(first: 100) {{ nodes {{ "
        "issue { comments(first: 100) { nodes { "
        "issue { comments(first: 100) { nodes { id } } } } } } "
        "} } } } }"
    )
    (error,) = errors(post(gh, client, deep))
    assert error["type"] == "MAX_NODE_LIMIT_EXCEEDED" and "500,000" in error["message"]
    assert gh.rate_limit(gh.owner_token, "graphql")["used"] == 1  # the refused call cost nothing
    wide = (
        f"{{ {REPO} {{ issue(number: {number}) {{ comments(first: 100) {{ nodes {{ "
        "issue { comments(first: 100) { nodes { id } } } } } } } rateLimit { cost } }"
    )
    # 1 + 100 connection requests, 10,100 nodes: 1 point; the bucket is GraphQL's own
    assert data(post(gh, client, wide))["rateLimit"]["cost"] == 1
    assert gh.rate_limit(gh.owner_token, "core")["used"] == 0


def test_points_have_their_own_limit_headers_and_run_out(
    gh: GitHubEmulator, client: httpx2.Client
) -> None:
    query = "{ rateLimit { remaining } }"
    first = post(gh, client, query, token=gh.bot_token)
    assert first.headers["x-ratelimit-resource"] == "graphql"
    assert (first.headers["x-ratelimit-limit"], first.headers["x-ratelimit-remaining"]) == (
        "1000",
        "999",
    )
    gh.set_rate_limit(gh.bot_token, 0, resource="graphql")
    limited = post(gh, client, query, token=gh.bot_token)
    assert limited.status_code == 200 and limited.headers["x-ratelimit-remaining"] == "0"
    (error,) = limited.json()["errors"]
    assert error["type"] == "RATE_LIMITED" and "rate limit" in error["message"]


def test_not_found_and_forbidden_are_shaped_as_githubs(
    gh: GitHubEmulator, client: httpx2.Client
) -> None:
    response = post(gh, client, f"{{ {REPO} {{ issue(number: 99) {{ id }} }} }}")
    assert response.json()["data"] == {"repository": {"issue": None}}
    (missing,) = errors(response)
    assert missing == {
        "type": "NOT_FOUND",
        "path": ["repository", "issue"],
        "locations": [{"line": 1, "column": 46}],
        "message": "Could not resolve to an Issue with the number of 99.",
    }
    number = gh.seed_issue("t", "b", [], user="octo")
    reader = gh.token_for("rita", permission="read")
    edit = 'mutation($i: ID!) { updateIssue(input: {id: $i, body: "x"}) { issue { id } } }'
    (forbidden,) = errors(post(gh, client, edit, {"i": gh.issue(number)["node_id"]}, reader))
    assert forbidden["type"] == "FORBIDDEN" and forbidden["path"] == ["updateIssue"]
    assert gh.issue(number)["body"] == "b"
    unknown = (
        'mutation { addReaction(input: {subjectId: "IC_nothing", content: EYES}) '
        "{ subject { id } } }"
    )
    assert errors(post(gh, client, unknown))[0]["type"] == "NOT_FOUND"


def test_graphql_takes_no_anonymous_calls(gh: GitHubEmulator, client: httpx2.Client) -> None:
    anonymous = post(gh, client, "{ viewer { login } }", token=None)
    assert anonymous.status_code == 401
    assert "requires you to be authenticated" in anonymous.json()["message"]
    assert post(gh, client, "{ viewer { login } }", token="ghp_" + "x" * 36).status_code == 401
    assert data(post(gh, client, "{ viewer { login } }")) == {"viewer": {"login": "octo"}}


def test_a_private_repository_is_not_found_by_an_outsider(adapter: str) -> None:
    with GitHubEmulator(repo="octo/secret", private=True, serve=adapter == "http") as gh:
        stranger = gh.token_for("stranger", permission=None)
        options = gh.client_options()
        with httpx2.Client(transport=options["http_transport"]) as client:
            query = '{ repository(owner: "octo", name: "secret") { id } }'
            (error,) = errors(post(gh, client, query, token=stranger))
            assert error["type"] == "NOT_FOUND" and "octo/secret" in error["message"]
            assert data(post(gh, client, query))["repository"]["id"]


# --- paging by cursors -----------------------------------------------------------------------


def test_cursors_name_comments_so_a_deletion_shifts_nothing(
    gh: GitHubEmulator, client: httpx2.Client
) -> None:
    number = gh.seed_issue("t", "b", [])
    ids = [gh.seed_comment(number, f"c{i}") for i in range(7)]
    page = (
        f"query($n: Int!, $before: String) {{ {REPO} {{ issue(number: $n) {{ "
        "comments(last: 3, before: $before) { pageInfo { hasPreviousPage startCursor } "
        "nodes { databaseId } } } } }"
    )

    newest = data(post(gh, client, page, {"n": number}))["repository"]["issue"]["comments"]
    assert [c["databaseId"] for c in newest["nodes"]] == ids[4:]
    gh.delete_comment(ids[1])  # before the next page: REST's numbered pages would shift
    cursor = newest["pageInfo"]["startCursor"]
    older = data(post(gh, client, page, {"n": number, "before": cursor}))["repository"]["issue"]
    # the three before the cursor's comment, whatever was deleted before it; no more before them
    assert [c["databaseId"] for c in older["comments"]["nodes"]] == [ids[0], ids[2], ids[3]]
    assert older["comments"]["pageInfo"]["hasPreviousPage"] is False


# --- faults -----------------------------------------------------------------------------------


def test_a_whole_request_can_be_faulted_as_for_rest(
    gh: GitHubEmulator, client: httpx2.Client
) -> None:
    gh.inject(status=403, method="POST", path="/graphql$", retry_after=7)
    limited = post(gh, client, "{ viewer { login } }")
    assert limited.status_code == 403 and limited.headers["retry-after"] == "7"
    assert "secondary rate limit" in limited.json()["message"]
    assert post(gh, client, "{ viewer { login } }").status_code == 200


@pytest.mark.parametrize("after", [False, True])
def test_one_mutation_can_fail_alone_before_or_after_acting(
    gh: GitHubEmulator, client: httpx2.Client, after: bool
) -> None:
    number = gh.seed_issue("t", "b", [])
    comments = [gh.seed_comment(number, f"c{i}") for i in range(3)]
    nodes = [c["node_id"] for c in gh.comments(number)]
    gh.inject_graphql_error("addReaction", status=502, skip=1, after=after)
    fields = " ".join(
        f'm{i}: addReaction(input: {{subjectId: "{node}", content: EYES}}) {{ subject {{ id }} }}'
        for i, node in enumerate(nodes)
    )

    response = post(gh, client, f"mutation {{ {fields} }}")

    (error,) = errors(response)
    assert error["path"] == ["m1"] and "Something went wrong" in error["message"]
    assert response.json()["data"]["m0"] and response.json()["data"]["m2"]
    assert response.json()["data"]["m1"] is None
    marked = [bool(gh.reactions(c)) for c in comments]
    assert marked == [True, after, True]  # the others ran; the failed one acted only if `after`


# --- comment edit histories (issue 17) -----------------------------------------------------------

_EDITS = """query($ids: [ID!]!) { nodes(ids: $ids) { ... on IssueComment {
  databaseId lastEditedAt includesCreatedEdit
  userContentEdits(first: 10) { totalCount nodes {
    diff editedAt deletedAt editor { login } deletedBy { login } } } } } }"""


def test_a_comments_edits_are_kept_newest_first_with_the_created_text(
    gh: GitHubEmulator, client: httpx2.Client
) -> None:
    """As on GitHub: nothing before the first edit; then the text as created (by its author, at
    its creation) and each edit's whole text, by its editor, newest first; REST's PATCH records
    its caller as the editor; a deleted revision keeps its times and loses its text."""
    number = gh.seed_issue("t", "b", user="octo")
    comment = gh.seed_comment(number, "one", user="alice")
    node = client.get(
        f"{gh.url}/repos/octo/store/issues/comments/{comment}",
        headers={"Authorization": f"token {gh.owner_token}"},
    ).json()["node_id"]
    unedited = data(post(gh, client, _EDITS, {"ids": [node]}))["nodes"][0]
    assert unedited["userContentEdits"] == {"totalCount": 0, "nodes": []}
    assert unedited["lastEditedAt"] is None and unedited["includesCreatedEdit"] is False
    gh.advance_clock(10)
    gh.edit_comment(comment, "two")
    gh.advance_clock(10)
    client.patch(
        f"{gh.url}/repos/octo/store/issues/comments/{comment}",
        json={"body": "three"},
        headers={"Authorization": f"token {gh.owner_token}"},
    ).raise_for_status()
    gh.delete_comment_edit(comment, "two", by="octo")
    found = data(post(gh, client, _EDITS, {"ids": [node]}))["nodes"][0]
    edits = found["userContentEdits"]["nodes"]
    assert [e["diff"] for e in edits] == ["three", None, "one"]
    assert [e["editor"]["login"] for e in edits] == ["octo", "alice", "alice"]
    assert [e["deletedBy"] and e["deletedBy"]["login"] for e in edits] == [None, "octo", None]
    assert edits[1]["deletedAt"] is not None and edits[0]["deletedAt"] is None
    assert edits[0]["editedAt"] > edits[1]["editedAt"] > edits[2]["editedAt"]
    assert found["lastEditedAt"] == edits[0]["editedAt"] and found["includesCreatedEdit"]


def test_nodes_answers_null_and_not_found_for_a_deleted_comment_and_refuses_over_100_ids(
    gh: GitHubEmulator, client: httpx2.Client
) -> None:
    number = gh.seed_issue("t", "b", user="octo")
    kept, gone = gh.seed_comment(number, "a"), gh.seed_comment(number, "b")
    ids = [c["node_id"] for c in gh.comments(number)]
    gh.delete_comment(gone)
    body = post(gh, client, _EDITS, {"ids": ids}).json()
    assert body["data"]["nodes"][0]["databaseId"] == kept and body["data"]["nodes"][1] is None
    [error] = body["errors"]
    assert error["type"] == "NOT_FOUND" and error["path"] == ["nodes", 1]
    too_many = errors(post(gh, client, _EDITS, {"ids": ids[:1] * 101}))
    assert "more than 100 node IDs" in too_many[0]["message"]
