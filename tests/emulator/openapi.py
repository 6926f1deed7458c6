"""GitHub's OpenAPI description of the operations the emulator implements, for the fidelity tests.

Loads ``tests/fixtures/openapi/api.github.com.operations.json`` (see its SOURCE.txt), turns its
OpenAPI 3.0 schemas into JSON Schema 2020-12 (``nullable: true`` becomes "or null"; nothing else
differs in these operations), and answers: which operation a request is (from the description's
own path templates, not the emulator's router), what an operation documents (statuses, response
schemas and headers, parameters, request body), and whether a value fits a schema.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

__all__ = ["Operation", "operation_for", "operations", "validator"]

FIXTURE = Path(__file__).parent.parent / "fixtures" / "openapi" / "api.github.com.operations.json"
_BASE = "urn:github-openapi"
_METHODS = ("get", "post", "put", "patch", "delete")


def _convert(node: Any) -> Any:
    """OpenAPI 3.0 schema objects -> JSON Schema 2020-12, refs pointed at the registry."""
    if isinstance(node, list):
        return [_convert(item) for item in node]
    if not isinstance(node, dict):
        return node
    converted = {key: _convert(value) for key, value in node.items() if key != "nullable"}
    ref = converted.get("$ref")
    if isinstance(ref, str) and ref.startswith("#/"):
        converted["$ref"] = _BASE + ref
    if node.get("nullable") is True:
        return {"anyOf": [converted, {"type": "null"}]}
    return converted


@cache
def _document() -> dict[str, Any]:
    return _convert(json.loads(FIXTURE.read_text(encoding="utf-8")))  # type: ignore[no-any-return]


@cache
def _registry() -> Registry[Any]:
    resource = Resource.from_contents(_document(), default_specification=DRAFT202012)
    return Registry().with_resource(_BASE, resource)


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    """``node`` itself, or what its ``$ref`` points at (for responses and parameters)."""
    ref = node.get("$ref")
    if not isinstance(ref, str):
        return node
    target: Any = _document()
    for part in ref.removeprefix(_BASE + "#/").split("/"):
        target = target[part]
    return resolve(target)


def validator(schema: dict[str, Any]) -> Draft202012Validator:
    return Draft202012Validator(schema, registry=_registry())


@dataclass(frozen=True)
class Operation:
    id: str
    method: str  # upper case
    template: str  # e.g. /repos/{owner}/{repo}/issues/{issue_number}
    spec: dict[str, Any]

    @property
    def statuses(self) -> set[int]:
        return {int(status) for status in self.spec["responses"]}

    def response(self, status: int) -> dict[str, Any] | None:
        found = self.spec["responses"].get(str(status))
        return resolve(found) if found is not None else None

    def response_schema(self, status: int) -> dict[str, Any] | None:
        response = self.response(status) or {}
        media = response.get("content", {}).get("application/json")
        return media.get("schema") if media else None

    def response_headers(self, status: int) -> set[str]:
        return {name.lower() for name in (self.response(status) or {}).get("headers", {})}

    def query_parameters(self) -> set[str]:
        params = [resolve(p) for p in self.spec.get("parameters", [])]
        return {p["name"] for p in params if p["in"] == "query"}

    @property
    def body_schema(self) -> dict[str, Any] | None:
        content = self.spec.get("requestBody", {}).get("content", {}).get("application/json")
        return content["schema"] if content else None

    @property
    def body_examples(self) -> list[Any]:
        content = self.spec.get("requestBody", {}).get("content", {}).get("application/json")
        return [example["value"] for example in (content or {}).get("examples", {}).values()]

    def pattern(self) -> re.Pattern[str]:
        return re.compile(re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(self.template)) + "$")


@cache
def operations() -> dict[str, Operation]:
    found = {}
    for template, item in _document()["paths"].items():
        for method in _METHODS:
            if method in item:
                spec = item[method]
                found[spec["operationId"]] = Operation(
                    spec["operationId"], method.upper(), template, spec
                )
    return found


def operation_for(method: str, path: str) -> Operation | None:
    """The described operation for a request path (without query); where templates overlap
    (``/issues/comments`` and ``/issues/{issue_number}``), the one with more literal text."""
    candidates = [
        op
        for op in operations().values()
        if op.method == method.upper() and op.pattern().match(path)
    ]
    return max(candidates, key=lambda op: len(re.sub(r"\{[^}]+\}", "", op.template)), default=None)
