"""Which GitHub API the store uses (issue 13): ``store.api`` (auto, graphql, rest), the action's
``api`` input over it, and ``setup`` building the transport they name, before any request."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from gh_store.action.inputs import InputError, read_inputs
from gh_store.configure import build_transport, chosen_api, setup
from gh_store.core.config import GraphQLConfig, StoreConfig, parse_config, parse_config_text
from gh_store.core.exceptions import ConfigurationError
from gh_store.emulator import GitHubEmulator
from gh_store.transport.graphql import GraphQLTransport
from gh_store.transport.rest import GhApiTransport


def test_the_config_names_the_api_and_the_chunk() -> None:
    assert (StoreConfig().api, StoreConfig().graphql) == ("auto", GraphQLConfig(50))
    config = parse_config_text(
        "store:\n  api: graphql\n  graphql:\n    mutations_per_request: 20\n"
    )
    assert (config.api, config.graphql.mutations_per_request) == ("graphql", 20)
    assert parse_config({"store": {"api": "rest"}}).api == "rest"


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"api": "soap"}, "store.api: must be one of auto, graphql, rest, got 'soap'"),
        ({"api": 1}, "store.api: expected a non-empty string"),
        ({"graphql": {"mutations_per_request": 0}}, "mutations_per_request: must be at least 1"),
        ({"graphql": {"chunk": 5}}, "store.graphql.chunk: unknown key"),
        ({"graphql": {"mutations_per_request": True}}, "expected a whole number"),
    ],
)
def test_a_wrong_api_setting_is_named(document: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigurationError, match=message.replace("(", r"\(")):
        parse_config({"store": document}, source="gh-store.yml")


def test_auto_is_graphql_with_a_token_and_rest_without() -> None:
    assert chosen_api("auto", "ghs_token") == "graphql"
    assert chosen_api("auto", None) == chosen_api("auto", "  ") == "rest"
    assert chosen_api("rest", "ghs_token") == "rest"
    assert chosen_api("graphql", None) == "graphql"  # and building it says what is missing
    with pytest.raises(ConfigurationError, match="auto, graphql, rest"):
        chosen_api("GraphQL", "ghs_token")


def test_setup_builds_the_transport_the_config_names() -> None:
    with GitHubEmulator(serve=False) as gh:
        options = gh.client_options()
        built = setup(repo=gh.repo, token=gh.bot_token, config=StoreConfig(), **options)
        assert isinstance(built.transport, GraphQLTransport)
        rest = setup(repo=gh.repo, token=gh.bot_token, config=StoreConfig(api="rest"), **options)
        assert isinstance(rest.transport, GhApiTransport)
        chosen = setup(
            repo=gh.repo, token=gh.bot_token, config=StoreConfig(), api="rest", **options
        )
        assert isinstance(chosen.transport, GhApiTransport)  # the argument wins (the input)
        anonymous = setup(repo=gh.repo, token=None, config=StoreConfig(), **options)
        assert isinstance(anonymous.transport, GhApiTransport)
        with pytest.raises(ConfigurationError, match="GraphQL API needs a token"):
            build_transport(gh.repo, None, StoreConfig(api="graphql"), **options)
        for made in (built, rest, chosen, anonymous):
            made.transport.close()
        assert gh.requests == []  # nothing was sent to choose


def test_the_chunk_reaches_the_transport() -> None:
    with GitHubEmulator(serve=False) as gh:
        gh.use_ticking_clock()
        number = gh.seed_issue("Stored Object: x", None, ["stored-object", "UID:x"])
        ids = [gh.seed_comment(number, "chat") for _ in range(3)]
        config = StoreConfig(api="graphql", graphql=GraphQLConfig(mutations_per_request=2))
        with build_transport(gh.repo, gh.bot_token, config, **gh.client_options()) as transport:
            from gh_store.core.needs import Commit

            transport.get_issue(number, with_comments=True)
            transport.list_comments(number)
            transport.commit(Commit(number, marks=tuple((i, "eyes") for i in ids)))
        assert [r.body["query"].count("addReaction(") for r in gh.requests if r.mutates] == [2, 1]


@pytest.fixture
def environ(tmp_path: Path) -> dict[str, str]:
    event = tmp_path / "event.json"
    event.write_text(json.dumps({"action": "created"}))
    return {
        "INPUT_TOKEN": "ghs_abc",
        "GITHUB_REPOSITORY": "octo/store",
        "GITHUB_EVENT_NAME": "issue_comment",
        "GITHUB_EVENT_PATH": str(event),
        "GITHUB_WORKSPACE": str(tmp_path),
    }


@pytest.mark.parametrize(("text", "api"), [("", None), ("graphql", "graphql"), (" REST ", "rest")])
def test_the_api_input(environ: dict[str, str], text: str, api: str | None) -> None:
    assert read_inputs({**environ, "INPUT_API": text}).api == api


def test_a_wrong_api_input_is_named(environ: dict[str, str]) -> None:
    with pytest.raises(InputError, match="the api input must be auto, graphql or rest, got 'soap'"):
        read_inputs({**environ, "INPUT_API": "soap"})
