"""No import cycles anywhere in the installed `vdata` package (its own folder and the top-level folders that
install as `vdata.builders`, `vdata.rewards`, `vdata.schemas`, `vdata.cards`).

The graph is read from the source with `ast`, never by importing: every `import` and `from ... import`
statement counts, wherever it stands (module level, inside a function, under `TYPE_CHECKING`), because a lazy
import inside a function is still a dependency a refactor can turn into a cycle. An edge goes from a module to
- each module it names (`import a.b.c`, `from a.b import c` when `c` is a submodule: the submodule),
- the package it takes a name from (`from a.b import name` where `name` is not a submodule: `a.b`'s
  `__init__`), and
- the packages above what it names (`import a.b.c` runs `a/__init__` and `a/b/__init__` first), except the
  packages above the importing module itself: Python has already started those before the module runs, so
  that edge can never close a cycle.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parents[1]


def package_roots() -> dict[str, Path]:
    """Folder of each top-level installed package name, from pyproject's `package-dir` (`vdata` -> `vdata/`)."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {name: ROOT / folder for name, folder in config["tool"]["setuptools"]["package-dir"].items()}


def modules(roots: dict[str, Path]) -> dict[str, Path]:
    """Every module of the package: dotted name -> file (`pkg/__init__.py` for a package). A folder is a
    subpackage when it has an `__init__.py`; folders mapped to their own name in `roots` are walked once."""
    found: dict[str, Path] = {}
    mapped = {folder.resolve() for folder in roots.values()}

    def walk(name: str, folder: Path) -> None:
        for path in sorted(folder.iterdir()):
            if path.is_dir() and (path / "__init__.py").exists() and path.resolve() not in mapped:
                found[f"{name}.{path.name}"] = path / "__init__.py"
                walk(f"{name}.{path.name}", path)
            elif path.suffix == ".py" and path.name != "__init__.py":
                found[f"{name}.{path.stem}"] = path

    for name, folder in roots.items():
        found[name] = folder / "__init__.py"
        walk(name, folder)
    return found


def ancestors(name: str) -> list[str]:
    """`a.b.c` -> [`a`, `a.b`]."""
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def imported(name: str, path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    """(module of the package this module's import statements reach, line) for every edge out of `name`."""
    return ((target, line) for target, line in _reached(name, path, known) if target != name)


def _reached(name: str, path: Path, known: set[str]) -> Iterator[tuple[str, int]]:
    is_package = path.name == "__init__.py"
    own_parents = set(ancestors(name))

    def reach(target: str, line: int) -> Iterator[tuple[str, int]]:
        for parent in ancestors(target):
            if parent in known and parent not in own_parents:
                yield parent, line
        if target in known:
            yield target, line

    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield from reach(alias.name, node.lineno)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = name if is_package else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    package = package.rpartition(".")[0]
                base = f"{package}.{node.module}" if node.module else package
            else:
                base = node.module or ""
            for parent in ancestors(base):
                if parent in known and parent not in own_parents:
                    yield parent, node.lineno
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                if submodule in known:
                    if base not in own_parents and base in known:
                        yield base, node.lineno
                    yield submodule, node.lineno
                elif base in known:
                    yield base, node.lineno  # a name from `base`'s own code: its __init__ must have run


def import_graph() -> tuple[dict[str, dict[str, int]], dict[str, Path]]:
    """module -> {module it imports: first line of such an import}, and the module files."""
    files = modules(package_roots())
    known = set(files)
    graph: dict[str, dict[str, int]] = {}
    for name, path in files.items():
        edges: dict[str, int] = {}
        for target, line in imported(name, path, known):
            edges.setdefault(target, line)
        graph[name] = edges
    return graph, files


def cycles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """One shortest cycle (first module repeated at the end) per tangle (`tangles`)."""
    return [_cycle_in(graph, set(c)) for c in tangles(graph)]


def tangles(graph: dict[str, dict[str, int]]) -> list[list[str]]:
    """The strongly connected components with more than one module or a self-loop, each sorted (Tarjan's
    algorithm, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1 or node in graph[node]:
                    components.append(sorted(component))
    return components


def _cycle_in(graph: dict[str, dict[str, int]], component: set[str]) -> list[str]:
    """A shortest cycle through the component's first module (breadth-first inside the component)."""
    start = min(component)
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node]):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child in component and child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    raise AssertionError(f"no cycle through {start}")


def describe(cycle: list[str], graph: dict[str, dict[str, int]], files: dict[str, Path]) -> str:
    """`a (a.py:3) -> b (b.py:10) -> a`: each step names the line of the import that makes it."""
    steps = [f"{a} ({files[a].relative_to(ROOT)}:{graph[a][b]})" for a, b in itertools.pairwise(cycle)]
    return " -> ".join([*steps, cycle[-1]])


def test_the_graph_sees_every_kind_of_import(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("from pkg.sub import leaf\n")
    (pkg / "sub" / "leaf.py").write_text("def f():\n    from .. import top\n")
    (pkg / "top.py").write_text("import pkg.other\nfrom pkg.sub import name\n")
    (pkg / "other.py").write_text("")
    files = modules({"pkg": pkg})
    assert sorted(files) == ["pkg", "pkg.other", "pkg.sub", "pkg.sub.leaf", "pkg.top"]
    known = set(files)
    edges = {n: sorted({t for t, _ in imported(n, p, known)}) for n, p in files.items()}
    assert edges["pkg.sub"] == ["pkg.sub.leaf"]  # its own parents add no edge
    assert edges["pkg.sub.leaf"] == ["pkg.top"]  # a relative import inside a function
    assert edges["pkg.top"] == ["pkg.other", "pkg.sub"]  # a name (not a submodule) from pkg.sub: its __init__
    graph = {n: dict.fromkeys(e, 1) for n, e in edges.items()}
    assert cycles(graph) == [["pkg.sub", "pkg.sub.leaf", "pkg.top", "pkg.sub"]]


def test_the_graph_covers_every_installed_folder() -> None:
    graph, _ = import_graph()
    for name in ("vdata.cli", "vdata.build", "vdata.video.decode", "vdata.builders.jsonl", "vdata.rewards",
                 "vdata.schemas", "vdata.shards.writer"):
        assert name in graph, name
    assert "vdata.build" in graph["vdata.cli"]


def cycle_report(graph: dict[str, dict[str, int]], files: dict[str, Path]) -> list[str]:
    """One line per tangle: a shortest cycle in it, and its modules when it holds more than that cycle."""
    lines = []
    for tangle in tangles(graph):
        cycle = _cycle_in(graph, set(tangle))
        lines.append(describe(cycle, graph, files))
        if len(tangle) > len(cycle) - 1:
            lines.append(f"    (one of the cycles among {len(tangle)} modules: {', '.join(tangle)})")
    return lines


def test_the_package_has_no_import_cycles() -> None:
    graph, files = import_graph()
    lines = cycle_report(graph, files)
    assert not lines, "import cycles:\n" + "\n".join(lines)
