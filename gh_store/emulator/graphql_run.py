"""One GraphQL operation, from the request's JSON to the answer's JSON (needs graphql-core).

Owns :func:`run_operation`: parse, validate against GitHub's schema, pick the operation, coerce
its variables, check the static limits and bill the points, then execute over the state (under
its lock, so one request sees one moment of the world) and shape every error as GitHub does
(:func:`~.graphql.format_error`). A request stopped before execution costs nothing.
"""

from __future__ import annotations

import logging
from typing import Any

from graphql import (
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    execute_sync,
    parse,
    validate,
)
from graphql.execution.values import get_variable_values

from .exchange import Exchange
from .graphql_limits import measure
from .graphql_mutations import MutationRoot
from .graphql_nodes import Context, QueryRoot
from .graphql_schema import github_schema
from .state import EmulatorState

__all__ = ["format_error", "run_operation"]

log = logging.getLogger("gh_store.emulator")


def run_operation(
    state: EmulatorState, exchange: Exchange, key: str, limit: int, resource: str
) -> dict[str, Any]:
    """The answer's JSON; the points are billed to bucket ``key`` of ``resource``."""

    def failed(errors: list[GraphQLError]) -> dict[str, Any]:
        return {"errors": [format_error(e) for e in errors]}

    request = exchange.body if isinstance(exchange.body, dict) else {}
    query = request.get("query")
    if not isinstance(query, str):
        return failed([GraphQLError("A query attribute must be specified and must be a string.")])
    variables = request.get("variables") or {}
    if not isinstance(variables, dict):
        return failed([GraphQLError("Variables are invalid JSON.")])
    schema = github_schema()
    try:
        document = parse(query)
    except GraphQLError as error:
        return failed([error])
    invalid = validate(schema, document)
    if invalid:
        return failed(list(invalid))
    name = request.get("operationName")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    chosen = [op for op in operations if name is None or (op.name and op.name.value == name)]
    if len(chosen) != 1:
        wanted = f"No operation named {name!r}" if name else "An operation name is required"
        return failed([GraphQLError(wanted)])
    operation = chosen[0]
    coerced = get_variable_values(schema, operation.variable_definitions or (), variables)
    if isinstance(coerced, list):
        return failed(coerced)
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    found = measure(schema, operation, fragments, coerced)
    if found.problems:
        return failed(found.problems)
    assert exchange.user is not None
    limits = state.limits
    if limits.peek(key, limit, resource).remaining < found.cost:
        message = f"API rate limit already exceeded for user ID {exchange.user.id}."
        return {"errors": [{"type": "RATE_LIMITED", "message": message}]}
    bucket = limits.consume(key, limit, resource, found.cost)
    context = Context(state, exchange, exchange.user, found.cost, found.nodes, bucket)
    mutation = operation.operation.value == "mutation"
    root: Any = MutationRoot(context) if mutation else QueryRoot(context)
    with state.lock:
        result = execute_sync(
            schema,
            document,
            root_value=root,
            context_value=context,
            variable_values=variables,
            operation_name=name,
            type_resolver=_type_name,
        )
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        for failure in result.errors:
            cause = failure.original_error
            if cause is not None and not isinstance(cause, GraphQLError):  # an emulator bug
                log.error("emulator error in %s", failure.path, exc_info=cause)
        body["errors"] = [format_error(e) for e in result.errors]
    return body


def format_error(error: GraphQLError) -> dict[str, Any]:
    """One of GitHub's GraphQL errors: ``type``, ``path``, ``locations``, ``message``."""
    shaped: dict[str, Any] = {}
    extensions = error.extensions or {}
    if "type" in extensions:
        shaped["type"] = extensions["type"]
    if error.path:
        shaped["path"] = list(error.path)
    if error.locations:
        shaped["locations"] = [{"line": at.line, "column": at.column} for at in error.locations]
    shaped["message"] = error.message
    return shaped


def _type_name(value: Any, _info: Any, _abstract: Any) -> str | None:
    """The object type of a value returned for an interface or union (``Actor``, ``Node``)."""
    if isinstance(value, dict):
        name = value.get("__typename")
        return name if isinstance(name, str) else None
    name = getattr(value, "typename", None)
    return name if isinstance(name, str) else None
