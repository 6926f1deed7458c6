"""Object ids to labels and titles, and back."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from gh_store.core.config import StoreConfig
from gh_store.core.naming import MAX_LABEL, issue_title, object_id_from_labels, object_label

CONFIG = StoreConfig()  # uid_prefix "UID:", 4 characters


@pytest.mark.parametrize(
    "object_id",
    ["a", "user-42", "with space inside", "café", "日本語", "😀", "a/b:c.d", "x" * (MAX_LABEL - 4)],
)
def test_valid_ids(object_id: str) -> None:
    label = object_label(CONFIG, object_id)
    assert label == f"UID:{object_id}"
    assert object_id_from_labels(CONFIG, [label]) == object_id


def test_length_boundary_depends_on_the_prefix() -> None:
    longer = replace(CONFIG, uid_prefix="object-id:")  # 10 characters
    assert object_label(longer, "x" * 40) == "object-id:" + "x" * 40
    with pytest.raises(ValueError, match=r"is 41 characters; with the prefix 'object-id:'.* 40"):
        object_label(longer, "x" * 41)


def test_one_character_too_long() -> None:
    with pytest.raises(ValueError, match=r"is 47 characters; .* allows 46"):
        object_label(CONFIG, "x" * 47)


def test_length_counts_characters_not_bytes() -> None:
    assert object_label(CONFIG, "😀" * 46) == "UID:" + "😀" * 46


@pytest.mark.parametrize(
    ("object_id", "message"),
    [
        ("", "non-empty string"),
        (None, "non-empty string"),
        (42, "non-empty string"),
        ("a,b", "comma"),
        (",", "comma"),
        (" a", "leading or trailing spaces"),
        ("a ", "leading or trailing spaces"),
        ("\ta", "leading or trailing spaces"),
        (" ", "leading or trailing spaces"),
        ("a\nb", "control characters"),
        ("a\x00b", "control characters"),
        ("a\x1bb", "control characters"),
        ("a\x7fb", "control characters"),
    ],
)
def test_invalid_ids(object_id: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        object_label(CONFIG, object_id)


def test_title_is_the_originals() -> None:
    assert issue_title("user-42") == "Stored Object: user-42"


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ([{"name": "stored-object"}, {"name": "UID:abc"}], "abc"),
        (["stored-object", "UID:abc"], "abc"),
        ([{"name": "UID:first"}, "UID:second"], "first"),
        ([{"id": 1, "name": "bug", "color": "ededed"}, {"name": "UID:日本"}], "日本"),
        (["stored-object", "bug"], None),
        ([], None),
        ([{"color": "ededed"}, {"name": None}, 7, None], None),
        (["uid:lowercase"], "lowercase"),  # GitHub's labels ignore case: so does the prefix
        (["UID: spaced"], None),  # no id could make this label: it names no object
        (["UID:a,b"], None),
        (["UID:"], None),
        (["UID:", "UID:real"], "real"),
    ],
)
def test_object_id_from_labels(labels: list[Any], expected: str | None) -> None:
    assert object_id_from_labels(CONFIG, labels) == expected


def test_object_id_from_labels_uses_the_configured_prefix() -> None:
    config = replace(CONFIG, uid_prefix="id/")
    assert object_id_from_labels(config, ["UID:abc", "id/xyz"]) == "xyz"


def test_object_id_from_labels_accepts_any_iterable() -> None:
    assert object_id_from_labels(CONFIG, iter([{"name": "UID:gen"}])) == "gen"
