"""Sample schema v2: schema v1 plus image samples, subtitles and audio, in one Arrow table.

What v2 adds to v1 (`vdata.schemas.v1`, whose columns and units all hold here):

- `media`: `"video"` or `"image"`. An image sample (one image or several, e.g. Video-R1's image problems) sits in
  the same table as the video samples. Its `frames` are the image(s) in the order given, re-encoded as JPEG at
  the build's `--jpeg-quality` after the same resize as video keyframes (`vdata.video.resize.fit_pixels`);
  `frame_timestamps_s`, `frame_indices` and `fps` are null (there is no time axis); `duration_s`,
  `clip_start_s` and `clip_end_s` are 0.0; `num_frames` is the number of images; `width`/`height` are the
  first image's original size in pixels; `video` is the first image's path relative to the corpus root (all
  paths of a several-image sample are in `meta["images"]`). For video rows `fps`, `frame_timestamps_s` and
  `frame_indices` are required, as in v1.
- `subtitles`: timed text within the clip window, `[{start_s, end_s, text}]`, seconds from video start (the
  same origin as `frame_timestamps_s`: the first decoded frame is 0.0), each cue clipped to
  `clip_start_s..clip_end_s`; null when the sample has no subtitle file.
- `audio`: the clip window's audio, `{bytes, sample_rate}`: a FLAC file (mono, `sample_rate` Hz, 16000 by
  default) whose first sample is at `clip_start_s` in video time; null unless built with `--audio` or when
  the video has no audio stream (then `meta["vdata_notes"]["audio"]` says so).

v1 datasets stay readable: `validate_table` accepts both versions, and `upgrade` turns a v1 table into v2
(`media` "video", `subtitles` and `audio` null), which is what `vdata.shards` readers hand to every stage.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from vdata.errors import SchemaError
from vdata.schemas import v1
from vdata.schemas.v1 import BOX, IMAGE, SPAN, TASKS, VERSION_KEY, _hf_feature, parse_meta

SCHEMA_VERSION = "2"
#: Every schema version this vdata reads.
VERSIONS: tuple[str, ...] = (v1.SCHEMA_VERSION, SCHEMA_VERSION)
#: Values of the `media` column.
MEDIA: tuple[str, ...] = ("video", "image")

SUBTITLE = pa.struct([("start_s", pa.float64()), ("end_s", pa.float64()), ("text", pa.string())])
AUDIO = pa.struct([("bytes", pa.binary()), ("sample_rate", pa.int32())])

_FIELDS: list[tuple[str, pa.DataType, bool]] = [
    # name, type, nullable
    ("id", pa.string(), False),
    ("source", pa.string(), False),
    ("split", pa.string(), False),
    ("media", pa.string(), False),
    ("video", pa.string(), False),
    ("video_id", pa.string(), False),
    ("duration_s", pa.float64(), False),
    ("fps", pa.float64(), True),  # null for images
    ("width", pa.int32(), False),
    ("height", pa.int32(), False),
    ("num_frames", pa.int64(), False),
    ("clip_start_s", pa.float64(), False),
    ("clip_end_s", pa.float64(), False),
    ("frames", pa.list_(IMAGE), False),
    ("frame_timestamps_s", pa.list_(pa.float64()), True),  # null for images
    ("frame_indices", pa.list_(pa.int64()), True),  # null for images
    ("scenes", pa.list_(SPAN), True),
    ("subtitles", pa.list_(SUBTITLE), True),
    ("audio", AUDIO, True),
    ("task", pa.string(), False),
    ("question", pa.string(), True),
    ("options", pa.list_(pa.string()), True),
    ("answer", pa.string(), True),
    ("spans", pa.list_(SPAN), True),
    ("boxes", pa.list_(BOX), True),
    ("cot", pa.string(), True),
    ("meta", pa.string(), True),
]

COLUMNS: tuple[str, ...] = tuple(name for name, _, _ in _FIELDS)
#: Columns that hold no frame bytes: what metadata queries should read.
METADATA_COLUMNS: tuple[str, ...] = tuple(c for c in COLUMNS if c != "frames")

#: `datasets.Features.to_dict()` of schema v2: `load_dataset("parquet")` turns `frames` into PIL images.
HF_FEATURES: dict[str, Any] = {name: _hf_feature(dtype, name) for name, dtype, _ in _FIELDS}

#: Every Arrow field is nullable (see schema v1: `datasets` ignores the features of non-nullable fields);
#: required columns are enforced by `validate_table`.
SCHEMA: pa.Schema = pa.schema(
    [pa.field(name, dtype) for name, dtype, _ in _FIELDS],
    metadata={
        VERSION_KEY: SCHEMA_VERSION.encode(),
        b"huggingface": json.dumps({"info": {"features": HF_FEATURES}}).encode(),
    },
)


def version_of(schema: pa.Schema, where: str = "table") -> str:
    """The schema version a table or file declares (`VERSION_KEY` metadata; none = this version); a version this
    vdata cannot read raises `SchemaError`.

    >>> version_of(SCHEMA), version_of(v1.SCHEMA), version_of(pa.schema([]))
    ('2', '1', '2')
    """
    raw = (schema.metadata or {}).get(VERSION_KEY)
    version = SCHEMA_VERSION if raw is None else raw.decode()
    if version not in VERSIONS:
        raise SchemaError(f"{where}: schema version {version!r}, this vdata reads {' or '.join(map(repr, VERSIONS))}")
    return version


def columns_of(version: str) -> tuple[str, ...]:
    """The columns of schema `version` (`"1"` or `"2"`)."""
    return v1.COLUMNS if version == v1.SCHEMA_VERSION else COLUMNS


def upgrade(table: pa.Table) -> pa.Table:
    """A table of v2 columns from a table of schema v1 or v2 columns (all, or some): v1 tables gain `media`
    ("video"), `subtitles` and `audio` (null); the columns keep their order in `COLUMNS`, the metadata is v2's.
    A v2 table is returned unchanged."""
    if version_of(table.schema) == SCHEMA_VERSION:
        return table
    names = table.schema.names
    added = {"media": pa.array(["video"] * table.num_rows, pa.string()),
             "subtitles": pa.nulls(table.num_rows, SCHEMA.field("subtitles").type),
             "audio": pa.nulls(table.num_rows, AUDIO)}
    wanted = [c for c in COLUMNS if c in names or c in added]
    arrays = [table.column(c) if c in names else added[c] for c in wanted]
    return pa.Table.from_arrays(arrays, schema=pa.schema([SCHEMA.field(c) for c in wanted], metadata=SCHEMA.metadata))


def validate_table(table: pa.Table, where: str = "table") -> None:
    """Raise `SchemaError` unless `table` is a valid schema v2 table, or a valid schema v1 table (checked by
    `v1.validate_table`). v2 adds to v1's checks: `media` is "video" or "image"; a video row has `fps`,
    `frame_timestamps_s` and `frame_indices` as long as `frames`; an image row has at least one frame and null
    timestamps and indices; subtitles are finite with `start_s <= end_s`; audio has a positive sample rate.
    `where` names the file in messages."""
    if version_of(table.schema, where) == v1.SCHEMA_VERSION:
        v1.validate_table(table, where)
        return
    missing = [c for c in COLUMNS if c not in table.schema.names]
    if missing:
        raise SchemaError(f"{where}: missing columns {missing}")
    for name, dtype, nullable in _FIELDS:
        got = table.schema.field(name).type
        if got != dtype:
            raise SchemaError(f"{where}: column {name!r} has type {got}, schema v2 says {dtype}")
        if not nullable and table.column(name).null_count:
            raise SchemaError(f"{where}: column {name!r} has nulls; it is required")
    _validate_values(table, where)


def _validate_values(table: pa.Table, where: str) -> None:
    import pyarrow.compute as pc

    bad_media = set(pc.unique(table.column("media")).to_pylist()) - set(MEDIA)
    if bad_media:
        raise SchemaError(f"{where}: unknown media {sorted(bad_media)}; known: {', '.join(MEDIA)}")
    is_image = pc.equal(table.column("media"), "image")
    images, videos = table.filter(is_image), table.filter(pc.invert(is_image))
    for name in ("fps", "frame_timestamps_s", "frame_indices"):
        if videos.column(name).null_count:
            raise SchemaError(f"{where}: a video row has no {name}")
        if images.num_rows and images.column(name).null_count != images.num_rows:
            raise SchemaError(f"{where}: an image row has {name} (images have no time axis: null)")
    if images.num_rows and not pc.all(pc.greater(pc.list_value_length(images.column("frames")), 0)).as_py():
        raise SchemaError(f"{where}: an image row has no frames")
    _validate_extras(table, where)
    # v1's value rules, over the video rows with v1's columns (images have no frame times to compare)
    if videos.num_rows:
        v1._validate_values(videos.select(list(v1.COLUMNS)), where)
    if images.num_rows:
        v1._validate_values(_as_timed(images.select(list(v1.COLUMNS))), where)


def _as_timed(images: pa.Table) -> pa.Table:
    """Image rows with empty stand-in frame times, so v1's label rules (spans, boxes, tasks) check them too."""
    n = images.num_rows
    images = images.set_column(images.schema.get_field_index("frames"), "frames",
                               pa.array([[]] * n, pa.list_(IMAGE)))
    for name, dtype in (("frame_timestamps_s", pa.float64()), ("frame_indices", pa.int64())):
        images = images.set_column(images.schema.get_field_index(name), name, pa.array([[]] * n, pa.list_(dtype)))
    return images


def _validate_extras(table: pa.Table, where: str) -> None:
    import pyarrow.compute as pc

    cues = pc.list_flatten(table.column("subtitles"))
    if len(cues):
        start, end = pc.struct_field(cues, "start_s"), pc.struct_field(cues, "end_s")
        for name, values in (("start_s", start), ("end_s", end)):
            if pc.any(pc.invert(pc.is_finite(values))).as_py():
                raise SchemaError(f"{where}: a subtitle has a NaN or infinite {name}")
        if pc.any(pc.greater(start, end)).as_py():
            raise SchemaError(f"{where}: a subtitle has start_s > end_s")
    rates = pc.struct_field(table.column("audio").combine_chunks(), "sample_rate")
    if pc.any(pc.less_equal(rates, 0)).as_py():
        raise SchemaError(f"{where}: an audio sample_rate is not positive")


def rows_to_table(rows: list[Mapping[str, Any]]) -> pa.Table:
    """Build a schema-v2 table from row dicts and validate it. Missing nullable fields become null; a row without
    `media` is a video row (a v1-shaped row)."""
    table = pa.Table.from_pylist(
        [{c: row.get(c, "video") if c == "media" else row.get(c) for c in COLUMNS} for row in rows], schema=SCHEMA
    )
    validate_table(table)
    return table


__all__ = [
    "AUDIO", "BOX", "COLUMNS", "HF_FEATURES", "IMAGE", "MEDIA", "METADATA_COLUMNS", "SCHEMA", "SCHEMA_VERSION",
    "SPAN", "SUBTITLE", "TASKS", "VERSIONS", "VERSION_KEY", "columns_of", "parse_meta", "rows_to_table",
    "upgrade", "validate_table", "version_of",
]
