"""Dataset cards: `README.md` with the Hub's YAML front matter and sections filled from the manifest.

The front matter's `configs` point `datasets` and the Hub's viewer at the shards (`default`: one split per
`data/{split}-*.parquet` glob) and, when some item failed, at `errors.parquet` (`errors`), so `load_dataset(DIR)` and
`load_dataset("user/name")` read the same splits. The body (`cards/dataset_card.md.j2`) shows the sources with
their licenses and citations (each builder declares them), counts, frame sampling, distillation and mixture
settings when present, the schema with units, and build errors.

A generated card ends with a marker holding the digest of its text; `vdata push` regenerates a card that still
matches its digest and leaves an edited one alone.
"""

from __future__ import annotations

import hashlib
import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pyarrow as pa

from vdata import tasks as vtasks
from vdata.errors import ERROR_CODES, ConfigError, VdataError
from vdata.schemas import HF_FEATURES, SCHEMA, SCHEMA_VERSION, TASKS
from vdata.shards import MANIFEST_NAME, read_manifest

CARD_NAME = "README.md"
TEMPLATE = "dataset_card.md.j2"
#: The split names `datasets` accepts (and so the Hub's configs).
SPLIT_RE = re.compile(r"^\w+(\.\w+)*$")
_MARKER_RE = re.compile(r"\n<!-- vdata card sha256=([0-9a-f]{64}) -->\n?$")

#: What each schema-v1 column holds, with units; a test checks it names exactly `vdata.schemas.COLUMNS`.
COLUMN_DOCS: dict[str, str] = {
    "id": "Sample id: 16 hex digits of sha1 over (source, split, annotation key); the same on every rebuild.",
    "source": "The source format the sample came from (see Sources).",
    "split": "The split; also the shard file prefix.",
    "media": "`video`, or `image` for an image sample (its image(s) as `frames`, no time axis).",
    "video": "Video path relative to the source corpus root (an image sample: its first image's path).",
    "video_id": "The video's id in its corpus.",
    "duration_s": "Video duration, seconds.",
    "fps": "Video frame rate, frames per second; null for images.",
    "width": "Original video width, pixels.",
    "height": "Original video height, pixels.",
    "num_frames": "Decoded frames in the whole video.",
    "clip_start_s": "Start of the window keyframes were sampled from, seconds from video start.",
    "clip_end_s": "End of that window, seconds from video start.",
    "frames": "Keyframes as JPEG images (`datasets.Image`: PIL images when loaded).",
    "frame_timestamps_s": "Time of each keyframe, seconds from video start; same length as `frames`.",
    "frame_indices": "0-based index of each keyframe among the video's decoded frames; same length as `frames`.",
    "scenes": "Scene spans from scene detection, seconds; null when scene detection was off.",
    "subtitles": "Subtitle cues within the clip window (start_s, end_s seconds from video start, text); null "
    "without a subtitle file.",
    "audio": "The clip window's audio as FLAC bytes (mono) with its sample_rate in Hz, first sample at "
    "clip_start_s; null unless built with --audio.",
    "task": f"The task: one of {', '.join(TASKS)}.",
    "question": "The question or query text; null for tasks without one.",
    "options": "Answer options of a multiple-choice question, in order; null otherwise.",
    "answer": "The gold answer (multiple choice: the correct option's letter, A = first); null when unlabelled.",
    "spans": "Gold time spans, seconds from video start, start_s <= end_s; null for tasks without spans.",
    "boxes": "Gold boxes in pixels of the original video (x1 < x2, y1 < y2), each on one frame "
    "(`timestamp_s` seconds, `frame_index` 0-based); null for tasks without boxes.",
    "cot": "Chain of thought (filled by `vdata distill`); null otherwise.",
    "meta": "A JSON object of format-specific extras.",
}



def card_context(root: str | Path, repo_id: str | None = None, license: str | None = None) -> dict[str, Any]:
    """Everything the card shows, from `root/vdata.json` and the shards' metadata columns (no frame bytes read).

    `repo_id` (`user/name`) fills the examples (a placeholder when None); `license` overrides the license the
    sources declare (an SPDX-like id such as `cc-by-4.0`).
    """
    from vdata.info import summarise

    root = Path(root)
    manifest = read_manifest(root)
    summary = summarise(root)
    bad = [s for s in summary["by_split"] if not SPLIT_RE.match(s)]
    if bad:
        raise VdataError(f"{root}: split name(s) {bad} are not valid for `datasets` (letters, digits, _ and .)")
    builds = _builds(manifest)
    sources = _sources(builds)
    front_license, license_text = _license(sources, license)
    sampling_keys = ["frames", "max_pixels", "size_factor", "jpeg_quality", "scenes", "decoder"]
    sampling = _unique([{k: b.get(k) for k in sampling_keys} for b in builds])
    return {
        "title": (repo_id or root.resolve().name).split("/")[-1],
        "repo_id": repo_id or "USER/NAME",
        "local_name": (repo_id or root.resolve().name).split("/")[-1],
        "vdata_version": manifest.get("vdata_version", "?"),
        "schema_version": manifest.get("schema_version", SCHEMA_VERSION),
        "rows": summary["rows"],
        "keyframes": summary["keyframes"],
        "video_hours": round(summary["video_hours"], 2),
        "by_split": summary["by_split"],
        "first_split": next(iter(summary["by_split"]), "train"),
        "by_task": summary["by_task"],
        "by_source": summary["by_source"],
        "shards": summary["shards"],
        "size_mb": round(summary["bytes"] / 1e6, 1),
        "sources": sources,
        "citations": _unique([s["citation"] for s in sources if s["citation"]]),
        "sampling_keys": sampling_keys,
        "sampling": sampling,
        "distill": _flat(manifest.get("distill")),
        "mix": _mix(manifest),
        "columns": [{"name": f.name, "type": _type_name(f.name, f.type), "doc": COLUMN_DOCS.get(f.name, "")}
                    for f in SCHEMA],
        "errors": [{"code": c, "count": n, "meaning": ERROR_CODES.get(c, "")} for c, n in summary["errors"].items()],
        "license": front_license,
        "license_text": license_text,
    }


def front_matter(context: dict[str, Any]) -> dict[str, Any]:
    """The card's YAML metadata as a dict: license, task_categories, tags, size_categories and `configs`."""
    tasks = list(context["by_task"])
    qa = any(vtasks.get(t).question_answering for t in tasks)
    categories = ["video-text-to-text"] + (["visual-question-answering"] if qa else [])
    meta: dict[str, Any] = {"pretty_name": context["title"], **context["license"]}
    meta |= {
        "task_categories": categories,
        "tags": ["vdata", "video", *(t.replace("_", "-") for t in tasks)],
        "size_categories": [size_category(context["rows"])],
        "configs": [
            {"config_name": "default", "default": True,
             "data_files": [{"split": s, "path": f"data/{s}-*.parquet"} for s in context["by_split"]]},
            # `datasets` cannot read a Parquet file without rows: an empty errors.parquet gets no config.
            *([{"config_name": "errors", "data_files": [{"split": "train", "path": "errors.parquet"}]}]
              if context["errors"] else []),
        ],
        # Also declared here: `datasets` takes the card's features first, so `frames` loads as images even from
        # shards whose own feature metadata it ignores (ones written with non-nullable fields, before schema v1's fix).
        "dataset_info": {"config_name": "default", "features": yaml_features(HF_FEATURES)},
    }
    return meta


def yaml_features(features: dict[str, Any]) -> list[dict[str, Any]]:
    """`datasets` features (`Features.to_dict()` form) as the card's YAML `features:` list.

    >>> yaml_features({"id": {"dtype": "string", "_type": "Value"},
    ...                "frames": {"feature": {"_type": "Image"}, "_type": "List"}})
    [{'name': 'id', 'dtype': 'string'}, {'name': 'frames', 'list': 'image'}]
    """
    return [{"name": name, **_yaml_type(feature)} for name, feature in features.items()]


def _yaml_type(feature: dict[str, Any]) -> dict[str, Any]:
    kind = feature.get("_type")
    if kind == "Value":
        return {"dtype": feature["dtype"]}
    if kind == "Image":
        return {"dtype": "image"}
    if kind in ("List", "Sequence", "LargeList"):
        inner = _yaml_type(feature["feature"])
        return {"list": inner.get("dtype") or inner.get("struct") or inner}
    if kind is None:
        return {"struct": yaml_features(feature)}
    raise ValueError(f"no YAML form for feature type {kind!r}")


def render_card(root: str | Path, repo_id: str | None = None, license: str | None = None) -> str:
    """The card text: `---` YAML front matter `---`, the body, and the digest marker."""
    try:
        import yaml
    except ImportError:
        raise VdataError("dataset cards need PyYAML: pip install 'vdata[hub]'") from None

    context = card_context(root, repo_id, license)
    meta = yaml.safe_dump(front_matter(context), sort_keys=False, allow_unicode=True, width=1000)
    body = re.sub(r"\n{3,}", "\n\n", _template().render(**context).strip())
    text = f"---\n{meta}---\n\n{body}\n"
    return f"{text}\n<!-- vdata card sha256={_digest(text)} -->\n"


def write_card(root: str | Path, repo_id: str | None = None, license: str | None = None) -> Path:
    """(Re)write `root/README.md` with `render_card`; returns its path."""
    path = Path(root) / CARD_NAME
    text = render_card(root, repo_id, license)
    tmp = path.with_suffix(".md.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def is_generated(path: str | Path) -> bool:
    """True when the card at `path` is vdata's and unedited since (its text still matches its digest marker)."""
    text = Path(path).read_text(encoding="utf-8")
    match = _MARKER_RE.search(text)
    return bool(match) and _digest(text[: match.start()]) == match.group(1)


def size_category(rows: int) -> str:
    """The Hub's `size_categories` bucket for a row count.

    >>> size_category(24), size_category(12_000)
    ('n<1K', '10K<n<100K')
    """
    names = ["n<1K", "1K<n<10K", "10K<n<100K", "100K<n<1M", "1M<n<10M", "10M<n<100M", "100M<n<1B"]
    for i, name in enumerate(names):
        if rows < 1000 * 10**i:
            return name
    return "n>1B"


# -- manifest readers ---------------------------------------------------------------------------------------


def _builds(manifest: dict[str, Any], depth: int = 0) -> list[dict[str, Any]]:
    """The build fingerprints behind a dataset: its own, a distilled dataset's input's, a mixture's parts'."""
    own = manifest.get("build", {}).get("fingerprint") or (manifest.get("source") or {}).get("build", {}).get(
        "fingerprint"
    )
    found = [own] if own else []
    for part in (manifest.get("mix") or {}).get("sources", []) if depth < 4 else []:
        path = Path(part.get("path", ""))
        if (path / MANIFEST_NAME).exists():
            found += _builds(read_manifest(path), depth + 1)
    return found


def _sources(builds: list[dict[str, Any]]) -> list[dict[str, str]]:
    """One entry per `FORMAT:PATH` source: its builder's license, citation and one-line description.

    Only the last part of the local path is shown: the card does not publish the builder's file system.
    """
    import inspect

    from vdata import builders

    out, seen = [], set()
    for spec in (s for b in builds for s in b.get("sources", [])):
        if spec in seen:
            continue
        seen.add(spec)
        try:
            name, path, _ = builders.parse_source(spec)  # `lasot,fps=25:/data/LaSOT`: the format is `lasot`
            cls: type | None = builders.get(name)
        except ConfigError:
            name, _, path = spec.partition(":")
            cls = None
        doc = (inspect.getdoc(cls) or "").split("\n\n")[0].replace("\n", " ") if cls else ""
        out.append({
            "format": name,
            "input": Path(path).name,
            "license": getattr(cls, "license", "") or "not declared",
            "citation": getattr(cls, "citation", "").strip(),
            "about": doc,
        })
    return out


def _license(sources: list[dict[str, str]], override: str | None) -> tuple[dict[str, str], str]:
    """(front matter license keys, License section text) from the sources' licenses or `override`."""
    if override:
        if not re.fullmatch(r"[a-z0-9][a-z0-9.+-]*", override.lower()):
            raise ConfigError(f"--license {override!r}: expected an SPDX-like id such as cc-by-4.0 or apache-2.0")
        return {"license": override.lower()}, f"Released under `{override.lower()}`."
    declared = {s["license"] for s in sources}
    listing = "\n".join(f"- `{s['format']}` ({s['input']}): {s['license']}" for s in sources)
    terms = f"The samples keep the terms of their source corpora:\n\n{listing}" if sources else ""
    if len(declared) == 1 and re.fullmatch(r"[a-z0-9][a-z0-9.+-]*", (only := declared.pop()).lower()):
        return {"license": only.lower()}, terms
    if all(s["license"] == "not declared" for s in sources):
        return {"license": "unknown"}, (terms + "\n\n" if terms else "") + (
            "No source declares a license: set one with `vdata card DIR --license ID` once you know it.")
    return {"license": "other", "license_name": "per-source"}, terms


def _mix(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    return [{"name": Path(p.get("path", "")).name, "weight": p.get("weight"), "rows_available": p.get("rows_available"),
             "rows_taken": p.get("rows_taken"), "repeated": p.get("repeated")}
            for p in (manifest.get("mix") or {}).get("sources", [])]


def _flat(section: dict[str, Any] | None) -> dict[str, str]:
    """A manifest section as `key: compact value` rows (the resume fingerprint left out)."""
    if not section:
        return {}
    return {k: v if isinstance(v, str) else json.dumps(v, sort_keys=True) for k, v in section.items()
            if k != "fingerprint"}


def _type_name(name: str, dtype: pa.DataType) -> str:
    """A short type for the schema table: `list[{start_s, end_s}]`, `list[Image]`, `float64`."""
    if name == "frames":
        return "list[Image]"
    if pa.types.is_list(dtype):
        return f"list[{_type_name('', dtype.value_type)}]"
    if pa.types.is_struct(dtype):
        return "{" + ", ".join(f.name for f in dtype) + "}"
    return {"double": "float64"}.get(str(dtype), str(dtype))


def _unique(items: list[Any]) -> list[Any]:
    out: list[Any] = []
    for item in items:
        if item not in out:
            out.append(item)
    return out


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _template() -> Any:
    try:
        import jinja2
    except ImportError:
        raise VdataError("dataset cards need jinja2: pip install 'vdata[hub]'") from None
    env = jinja2.Environment(autoescape=False, keep_trailing_newline=True, undefined=jinja2.StrictUndefined)
    env.filters["cell"] = _cell
    source = resources.files("vdata.cards").joinpath(TEMPLATE).read_text(encoding="utf-8")
    return env.from_string(source)


def _cell(value: Any) -> str:
    """A value safe inside a Markdown table cell (no pipes, no line breaks)."""
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")
