"""Export a built dataset into the layouts external trainers and evaluators read (`vdata export`).

    from vdata.export import ExportOptions, export
    report = export("built/nextqa", "verl", "out/verl", ExportOptions(split="train"))

One module per target, registered by name (`vdata.export.names()`). Importing this package imports no ML library.
"""

from vdata.export import easyr1, llamafactory, lmms_eval, swift, trl, verl  # noqa: F401  (each target module registers its target)
from vdata.export.base import Exporter, ExportOptions, ExportReport, Skip, names, register
from vdata.export.run import export

__all__ = ["ExportOptions", "ExportReport", "Exporter", "Skip", "export", "names", "register"]
