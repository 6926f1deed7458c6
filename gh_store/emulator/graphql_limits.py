"""GitHub's static limits on a GraphQL call: pagination boundaries, the node limit, the point cost.

Owns :func:`measure`, run on a validated operation before it executes, and :class:`Measure`, what
it finds. The rules, as GitHub documents them ("Rate limits and query limits for the GraphQL
API"):

- every connection whose ``nodes`` or ``edges`` are selected needs ``first`` or ``last``, at most
  100 (``totalCount`` alone needs neither, as on GitHub);
- a call may ask for at most 500,000 nodes: a connection's ``first``/``last``, times that of
  every connection it sits in;
- its cost is the number of requests needed to fulfil each connection (one per parent node that
  could hold it), divided by 100 and rounded, at least 1 point. A call with mutations is counted
  the same way (their payload's connections) and costs at least 1 point too. Plain lists such as
  ``reactionGroups`` are not connections: they multiply nothing.

A connection is an object type named ``...Connection`` with a ``pageInfo`` field, as all of
GitHub's are. Problems are reported with GitHub's ``type`` and wording; a call with any is not
executed and costs nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
)
from graphql.execution.values import get_argument_values

__all__ = ["MAX_NODES", "MAX_PAGE", "Measure", "measure"]

MAX_PAGE = 100
MAX_NODES = 500_000
_PAGE_ITEMS = ("nodes", "edges")


@dataclass
class Measure:
    """What a call asks for: connection requests, nodes, and the problems that stop it."""

    requests: int = 0
    nodes: int = 0
    problems: list[GraphQLError] = field(default_factory=list)

    @property
    def cost(self) -> int:
        """Points: requests / 100, rounded half up, at least 1."""
        return max(1, (self.requests + 50) // 100)


def measure(
    schema: GraphQLSchema,
    operation: OperationDefinitionNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    variables: Any,
) -> Measure:
    """Measure ``operation`` (validated; ``variables`` as graphql-core coerced them)."""
    root = schema.mutation_type if operation.operation.value == "mutation" else schema.query_type
    assert root is not None
    walker = _Walker(schema, fragments, variables)
    walker.walk(operation.selection_set, root, 1, None, ())
    return walker.found


class _Walker:
    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: Any,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables
        self.found = Measure()

    def walk(
        self,
        selections: SelectionSetNode | None,
        parent: Any,
        multiplier: int,
        page: int | None,  # first/last of the connection ``parent`` is, else None
        path: tuple[str, ...],
    ) -> None:
        if selections is None:
            return
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                self._field(selection, parent, multiplier, page, path)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                kind = self.schema.get_type(condition.name.value) if condition else parent
                self.walk(selection.selection_set, kind, multiplier, page, path)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments[selection.name.value]
                kind = self.schema.get_type(fragment.type_condition.name.value)
                self.walk(fragment.selection_set, kind, multiplier, page, path)

    def _field(
        self, node: FieldNode, parent: Any, multiplier: int, page: int | None, path: tuple[str, ...]
    ) -> None:
        name = node.name.value
        if name.startswith("__") or not isinstance(
            parent, GraphQLObjectType | GraphQLInterfaceType
        ):
            return
        definition = parent.fields.get(name)
        if definition is None:
            return
        here = (*path, node.alias.value if node.alias else name)
        kind = get_named_type(definition.type)
        if page is not None and name in _PAGE_ITEMS:
            multiplier *= page  # each item of the page holds what is selected below it
        if not _is_connection(kind):
            self.walk(node.selection_set, kind, multiplier, None, here)
            return
        arguments = get_argument_values(definition, node, self.variables)
        first, last = arguments.get("first"), arguments.get("last")
        if first is None and last is None:
            if _selects_items(node, self.fragments):
                self._problem(
                    "MISSING_PAGINATION_BOUNDARIES",
                    f"You must provide a `first` or `last` value to properly paginate the "
                    f"`{name}` connection.",
                    node,
                    here,
                )
            size = 0
        else:
            size = 0
            for argument, value in (("first", first), ("last", last)):
                if value is None:
                    continue
                if value > MAX_PAGE or value < 0:
                    self._problem(
                        "EXCESSIVE_PAGINATION",
                        f"Requesting {value} records on the `{name}` connection exceeds the "
                        f"`{argument}` limit of {MAX_PAGE} records.",
                        node,
                        here,
                    )
                size = max(size, value)
        self.found.requests += multiplier
        self.found.nodes += multiplier * size
        if self.found.nodes > MAX_NODES and not any(
            p.extensions and p.extensions.get("type") == "MAX_NODE_LIMIT_EXCEEDED"
            for p in self.found.problems
        ):
            self._problem(
                "MAX_NODE_LIMIT_EXCEEDED",
                f"By the time this query traverses to the {name} connection, it is requesting "
                f"up to {self.found.nodes:,} possible nodes which exceeds the maximum limit of "
                f"{MAX_NODES:,}.",
                node,
                here,
            )
        self.walk(node.selection_set, kind, multiplier, size, here)

    def _problem(self, kind: str, message: str, node: FieldNode, path: tuple[str, ...]) -> None:
        self.found.problems.append(
            GraphQLError(message, node, path=list(path), extensions={"type": kind})
        )


def _is_connection(kind: Any) -> bool:
    return (
        isinstance(kind, GraphQLObjectType)
        and kind.name.endswith("Connection")
        and "pageInfo" in kind.fields
    )


def _selects_items(node: FieldNode, fragments: Mapping[str, FragmentDefinitionNode]) -> bool:
    """Whether ``nodes`` or ``edges`` are selected on the connection ``node``."""
    pending = [node.selection_set]
    while pending:
        selections = pending.pop()
        for selection in selections.selections if selections else ():
            if isinstance(selection, FieldNode):
                if selection.name.value in _PAGE_ITEMS:
                    return True
            elif isinstance(selection, InlineFragmentNode):
                pending.append(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                pending.append(fragments[selection.name.value].selection_set)
    return False
