"""Every docstring example in vdata.rewards runs and gives the value it shows."""

import doctest
import importlib
import pkgutil

import pytest

import vdata.rewards

MODULES = sorted(
    m.name
    for m in pkgutil.walk_packages(vdata.rewards.__path__, "vdata.rewards.")
    if not m.name.endswith("server")
)


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0
