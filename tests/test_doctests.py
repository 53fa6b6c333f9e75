"""Every docstring example in every module of the installed package runs and gives the value it shows.

Modules are found by walking `vdata` and the packages installed from their own folders (`vdata.builders`,
`vdata.rewards`, `vdata.schemas`, `vdata.cards`), so a new module's examples run without being listed here.
"""

import doctest
import importlib
import importlib.util
import pkgutil
from pathlib import Path

import pytest

#: Packages whose folder is not under `vdata/` (pyproject's `package-dir`), walked on their own.
ROOTS = ("vdata", "vdata.builders", "vdata.rewards", "vdata.schemas", "vdata.cards")


def _modules() -> list[str]:
    names = set(ROOTS)
    for root in ROOTS:
        package = importlib.import_module(root)
        names.update(m.name for m in pkgutil.walk_packages(package.__path__, root + "."))
    return sorted(names)


MODULES = _modules()


def test_every_package_is_walked():
    for package in ("vdata.builders", "vdata.rewards", "vdata.schemas", "vdata.tasks", "vdata.cards"):
        assert package in MODULES


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"


BENCHMARKS = sorted((Path(__file__).parent.parent / "benchmarks").glob("bench_*.py"))


@pytest.mark.parametrize("path", BENCHMARKS, ids=lambda p: p.name)
def test_benchmark_docstring_examples_hold(path):
    """The benchmarks' helpers (e.g. `bench_build.median_interval`, which decides a goal) too: each script is
    loaded as a module (its `main` does not run)."""
    spec = importlib.util.spec_from_file_location(f"benchmarks_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0, f"{path.name}: {result.failed} of {result.attempted} examples failed"
