"""One way to set up a store: reading the config and schema files from one base directory, and the
schema's references resolved from files beside it only, before any request."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from gh_store.configure import base_directory, load_schema, setup
from gh_store.core.config import StoreConfig
from gh_store.core.exceptions import ConfigurationError

_PERSON = {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}}


def _write(path: Path, document: Any) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


def test_the_base_directory_is_the_argument_else_the_workspace_else_the_cwd(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert base_directory(None, {}) == tmp_path
    assert base_directory(None, {"GITHUB_WORKSPACE": "/ws"}) == Path("/ws")
    assert base_directory("/given", {"GITHUB_WORKSPACE": "/ws"}) == Path("/given")


def test_store_schema_is_read_from_the_base_directory_for_every_caller(tmp_path: Path) -> None:
    _write(tmp_path / "schemas" / "object.json", _PERSON)
    config = StoreConfig(schema=Path("schemas/object.json"))
    built = setup(repo="octo/store", token=None, config=config, base_dir=tmp_path)
    assert built.schema is not None
    assert built.schema.errors({"id": "x"}) == ["at /id: 'x' is not of type 'integer'"]


# --- schema files ---------------------------------------------------------------------------------


def test_load_schema(tmp_path: Path) -> None:
    path = _write(tmp_path / "schema.json", _PERSON)
    schema = load_schema(path)
    assert schema.source == str(path)
    assert schema.errors({}) == ["at /: 'id' is a required property"]


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "absent.json"
    with pytest.raises(
        ConfigurationError, match=rf"^{re.escape(str(path))}: schema file not found"
    ):
        load_schema(path)


def test_a_directory_is_not_a_schema_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="is a directory"):
        load_schema(tmp_path)


@pytest.mark.parametrize("text", ["", "{type: object}", "type: object\n", "[" * 100_000])
def test_file_that_is_not_json(tmp_path: Path, text: str) -> None:
    path = tmp_path / "schema.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigurationError, match="schema file is not JSON"):
        load_schema(path)


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "schema.json"
    path.write_bytes('{"title": "café"}'.encode("latin-1"))
    with pytest.raises(ConfigurationError, match="schema file is not UTF-8"):
        load_schema(path)


def test_file_holding_an_invalid_schema_names_the_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "schema.json", {"type": "nonsense"})
    with pytest.raises(ConfigurationError, match=rf"^{re.escape(str(path))}: not a valid JSON"):
        load_schema(path)


# --- references: files beside the schema, never the network ---------------------------------------


def test_references_to_files_beside_the_schema_are_read(tmp_path: Path) -> None:
    _write(tmp_path / "defs" / "common.json", {"$defs": {"n": {"$ref": "leaf.json"}}})
    _write(tmp_path / "defs" / "leaf.json", {"type": "integer", "minimum": 0})
    path = _write(
        tmp_path / "schema.json",
        {"properties": {"count": {"$ref": "defs/common.json#/$defs/n"}}},
    )
    schema = load_schema(path)
    assert schema.errors({"count": 3}) == []
    assert schema.errors({"count": -1}) == ["at /count: -1 is less than the minimum of 0"]


def test_a_multi_file_schema_with_an_https_id_reads_its_siblings(tmp_path: Path) -> None:
    base = "https://example.com/schemas/"
    _write(tmp_path / "item.json", {"$id": base + "item.json", "type": "string"})
    path = _write(
        tmp_path / "root.json",
        {"$id": base + "root.json", "properties": {"items": {"items": {"$ref": "item.json"}}}},
    )
    schema = load_schema(path)
    assert schema.errors({"items": ["a", 1]}) == ["at /items/1: 1 is not of type 'string'"]


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("https://example.com/evil.json", "never fetches a schema from the network"),
        ("../outside.json", "outside the schema's directory"),
        ("sub/../../outside.json", "outside the schema's directory"),
        ("missing.json", "missing.json: schema file .*not found"),
    ],
)
def test_a_reference_that_cannot_be_read_locally_is_refused_at_load(
    tmp_path: Path, ref: str, message: str
) -> None:
    _write(tmp_path / "outside.json", {"type": "integer"})
    path = _write(tmp_path / "schemas" / "schema.json", {"properties": {"a": {"$ref": ref}}})
    with pytest.raises(ConfigurationError, match=message):
        load_schema(path)


def test_a_symlink_out_of_the_schema_directory_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "secret.json", {"type": "integer"})
    (tmp_path / "schemas").mkdir()
    (tmp_path / "schemas" / "link.json").symlink_to(tmp_path / "secret.json")
    path = _write(tmp_path / "schemas" / "schema.json", {"$ref": "link.json"})
    with pytest.raises(ConfigurationError, match="outside the schema's directory"):
        load_schema(path)
