"""A build's fingerprint: what its rows depend on. The resume journal starts with it and the manifest keeps it,
so a build resumes, or counts as done, only with the same fingerprint (as `datasets` keys its cache on the
builder's code).

It holds the sources (`FORMAT:PATH`, paths resolved), the options that decide the output
(`BuildOptions.fingerprint`), the vdata version, and `code_sha256`: a sha256 of the source files of the code
that makes rows, namely the builders used (their modules, the classes they derive from and the builder modules
those import), `vdata/process.py`, every module of `vdata/video/`, `vdata.tasks` and `vdata.schemas`. Any edit to those
files, a comment included, gives a new hash: a half-finished build is then refused rather than finished with
rows made by two versions of the code.
"""

from __future__ import annotations

import ast
import hashlib
import importlib.machinery
import importlib.util
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import vdata
from vdata.options import BuildOptions

#: Modules and packages (every module inside) whose code makes rows whatever the builder.
ROW_CODE = ("vdata.process", "vdata.video", "vdata.schemas", "vdata.tasks")
#: Keys of the fingerprint that name the code rather than the options.
VERSION_KEY, CODE_KEY = "vdata_version", "code_sha256"


def build_fingerprint(sources: list[str], builder_classes: Iterable[type], options: BuildOptions) -> dict[str, Any]:
    """The fingerprint of a build of `sources` (`FORMAT:KEY` each) made by `builder_classes` with `options`."""
    return {"sources": sources, **options.fingerprint(), VERSION_KEY: vdata.__version__,
            CODE_KEY: code_sha256(builder_classes)}


def code_sha256(builder_classes: Iterable[type]) -> str:
    """sha256 (hex) over the module names and bytes of the files that make rows for these builders."""
    modules = set(ROW_CODE)
    for cls in builder_classes:
        modules |= _builder_modules(cls)
    files = sorted({(name, path) for module in modules for name, path in _files(module)})
    digest = hashlib.sha256()
    for name, path in files:
        data = path.read_bytes()
        digest.update(f"{name}\n{len(data)}\n".encode())
        digest.update(data)
    return digest.hexdigest()


def describe_change(found: dict[str, Any] | None, expected: dict[str, Any]) -> tuple[str, bool]:
    """(what differs between a build's recorded fingerprint `found` and this run's `expected`, in words;
    whether the code differs, not only the sources or options).

    >>> describe_change({"frames": "uniform:8", "vdata_version": "0.1.0", "code_sha256": "ab" * 32},
    ...                 {"frames": "uniform:8", "vdata_version": "0.2.0", "code_sha256": "cd" * 32})
    ('vdata 0.1.0 (this is 0.2.0) and other row-making code (sha256 abababababab, this is cdcdcdcdcdcd)', True)
    """
    found = found or {}
    changes = []
    if found.get(VERSION_KEY) != expected[VERSION_KEY]:
        changes.append(f"vdata {found.get(VERSION_KEY) or 'of unknown version'} (this is {expected[VERSION_KEY]})")
    if found.get(CODE_KEY) != expected[CODE_KEY]:
        old = (found.get(CODE_KEY) or "not recorded")[:12]
        changes.append(f"other row-making code (sha256 {old}, this is {expected[CODE_KEY][:12]})")
    code_changed = bool(changes)
    keys = sorted(k for k in {*found, *expected} - {VERSION_KEY, CODE_KEY} if found.get(k) != expected.get(k))
    if keys:
        changes.append(f"other sources or options ({', '.join(keys)})")
    return " and ".join(changes), code_changed


def _builder_modules(cls: type) -> set[str]:
    """The vdata modules of `cls` and its base classes, and the `vdata.builders` modules those import."""
    todo = [k.__module__ for k in cls.__mro__ if k.__module__.startswith("vdata.")]
    seen: set[str] = set()
    while todo:
        module = todo.pop()
        if module in seen:
            continue
        seen.add(module)
        todo += [m for m in _imports(module) if m.startswith("vdata.builders.")]
    return seen


def _spec(module: str) -> importlib.machinery.ModuleSpec | None:
    """The spec of `module`, None when that name is not a module (`X.y` where `y` is a name inside `X`)."""
    try:
        return importlib.util.find_spec(module)
    except (ImportError, ValueError):
        return None


def _imports(module: str) -> list[str]:
    """Absolute names of the modules `module`'s source imports from (`from X import y`: X, and X.y when it is
    a module)."""
    spec = _spec(module)
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return []
    package = module if spec.submodule_search_locations else module.rpartition(".")[0]
    names = []
    for node in ast.walk(ast.parse(Path(spec.origin).read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{parent}.{base}" if base else parent
            names += [base, *(f"{base}.{alias.name}" for alias in node.names)]
    return [name for name in names if _spec(name) is not None]


def _files(module: str) -> list[tuple[str, Path]]:
    """(module name, source file) of `module`, or of every module inside it when it is a package."""
    spec = _spec(module)
    if spec is None or spec.origin is None:
        return []
    if not spec.submodule_search_locations:
        return [(module, Path(spec.origin))]
    found = []
    for folder in map(Path, spec.submodule_search_locations):
        for path in sorted(folder.rglob("*.py")):
            relative = path.relative_to(folder).with_suffix("").parts
            name = ".".join([module, *relative]).removesuffix(".__init__")
            found.append((name, path))
    return found
