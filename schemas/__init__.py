"""The versioned Arrow schema every vdata shard follows (`vdata.schemas`)."""

from vdata.schemas.v1 import (
    BOX,
    COLUMNS,
    HF_FEATURES,
    METADATA_COLUMNS,
    SCHEMA,
    SCHEMA_VERSION,
    SPAN,
    TASKS,
    VERSION_KEY,
    parse_meta,
    rows_to_table,
    validate_table,
)

__all__ = [
    "BOX",
    "COLUMNS",
    "HF_FEATURES",
    "METADATA_COLUMNS",
    "SCHEMA",
    "SCHEMA_VERSION",
    "SPAN",
    "TASKS",
    "VERSION_KEY",
    "parse_meta",
    "rows_to_table",
    "validate_table",
]
