"""`vdata validate`: the manifest, checksums, schema and frames of a built dataset agree."""

from __future__ import annotations

import io
from pathlib import Path

import pyarrow.parquet as pq

from vdata.errors import VdataError
from vdata.schemas import validate_table
from vdata.shards import read_manifest
from vdata.shards.index import check_index
from vdata.shards.manifest import file_sha256
from vdata.shards.reader import check_shard_schema


def validate(root: str | Path, decode_frames: bool = True) -> list[str]:
    """Every problem found, one line each (empty list = valid). Checks: each shard listed in the manifest
    exists with its sha256, byte size and row count; no unlisted shards; schema v1 or v2 (`schema_versions`)
    with valid values; every
    keyframe is a decodable JPEG (when `decode_frames`); the metadata index, when the manifest names one, has
    its sha256 and equals the shards' metadata columns row for row."""
    root = Path(root)
    problems: list[str] = []
    try:
        manifest = read_manifest(root)
    except VdataError as e:
        return [str(e)]
    listed = {s["path"]: s for s in manifest.get("shards", [])}
    # every file in data/, not `shard_paths` (which reads only what the manifest names): comparing the two is the point
    on_disk = {p.relative_to(root).as_posix(): p for p in sorted((root / "data").glob("*.parquet"))}
    problems += [f"{p}: listed in the manifest but missing" for p in sorted(set(listed) - set(on_disk))]
    problems += [f"{p}: not listed in the manifest" for p in sorted(set(on_disk) - set(listed))]
    for rel, path in sorted(on_disk.items()):
        if rel not in listed:
            continue
        entry = listed[rel]
        if file_sha256(path) != entry["sha256"]:
            problems.append(f"{rel}: sha256 differs from the manifest (file changed or corrupt)")
            continue
        try:
            check_shard_schema(path)
            meta = pq.ParquetFile(path).metadata
            if meta.num_rows != entry["rows"]:
                problems.append(f"{rel}: {meta.num_rows} rows, the manifest says {entry['rows']}")
            problems += _check_row_groups(path, rel, decode_frames)
        except VdataError as e:
            problems.append(str(e))
    if not problems:  # the index is compared with shards known to be whole
        try:
            problems += check_index(root)
        except VdataError as e:
            problems.append(str(e))
    return problems


def schema_versions(root: str | Path) -> list[str]:
    """The schema versions of the dataset's shards (`["2"]`; a mix of datasets built by different vdata
    versions may hold several), sorted; an unreadable or foreign shard raises `SchemaError`."""
    from vdata.shards import shard_paths

    return sorted({check_shard_schema(path) for path in shard_paths(root)})


def _check_row_groups(path: Path, rel: str, decode_frames: bool) -> list[str]:
    from PIL import Image, UnidentifiedImageError

    problems = []
    with pq.ParquetFile(path) as f:
        for group in range(f.num_row_groups):
            table = f.read_row_group(group)
            validate_table(table, rel)
            if not decode_frames:
                continue
            for row_id, frames in zip(table.column("id").to_pylist(), table.column("frames").to_pylist(),
                                      strict=True):
                for k, frame in enumerate(frames):
                    try:
                        Image.open(io.BytesIO(frame["bytes"])).verify()
                    except (UnidentifiedImageError, OSError, TypeError) as e:
                        problems.append(f"{rel}: sample {row_id} frame {k} does not decode ({e})")
    return problems

