"""Strict JSON: the one rule for what the store writes and what it reads back.

Objects and updates are JSON texts that round-trip exactly: only dict/list/str/int/float/bool/None
(tuples are written as arrays), string keys, no NaN or Infinity (not JSON, though Python's ``json``
writes them), no lone surrogates (no UTF-8 form: GitHub cannot store them), no key twice in one
object (parsers disagree on which one wins), and at most ``MAX_DEPTH`` levels of arrays and
objects. Every check here is iterative, so data nested thousands
of levels deep is refused with a message instead of a ``RecursionError``; a whole number longer
than ``MAX_NUMBER_DIGITS`` digits (which Python refuses to convert, with a message about its own
internals) is refused with a message for people. Pure.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = [
    "MAX_DEPTH",
    "MAX_NUMBER_DIGITS",
    "JSONProblem",
    "NumberTooLong",
    "check_json_value",
    "dumps_checked",
    "loads_strict",
    "nesting_depth",
    "read_int",
]

#: Deepest nesting of arrays and objects an object or update may have.
MAX_DEPTH = 64


#: Longest whole number read: CPython's own limit for converting text to ``int`` (issue 17).
MAX_NUMBER_DIGITS = 4300


class JSONProblem(ValueError):
    """A value or text that is not strict JSON; the message says what and where."""


class NumberTooLong(JSONProblem):
    """A whole number longer than ``MAX_NUMBER_DIGITS`` digits."""


def read_int(text: str) -> int:
    """A whole number's text as an ``int``: the one rule for numbers of any length from outside.

    Longer than ``MAX_NUMBER_DIGITS`` digits is a :class:`NumberTooLong` that says so, never the
    ``ValueError`` Python raises, which tells the reader to call ``sys.set_int_max_str_digits``.
    """
    digits = len(text.strip().lstrip("+-"))
    if digits > MAX_NUMBER_DIGITS:
        raise NumberTooLong(
            f"it holds a number of {digits} digits, longer than the {MAX_NUMBER_DIGITS} digits "
            "gh-store reads"
        )
    return int(text)


def check_json_value(value: Any) -> None:
    """Raise :class:`JSONProblem` unless ``value`` is strict JSON that reads back unchanged."""
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        item, depth, where = stack.pop()
        if isinstance(item, Mapping | list | tuple) and depth > MAX_DEPTH:
            raise JSONProblem(f"it is nested deeper than {MAX_DEPTH} levels")
        if isinstance(item, Mapping):
            for key, child in item.items():
                if not isinstance(key, str):
                    # json.dumps would turn 1, 1.5, True and None into strings: {1: .., "1": ..}
                    # would collapse into one key and the object would not read back as written.
                    raise JSONProblem(f"its keys must be strings, not {key!r}{_at(where)}")
                _check_text(key, where)
                stack.append((child, depth + 1, f"{where}/{key}"))
        elif isinstance(item, list | tuple):
            stack.extend((child, depth + 1, f"{where}/{i}") for i, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, where)
        elif isinstance(item, float) and not math.isfinite(item):
            raise JSONProblem(f"{item!r} is not a JSON number{_at(where)}")
        elif item is not None and not isinstance(item, bool | int | float):
            raise JSONProblem(f"a {type(item).__name__} is not JSON{_at(where)}")


def dumps_checked(value: Any, *, indent: int | None = 2) -> str:
    """``value`` as JSON text (non-ASCII kept), after :func:`check_json_value`."""
    check_json_value(value)
    return json.dumps(value, indent=indent, ensure_ascii=False, allow_nan=False)


def loads_strict(text: str) -> Any:
    """Parse ``text`` as strict JSON; :class:`JSONProblem` for NaN, Infinity, lone surrogates and
    a key given twice in one object (parsers disagree on which one wins, so the text is
    ambiguous), a number too large for a double."""
    try:
        value = json.loads(
            text,
            parse_constant=_refuse_constant,
            parse_float=_finite_float,
            parse_int=read_int,
            object_pairs_hook=_unique_keys,
        )
    except RecursionError:
        raise JSONProblem("it is nested too deeply to read") from None
    except JSONProblem:
        raise
    except ValueError as exc:
        raise JSONProblem(str(exc)) from None
    _check_strings(value)
    return value


def nesting_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON-ish ``text`` (brackets inside strings ignored).

    Counted before parsing, so hostile text cannot make the parser recurse without bound.
    """
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def _check_strings(value: Any) -> None:
    """Lone surrogates anywhere in parsed JSON (``"\\ud800"`` parses to one)."""
    stack = [(value, "")]
    while stack:
        item, where = stack.pop()
        if isinstance(item, dict):
            for key, child in item.items():
                _check_text(key, where)
                stack.append((child, f"{where}/{key}"))
        elif isinstance(item, list):
            stack.extend((child, f"{where}/{i}") for i, child in enumerate(item))
        elif isinstance(item, str):
            _check_text(item, where)


def _check_text(text: str, where: str) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise JSONProblem(
            f"it holds a lone surrogate (U+{ord(text[exc.start]):04X}){_at(where)}, "
            "which is not Unicode text"
        ) from None


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for key, item in pairs:
        if key in value:
            raise JSONProblem(f"the key {json.dumps(key)[:80]} appears twice in one object")
        value[key] = item
    return value


def _finite_float(text: str) -> float:
    number = float(text)
    if math.isinf(number):  # 1e999: valid JSON syntax, but beyond any double (it reads as inf)
        raise JSONProblem(f"the number {text[:40]} is too large")
    return number


def _refuse_constant(name: str) -> Any:
    raise JSONProblem(f"it holds {name}, which is not JSON")


def _at(where: str) -> str:
    if len(where) > 120:
        where = "..." + where[-117:]
    return f" (at {where})" if where else ""
