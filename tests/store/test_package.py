"""The package root: light to import, with every public name reachable from it."""

from __future__ import annotations

import subprocess
import sys
from importlib import metadata

import pytest

import gh_store
from gh_store.core import exceptions


def test_importing_gh_store_loads_no_heavy_dependency() -> None:
    code = (
        "import gh_store, sys;"
        " heavy = {'ghapi', 'jsonschema', 'yaml', 'httpx2'} & set(sys.modules);"
        " assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_every_public_name_resolves_to_its_home() -> None:
    from gh_store import GitHubStore
    from gh_store.client import GitHubStore as Home

    assert GitHubStore is Home
    for name in gh_store.__all__:
        assert getattr(gh_store, name) is not None
    assert set(exceptions.__all__) <= set(gh_store.__all__)
    assert gh_store.ObjectNotFound is exceptions.ObjectNotFound
    assert gh_store.__version__ == metadata.version("gh-store")


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Nope'"):
        gh_store.Nope  # noqa: B018


def test_the_names_type_checkers_see_are_the_public_names() -> None:
    # One list (`_PUBLIC`) drives __all__ and the lazy look-up; the type-checking imports, which
    # let `mypy --strict` accept `from gh_store import GitHubStore`, must name the same.
    import ast
    from pathlib import Path

    tree = ast.parse(Path(gh_store.__file__).read_text(encoding="utf-8"))
    guarded = next(n for n in tree.body if isinstance(n, ast.If))
    exported = {
        alias.asname
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
        if alias.asname == alias.name
    }
    assert exported == set(gh_store.__all__) - {"__version__"}


def test_the_original_import_path_of_the_client_still_works() -> None:
    # The original gh-store's README: `from gh_store.core.store import GitHubStore`.
    from gh_store.core.store import GitHubStore as Original

    from gh_store.client import GitHubStore

    assert Original is GitHubStore
