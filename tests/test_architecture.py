"""The import graph of bot/, handlers/, scheduler/ and storage/, read with stdlib `ast`.

Every import counts, function-local ones included: no cycles; nothing under `bot/adapters/`
imports `storage` (senders never touch storage; the outbox worker resolves routes); and no
platform name in handlers/ or scheduler/ code, as a string or an identifier (platform limits and
checks live with each adapter).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "handlers", "scheduler", "storage")
PLATFORM_NAMES = re.compile("wecom|dingtalk", re.IGNORECASE)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> dict[str, Path]:
    found: dict[str, Path] = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.relative_to(ROOT).parts:
                continue  # Alembic revisions are loaded by Alembic, not imported
            found[module_name(path)] = path
    return found


MODULES = sources()


def resolve(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    """The absolute module an `ImportFrom` names (relative imports resolved against `module`)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def imported(module: str, path: Path) -> Iterator[str]:
    """Every module `module` imports, anywhere in its body. `from a import b` counts `a` (Python
    looks `b` up in `a` first, so `a` is loaded and read) and also `a.b` when that is a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name
        elif isinstance(node, ast.ImportFrom):
            target = resolve(module, path.name == "__init__.py", node)
            yield target
            for alias in node.names:
                candidate = f"{target}.{alias.name}"
                if candidate in MODULES:
                    yield candidate


def ours(name: str) -> str | None:
    """The module of ours that importing `name` loads last (its longest known prefix), or None."""
    parts = name.split(".")
    while parts:
        candidate = ".".join(parts)
        if candidate in MODULES:
            return candidate
        parts.pop()
    return None


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = {}
    for module, path in MODULES.items():
        targets = {ours(name) for name in imported(module, path)}
        edges[module] = {t for t in targets if t is not None and t != module}
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_the_walk_sees_every_package_and_function_local_imports() -> None:
    assert {m.split(".")[0] for m in MODULES} == set(PACKAGES)
    edges = graph()
    assert "bot.adapters.wecom.setup" in edges["bot.app"]
    assert "bot.keys" in edges["bot.scheduling"]


def test_cycles_are_found_through_function_local_imports() -> None:
    source = "def later():\n    from a import b\n"
    node = ast.parse(source)
    assert [n for n in ast.walk(node) if isinstance(n, ast.ImportFrom)]
    assert cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles() -> None:
    assert cycles(graph()) == []


def test_adapters_never_import_storage() -> None:
    offenders = sorted(
        f"{module} imports {target}"
        for module, path in MODULES.items()
        if module.startswith("bot.adapters")
        for target in imported(module, path)
        if target == "storage" or target.startswith("storage.")
    )
    assert offenders == []


def platform_names(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
        elif isinstance(node, ast.Name):
            text = node.id
        elif isinstance(node, ast.Attribute):
            text = node.attr
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            text = node.name
        elif isinstance(node, ast.arg):
            text = node.arg
        elif isinstance(node, ast.alias):
            text = f"{node.name} {node.asname or ''}"
        elif isinstance(node, ast.ImportFrom):
            text = node.module or ""
        else:
            continue
        if PLATFORM_NAMES.search(text):
            yield f"{path.relative_to(ROOT)}:{getattr(node, 'lineno', '?')}: {text[:60]!r}"


@pytest.mark.parametrize("package", ["handlers", "scheduler"])
def test_handlers_and_the_scheduler_never_name_a_platform(package: str) -> None:
    found = [hit for module, path in MODULES.items() if module.split(".")[0] == package for hit in platform_names(path)]
    assert found == []
