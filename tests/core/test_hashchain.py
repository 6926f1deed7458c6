"""The history hash chain: deterministic, order-sensitive, unambiguous."""

from __future__ import annotations

import re

from gh_store.core.hashchain import GENESIS, extend_chain

_HASH = re.compile(r"\Asha256:[0-9a-f]{64}\Z")


def test_genesis_and_links_are_tagged_sha256() -> None:
    assert _HASH.match(GENESIS)
    assert _HASH.match(extend_chain(GENESIS, 1, "{}"))


def test_deterministic() -> None:
    assert extend_chain(GENESIS, 5, '{"a": 1}') == extend_chain(GENESIS, 5, '{"a": 1}')


def test_extending_changes_the_hash() -> None:
    assert extend_chain(GENESIS, 5, '{"a": 1}') != GENESIS


def test_order_sensitive() -> None:
    one_two = extend_chain(extend_chain(GENESIS, 1, '{"a": 1}'), 2, '{"a": 2}')
    two_one = extend_chain(extend_chain(GENESIS, 2, '{"a": 2}'), 1, '{"a": 1}')
    assert one_two != two_one


def test_different_bodies_differ() -> None:
    assert extend_chain(GENESIS, 1, '{"a": 1}') != extend_chain(GENESIS, 1, '{"a": 2}')
    assert extend_chain(GENESIS, 1, '{"a": 1}') != extend_chain(GENESIS, 1, '{"a": 1} ')


def test_different_ids_differ() -> None:
    assert extend_chain(GENESIS, 1, "{}") != extend_chain(GENESIS, 2, "{}")


def test_different_previous_hashes_differ() -> None:
    other = extend_chain(GENESIS, 9, "x")
    assert extend_chain(GENESIS, 1, "{}") != extend_chain(other, 1, "{}")


def test_length_prefix_separates_id_from_body() -> None:
    # Without length prefixes, "1" + "23" and "12" + "3" would hash the same bytes.
    assert extend_chain(GENESIS, 1, "23") != extend_chain(GENESIS, 12, "3")


def test_length_prefix_separates_previous_from_id() -> None:
    assert extend_chain("sha256:a1", 2, "x") != extend_chain("sha256:a", 12, "x")


def test_unicode_bodies_hash_by_their_utf8_bytes() -> None:
    # "é" composed and decomposed look alike but are different comments.
    assert extend_chain(GENESIS, 1, "caf\u00e9") != extend_chain(GENESIS, 1, "cafe\u0301")
