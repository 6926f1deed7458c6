"""JSON Merge Patch (RFC 7396): how an update changes an object.

Objects merge key by key, recursively; ``null`` deletes a key; anything else (arrays, strings,
numbers, booleans) replaces the target's value whole. Pure: neither argument is modified.
"""

from __future__ import annotations

from typing import Any

__all__ = ["apply_merge_patch"]


def apply_merge_patch(target: Any, patch: Any) -> Any:
    """Return ``target`` changed by ``patch``, as RFC 7396 section 2 defines it."""
    if not isinstance(patch, dict):
        return _copy(patch)
    result: dict[str, Any] = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = apply_merge_patch(result.get(key), value)
    return result


def _copy(value: Any) -> Any:
    # Replaced values are copied so later patches to the result never alias the patch.
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
