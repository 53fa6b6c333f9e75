"""Every docstring example in vdata.eval and vdata.infer runs and gives the value it shows."""

import doctest
import importlib

import pytest

MODULES = ["vdata.eval.metrics", "vdata.eval.score", "vdata.infer.strategies", "vdata.infer.run"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_hold(name):
    result = doctest.testmod(importlib.import_module(name), optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted > 0
