"""JSON Schema checks for stored objects (optional), that never reach the network.

The draft comes from the schema's ``$schema``; without one, draft 2020-12. A schema that cannot be
read or is not a valid schema is a ``ConfigurationError`` (a setup problem, found before any
request); data that fails it is an ``InvalidUpdate`` with every violation listed.

References: jsonschema would fetch a remote ``$ref`` over HTTP while validating (with no timeout,
and letting that host decide what passes). Here every ``$ref`` is resolved when the schema is built:
references inside the document, to the bundled meta-schemas, or to files beside the schema resolve;
a file not loaded yet raises :class:`SchemaFileNeeded` (a loader outside the pure core reads it and
tries again, see ``gh_store.configure.load_schema``); anything else is a ``ConfigurationError``.
Validation then runs on a registry that refuses every retrieval. Pure.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any
from urllib.parse import urljoin, urlsplit

import jsonschema
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for
from referencing import Registry, Resource
from referencing.exceptions import (
    InvalidAnchor,
    NoSuchAnchor,
    NoSuchResource,
    PointerToNowhere,
    Unresolvable,
)
from referencing.jsonschema import DRAFT202012, SchemaRegistry, specification_with

from .exceptions import ConfigurationError, InvalidUpdate

__all__ = ["ObjectSchema", "SchemaFileNeeded"]

_MAX_LISTED = 5
_UNKNOWN_DRAFT: Any = object()
_REF_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")


class SchemaFileNeeded(ConfigurationError):
    """A ``$ref`` names a file beside the schema that has not been loaded yet.

    ``uri`` is the reference as resolved, ``relative_path`` the file's path relative to the
    schema's own location (it may climb out with ``..``: the loader decides what it may read).
    """

    def __init__(self, message: str, uri: str, relative_path: str) -> None:
        super().__init__(message)
        self.uri = uri
        self.relative_path = relative_path


class ObjectSchema:
    """A compiled JSON Schema that every object's data must satisfy.

    ``resources`` maps the URIs of files beside the schema (as ``SchemaFileNeeded`` named them)
    to their parsed contents.
    """

    def __init__(
        self,
        schema: Any,
        source: str = "<schema>",
        resources: Mapping[str, Any] | None = None,
    ) -> None:
        if not isinstance(schema, dict | bool):
            raise ConfigurationError(f"{source}: a JSON Schema must be an object or a boolean")
        draft = schema.get("$schema") if isinstance(schema, dict) else None
        if draft is not None and not isinstance(draft, str):
            raise ConfigurationError(f"{source}: $schema must be a string (a draft's URI)")
        # Without a $schema, 2020-12. An unknown one is refused rather than silently read as
        # 2020-12: a mistyped draft-07 URI would otherwise change what the keywords mean.
        cls = validator_for(schema, default=_UNKNOWN_DRAFT)
        if cls is _UNKNOWN_DRAFT:
            if draft is not None:
                raise ConfigurationError(
                    f"{source}: unknown $schema {draft!r}; use a draft's URI, e.g. "
                    f"{jsonschema.Draft202012Validator.META_SCHEMA['$id']!r} or "
                    f"{jsonschema.Draft7Validator.META_SCHEMA['$id']!r}"
                )
            cls = jsonschema.Draft202012Validator
        try:
            cls.check_schema(schema)  # type: ignore[arg-type]  # booleans are schemas too
        except SchemaError as exc:
            raise ConfigurationError(f"{source}: not a valid JSON Schema: {exc.message}") from None
        specification = specification_with(cls.META_SCHEMA.get("$schema", ""), default=DRAFT202012)
        root = specification.create_resource(schema)
        loaded = {
            uri: Resource.from_contents(contents, default_specification=specification)
            for uri, contents in (resources or {}).items()
        }
        registry: SchemaRegistry = Registry(retrieve=_refuse_retrieval).with_resources(  # type: ignore[call-arg]
            loaded.items()
        )
        registry = _bundled_meta_schemas().combine(registry)
        self.source = source
        self.schema = schema
        _check_references(root, loaded, registry, source)
        self._validator = cls(schema, registry=registry)

    def errors(self, data: Any) -> list[str]:
        """Every violation, as ``at /path: message``, in a stable order."""
        try:
            found = sorted(self._validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
        except Unresolvable as exc:  # every $ref was resolved when built; kept as a safety net
            raise ConfigurationError(
                f"{self.source}: the schema has a broken $ref: {exc}"
            ) from None
        return [f"at /{'/'.join(map(str, e.path))}: {e.message}" for e in found]

    def check(self, data: Any) -> None:
        """Raise ``InvalidUpdate`` listing the violations if ``data`` fails the schema."""
        problems = self.errors(data)
        if problems:
            shown = "; ".join(problems[:_MAX_LISTED])
            more = len(problems) - _MAX_LISTED
            suffix = f" (and {more} more)" if more > 0 else ""
            raise InvalidUpdate(f"does not match the schema: {shown}{suffix}")


def _bundled_meta_schemas() -> SchemaRegistry:
    # The drafts' meta-schemas ship with jsonschema-specifications: resolving them reads no network.
    from jsonschema_specifications import REGISTRY

    return REGISTRY  # type: ignore[no-any-return]


def _refuse_retrieval(uri: str) -> Resource[Any]:
    raise NoSuchResource(ref=uri)  # type: ignore[call-arg]


def _check_references(
    root: Resource[Any],
    loaded: Mapping[str, Resource[Any]],
    registry: SchemaRegistry,
    source: str,
) -> None:
    """Resolve every reference in the schema and in the files it loaded, or say why not."""
    base = root.id() or ""
    starts = [(root, registry.resolver_with_root(root), base)]
    starts += [(resource, registry.resolver(base_uri=uri), uri) for uri, resource in loaded.items()]
    for start, resolver, start_uri in starts:
        for resource, here, here_uri in _walk(start, resolver, start_uri):
            contents = resource.contents
            for keyword in _REF_KEYWORDS:
                ref = contents.get(keyword) if isinstance(contents, dict) else None
                if not isinstance(ref, str):
                    continue
                try:
                    here.lookup(ref)
                except Unresolvable as exc:
                    target = urljoin(here_uri, ref).partition("#")[0]
                    raise _reference_problem(ref, target, base, exc, source) from None


def _walk(
    resource: Resource[Any], resolver: Any, uri: str
) -> Iterator[tuple[Resource[Any], Any, str]]:
    """Every subschema with the resolver and base URI that apply inside it."""
    stack = [(resource, resolver, uri)]
    while stack:
        current, here, here_uri = stack.pop()
        yield current, here, here_uri
        for sub in current.subresources():
            sub_id = sub.id()
            sub_uri = urljoin(here_uri, sub_id) if sub_id else here_uri
            stack.append((sub, here.in_subresource(sub), sub_uri))


def _reference_problem(
    ref: str, target: str, base: str, exc: Unresolvable, source: str
) -> ConfigurationError:
    # lookup() says plain Unresolvable when the document itself is missing; its subclasses name
    # a fragment missing inside a document that was found.
    inside = isinstance(exc, PointerToNowhere | NoSuchAnchor | InvalidAnchor)
    if not inside and target:
        relative = _relative_to(target, base)
        if relative is not None:
            return SchemaFileNeeded(
                f"{source}: $ref {ref!r} names the file {relative!r} beside the schema",
                target,
                relative,
            )
        return ConfigurationError(
            f"{source}: $ref {ref!r} points outside the schema ({target}); gh-store resolves "
            "only references inside the schema file or to files beside it, and never fetches "
            "a schema from the network"
        )
    return ConfigurationError(f"{source}: $ref {ref!r} cannot be resolved: {exc}")


def _relative_to(target: str, base: str) -> str | None:
    """``target`` as a path relative to the root schema's location, when it is one."""
    parts = urlsplit(target)
    if not parts.scheme and not parts.netloc:
        return parts.path or None  # the schema has no $id: its references are paths
    if base:
        directory = base.rpartition("/")[0] + "/"
        if target.startswith(directory):
            return target[len(directory) :] or None
    return None
