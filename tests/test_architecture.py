"""The layers hold (issue 10): a pure core with no arrow out, no import cycles, small modules, and a
port that holds only what the library calls. Read from the source with ``ast``, so deferred and
type-checking imports count too."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "gh_store"
#: A module longer than this is doing more than one thing. Modules are cut by concept, not by
#: size: the cap only catches a module that grew past one concept (issue 19: at most 600).
MAX_LINES = 600
HTTP_MODULES = ("ghapi", "httpx2", "http.client", "urllib.request", "socket", "ssl", "requests")


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports (absolute names), wherever the import statement sits."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = _module_name(path).rsplit(".", 0 if path.name == "__init__.py" else 1)[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            found.add(module)
            found.update(f"{module}.{alias.name}" for alias in node.names)
    return found


MODULES = {_module_name(path): path for path in PACKAGE.rglob("*.py")}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("gh_store.core")))
def test_the_core_imports_nothing_of_gh_store_outside_itself(module: str) -> None:
    outside = {
        name
        for name in _imports(MODULES[module])
        if name.startswith("gh_store") and not name.startswith("gh_store.core")
    }
    assert not outside, f"{module} reaches out of the core: {sorted(outside)}"
    http = {name for name in _imports(MODULES[module]) if name.startswith(HTTP_MODULES)}
    assert not http, f"{module} imports {sorted(http)}"


def test_importing_the_whole_core_loads_no_http_client_and_no_socket() -> None:
    core = sorted(m for m in MODULES if m.startswith("gh_store.core"))
    code = (
        "import importlib, sys\n"
        f"for name in {core!r}: importlib.import_module(name)\n"
        f"loaded = sorted(m for m in sys.modules if m.startswith({HTTP_MODULES!r}))\n"
        "assert not loaded, loaded\n"
        "assert not any(m.startswith('gh_store.') and not m.startswith('gh_store.core')"
        " for m in sys.modules), sorted(sys.modules)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_no_import_cycles_deferred_or_not() -> None:
    graph = {
        module: {
            target
            for name in _imports(path)
            for target in (name, name.rsplit(".", 1)[0])
            if target in MODULES and target != module
        }
        for module, path in MODULES.items()
    }
    # A package's __init__ importing its own submodules is how packages work, not a cycle.
    for module in graph:
        graph[module] = {
            target
            for target in graph[module]
            if not (MODULES[module].name == "__init__.py" and target.startswith(module + "."))
            and not (MODULES[target].name == "__init__.py" and module.startswith(target + "."))
        }
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(node: str) -> None:
        state[node] = 1
        path.append(node)
        for target in sorted(graph[node]):
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[node] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_modules_stay_small(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module} has {lines} lines"


def test_the_port_holds_only_what_the_library_calls() -> None:
    port = ast.parse((PACKAGE / "transport" / "port.py").read_text(encoding="utf-8"))
    (protocol,) = [n for n in port.body if isinstance(n, ast.ClassDef)]
    operations = {n.name for n in protocol.body if isinstance(n, ast.FunctionDef)}
    callers = [
        path
        for path in PACKAGE.rglob("*.py")
        if "transport" not in path.parts and "emulator" not in path.parts
    ]
    called = {
        node.attr
        for path in callers
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
    }
    assert operations <= called, f"never called: {sorted(operations - called)}"
