"""JSON Schema checks for stored objects (optional).

The draft comes from the schema's ``$schema``; without one, draft 2020-12. A schema that cannot be
read or is not a valid schema is a ``ConfigurationError`` (a setup problem, found before any
request); data that fails it is an ``InvalidUpdate`` with every violation listed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema.exceptions import SchemaError
from jsonschema.validators import validator_for
from referencing.exceptions import Unresolvable

from .exceptions import ConfigurationError, InvalidUpdate

__all__ = ["ObjectSchema"]

_MAX_LISTED = 5
_UNKNOWN_DRAFT: Any = object()


class ObjectSchema:
    """A compiled JSON Schema that every object's data must satisfy."""

    def __init__(self, schema: Any, source: str = "<schema>") -> None:
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
        self.source = source
        self.schema = schema
        self._validator = cls(schema)

    @classmethod
    def from_file(cls, path: Path) -> ObjectSchema:
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            raise ConfigurationError(f"{path}: schema file not found") from None
        except OSError as exc:
            raise ConfigurationError(f"{path}: cannot read schema file: {exc.strerror}") from None
        except UnicodeDecodeError as exc:
            raise ConfigurationError(f"{path}: schema file is not UTF-8: {exc}") from None
        try:
            document = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise ConfigurationError(f"{path}: schema file is not JSON: {exc}") from None
        return cls(document, source=str(path))

    def errors(self, data: Any) -> list[str]:
        """Every violation, as ``at /path: message``, in a stable order."""
        try:
            found = sorted(self._validator.iter_errors(data), key=lambda e: list(map(str, e.path)))
        except Unresolvable as exc:
            # A $ref is only followed when data reaches it, so a dangling one shows up here.
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
